/**
 * Departments for tests: a publisher for tests that ingest in-process (every source and event type
 * the tests publish, a ten-year window), and, for tests that post to POST /events, a department
 * registered in the test's store with its key, the API's event routes wired as workers/main.ts
 * wires them (nonces and rate limits in the test stack's Redis), and signed requests.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import type { EventApiDeps } from '../../api/server.js';
import { signDepartmentRequest, type DepartmentCredential } from '../../domain/department-signature.js';
import type { DepartmentSpec, Publisher } from '../../domain/departments.js';
import { EVENT_TYPES } from '../../domain/events.js';
import type { SubjectKeyRing } from '../../domain/pseudonym.js';
import { createDepartmentAuthenticator } from '../../services/departments/authenticate.js';
import { redisNonceStore } from '../../services/departments/nonces.js';
import { ingestEvent, type IngestDeps } from '../../services/events/ingest.js';
import { REGISTRIES } from '../../demo/registries.js';
import { addDepartment } from '../../store/departments.js';

/** The sources the tests' events claim. */
const TEST_SOURCES = [
  'household-registry',
  'health-commission',
  'disability-federation',
  'disabled-persons-federation',
  'market-regulation',
  'big-data-bureau',
  ...Object.values(REGISTRIES).map((registry) => registry.source),
];

/** In-process ingestion's publisher in tests: any source and type the tests use, dated up to ten years back. */
export const TEST_PUBLISHER: Publisher = {
  department: 'test-registry',
  sources: [...new Set(TEST_SOURCES)],
  eventTypes: EVENT_TYPES.map((type) => type.type),
  backdatingDays: 3660,
};

/** A registration like the household registry's, under a unique ID (sources are unique: a unique one too). */
export function testDepartmentSpec(overrides: Partial<DepartmentSpec> = {}): DepartmentSpec {
  const run = randomUUID().slice(0, 8);
  return {
    id: `household-${run}`,
    name: { zh: '市公安局户政（测试）', en: 'Household registry (test)' },
    sources: ['household-registry'],
    eventTypes: ['birth.registered'],
    backdatingDays: 3660,
    ...overrides,
  };
}

/** Registers a department in the store and answers its first credential. */
export async function registerTestDepartment(
  store: Connection,
  master: string,
  overrides: Partial<DepartmentSpec> = {},
): Promise<DepartmentCredential> {
  return (await addDepartment(store, testDepartmentSpec(overrides), master)).credential;
}

/** What POST /events needs, wired as workers/main.ts wires it; `close` ends the Redis connection. */
export function testEventApi(
  redisUrl: string,
  ingestDeps: IngestDeps,
  options: { keys?: SubjectKeyRing; rateLimit?: number; nowSeconds?: () => number } = {},
): { events: EventApiDeps; redis: Redis; close: () => Promise<void> } {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  const events: EventApiDeps = {
    ingest: (body, publisher) => ingestEvent(ingestDeps, body, publisher),
    authenticate: createDepartmentAuthenticator({
      store: ingestDeps.store,
      keys: options.keys ?? ingestDeps,
      nonces: redisNonceStore(redis, prefix),
      ...(options.nowSeconds ? { nowSeconds: options.nowSeconds } : {}),
    }),
    rateLimit: { max: options.rateLimit ?? 1000, timeWindowMs: 60_000, redis, prefix },
  };
  return { events, redis, close: async () => void (await redis.quit()) };
}

/** POSTs a JSON body to the API as a department, signed with its credential (or unsigned without one). */
export async function postSigned(
  api: FastifyInstance,
  credential: DepartmentCredential | undefined,
  body: unknown,
  options: {
    url?: string;
    headers?: Record<string, string>;
    sign?: { timestamp?: number; nonce?: string };
    /** Sign this body but send `body` (a body changed on the way). */
    signedBody?: string;
  } = {},
) {
  const url = options.url ?? '/events';
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await api.inject({
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/json',
      ...(credential
        ? signDepartmentRequest(
            credential,
            { method: 'POST', path: url, body: options.signedBody ?? payload },
            options.sign,
          )
        : {}),
      ...options.headers,
    },
    payload,
  });
  return { status: response.statusCode, headers: response.headers, json: response.json<Record<string, unknown>>() };
}
