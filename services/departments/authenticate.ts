/**
 * Who signed a department request (domain/department-signature.ts): the department register's
 * entry, verified as every signing party is (services/signed-requests/authenticate.ts: key, master
 * on the ring, signature, window, nonce). A failure gives its reason, for the log only: the caller
 * answers every failure alike.
 */
import type { Connection } from 'mongoose';
import { claimProblem, DEPARTMENT_SCHEME, type DepartmentClaim } from '../../domain/department-signature.js';
import { publisherOf, type Publisher } from '../../domain/departments.js';
import type { SubjectKeyRing } from '../../domain/pseudonym.js';
import type { Text } from '../../domain/sources.js';
import { findDepartment, specOf } from '../../store/departments.js';
import { createSignedRequestAuthenticator } from '../signed-requests/authenticate.js';
import type { NonceStore } from './nonces.js';

/** A department that signed a request: what it may publish, its name and the key it used. */
export interface DepartmentPrincipal extends Publisher {
  name: Text;
  keyId: string;
}

/** The principal, or why the request is not a department's (for the log; never for the answer). */
export type DepartmentAuthentication = { principal: DepartmentPrincipal } | { failure: string };

export interface DepartmentAuthenticatorDeps {
  store: Connection;
  /** The master secrets the keys are derived from (current first). */
  keys: SubjectKeyRing;
  nonces: NonceStore;
  /** Unix seconds now (tests move the clock). */
  nowSeconds?: () => number;
}

/** Verifies signed requests against the department register (services/signed-requests/authenticate.ts). */
export function createDepartmentAuthenticator(
  deps: DepartmentAuthenticatorDeps,
): (claim: Partial<DepartmentClaim>) => Promise<DepartmentAuthentication> {
  const authenticate = createSignedRequestAuthenticator({
    scheme: DEPARTMENT_SCHEME,
    partyWord: 'department',
    problem: (claim) => claimProblem({ ...claim, department: claim.party }),
    find: (department) => findDepartment(deps.store, department),
    keys: deps.keys,
    nonces: deps.nonces,
    nonceKey: (claim) => `${claim.party}:${claim.nonce}`,
    ...(deps.nowSeconds ? { nowSeconds: deps.nowSeconds } : {}),
  });
  return async ({ department, ...claim }) => {
    const result = await authenticate({ ...claim, party: department });
    if ('failure' in result) return result;
    const spec = specOf(result.record);
    return { principal: { ...publisherOf(spec), name: spec.name, keyId: result.keyId } };
  };
}
