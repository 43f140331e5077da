/**
 * Verifiers for tests: one registered in the test's store with its key (store/verifiers.ts), the
 * API's code routes wired as workers/main.ts wires them (the verifier authenticator with nonces in
 * the test stack's Redis), the whole API a holder shows codes from (their wallet of sealed
 * certificates), and scans signed as a verifier's app signs them.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import { buildApi, type CodeApiDeps } from '../../api/server.js';
import type { SubjectKeyRing } from '../../domain/pseudonym.js';
import { signVerifierRequest, type VerifierCredential } from '../../domain/verifier-signature.js';
import type { VerifierSpec } from '../../domain/verifiers.js';
import type { SealKeeper } from '../../services/certificates/seal-keeper.js';
import { createCertificateService } from '../../services/certificates/service.js';
import { createCitizenService } from '../../services/citizen/service.js';
import { createCodeService, type CodeServiceDeps } from '../../services/codes/service.js';
import { certificateWallet } from '../../services/codes/wallet.js';
import { createPolicyLifecycle } from '../../services/policies/lifecycle.js';
import { redisNonceStore } from '../../services/departments/nonces.js';
import { createVerifierAuthenticator } from '../../services/verifiers/authenticate.js';
import { addVerifier } from '../../store/verifiers.js';
import { ALL_UP } from './all-up.js';
import { testSessions } from './users.js';

/** A park registered for the senior concession, under a unique ID. */
export function testVerifierSpec(overrides: Partial<VerifierSpec> = {}): VerifierSpec {
  return {
    id: `park-${randomUUID().slice(0, 8)}`,
    name: { zh: '市人民公园（测试）', en: 'People’s Park (test)' },
    kind: 'outside',
    matters: ['senior-concession'],
    ...overrides,
  };
}

/** Registers a verifier in the store and answers its first credential. */
export async function registerTestVerifier(
  store: Connection,
  master: string,
  overrides: Partial<VerifierSpec> = {},
): Promise<VerifierCredential> {
  return (await addVerifier(store, testVerifierSpec(overrides), master)).credential;
}

/** What the code routes need, wired as workers/main.ts wires them; `close` ends the Redis connection. */
export function testCodeApi(
  redisUrl: string,
  deps: Omit<CodeServiceDeps, 'keys'> & { keys: SubjectKeyRing },
): { codes: CodeApiDeps; close: () => Promise<void> } {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  const codes: CodeApiDeps = {
    codes: createCodeService(deps),
    authenticate: createVerifierAuthenticator({
      store: deps.store,
      keys: deps.keys,
      nonces: redisNonceStore(redis, `test-${randomUUID().slice(0, 8)}`),
    }),
  };
  return { codes, close: async () => void (await redis.quit()) };
}

/**
 * The API as a holder and a verifier use it for codes: sessions, the citizen's routes, the wallet
 * of certificates sealed by `seals`, and the code routes (`codes` sets their clock or validity);
 * `console` serves the console too. `close` closes the API and ends the Redis connection.
 */
export function testWalletApi(
  redisUrl: string,
  deps: { store: Connection; temporal: Client; seals: SealKeeper; master: string; console?: boolean },
  codes: Pick<CodeServiceDeps, 'now' | 'validitySeconds'> = {},
): { api: FastifyInstance; close: () => Promise<void> } {
  const { store, temporal, seals } = deps;
  const certificates = createCertificateService({ store, seals });
  const codeApi = testCodeApi(redisUrl, {
    store,
    keys: { subjectKeySecret: deps.master },
    wallet: certificateWallet(store, certificates),
    ...codes,
  });
  const api = buildApi({
    sessions: testSessions(store),
    policies: { lifecycle: createPolicyLifecycle(store) },
    citizen: createCitizenService({ store, temporal }),
    certificates,
    codes: codeApi.codes,
    ...(deps.console ? { console: true } : {}),
    health: ALL_UP,
  });
  return {
    api,
    close: async () => {
      await api.close();
      await codeApi.close();
    },
  };
}

/** POSTs a scan to the API as a verifier, signed with its credential (or unsigned without one). */
export async function scanSigned(
  api: FastifyInstance,
  credential: VerifierCredential | undefined,
  body: { code: string; matter: string },
) {
  const url = '/codes/scan';
  const payload = JSON.stringify(body);
  const response = await api.inject({
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/json',
      ...(credential ? signVerifierRequest(credential, { method: 'POST', path: url, body: payload }) : {}),
    },
    payload,
  });
  return { status: response.statusCode, json: response.json<Record<string, unknown>>(), text: response.body };
}
