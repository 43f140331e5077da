/**
 * Verifiers for tests: one registered in the test's store with its key (store/verifiers.ts), the
 * API's code routes wired as workers/main.ts wires them (the verifier authenticator with nonces in
 * the test stack's Redis), and scans signed as a verifier's app signs them.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import type { CodeApiDeps } from '../../api/server.js';
import type { SubjectKeyRing } from '../../domain/pseudonym.js';
import { signVerifierRequest, type VerifierCredential } from '../../domain/verifier-signature.js';
import type { VerifierSpec } from '../../domain/verifiers.js';
import { createCodeService, type CodeServiceDeps } from '../../services/codes/service.js';
import { redisNonceStore } from '../../services/departments/nonces.js';
import { createVerifierAuthenticator } from '../../services/verifiers/authenticate.js';
import { addVerifier } from '../../store/verifiers.js';

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
