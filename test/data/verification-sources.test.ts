/**
 * The consumer side of verification (issue 15 item 3): a deployment names, in
 * APPLYFREE_VERIFICATION_SOURCES, the catalog sources a department's verification service answers;
 * the adapters built from that configuration read them over HTTP, signed with the key derived for
 * that department, so a policy's fact comes from the department's service — here a small HTTP
 * server in the test — with the access record written as for any pull. A source the catalog does
 * not know, or a plain-http service in production, stops the process at start-up.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAdapterRegistry } from '../../activities/shared-data/adapters.js';
import { makeFetchFacts } from '../../activities/shared-data/fetch-facts.js';
import { makeResidentId } from '../../domain/identity.js';
import { deriveKey } from '../../domain/keys.js';
import { verifySignedBody } from '../../domain/signature.js';
import { registerAccessRecordModel } from '../../store/access-records.js';
import { loadServerConfig } from '../../workers/config.js';
import { httpSourceConfigs } from '../../workers/verification-sources.js';

const SECRET = 'verification-sources-test-secret-0123456789';
const PERSON = makeResidentId('371402', '1950-02-02', 61, 'female');

let store: Connection;
let server: Server;
let baseUrl: string;
const seen: Array<{ headers: IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  store = await mongoose
    .createConnection(inject('stack').mongodbUri, { dbName: `af_vsources_${randomUUID().slice(0, 8)}` })
    .asPromise();
  await store.db!.collection<Record<string, unknown> & { _id: string }>('subjects').insertOne({
    _id: 'p_civil',
    subjectKey: 'p_civil',
    kind: 'person',
    idNumber: PERSON,
  });
  // The civil affairs bureau's verification service: the person receives the minimum living allowance.
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      seen.push({ headers: req.headers, body: raw });
      const request = JSON.parse(raw) as { subject: { idNumber: string }; fields: string[] };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          request.subject.idNumber === PERSON
            ? { found: true, values: { minimumLivingAllowance: true, specialHardship: false, secret: 'dropped' } }
            : { found: false },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await store?.dropDatabase();
  await store?.close();
});

const env = (sources: unknown, mode = 'development') => ({
  APPLYFREE_MODE: mode,
  APPLYFREE_SUBJECT_KEY_SECRET: SECRET,
  APPLYFREE_VERIFICATION_SOURCES: typeof sources === 'string' ? sources : JSON.stringify(sources),
});

describe('APPLYFREE_VERIFICATION_SOURCES', () => {
  it('reads a policy’s facts from the configured department’s service, signed with its derived key', async () => {
    const config = loadServerConfig(
      env({ 'civil-affairs': { url: baseUrl, department: 'civil-affairs', client: 'applyfree-dezhou', retries: 0 } }),
    );
    expect(config.verificationSources).toEqual([
      {
        source: 'civil-affairs',
        url: baseUrl,
        department: 'civil-affairs',
        client: 'applyfree-dezhou',
        timeoutMs: 3000,
        retries: 0,
      },
    ]);
    const adapters = createAdapterRegistry({
      connection: store,
      http: httpSourceConfigs(config.verificationSources, {
        subjectKeySecret: config.keys.subjectKeySecret,
        development: config.mode === 'development',
      }),
    });
    const fetchFacts = makeFetchFacts({ connection: store, adapters });
    const purpose = '困难群众认定';
    const result = await fetchFacts({
      caseId: 'case-http',
      subjectKey: 'p_civil',
      policyId: 'hardship-test',
      policyVersion: 1,
      facts: {
        'person.minimumLivingAllowance': { source: 'civil-affairs', purpose },
        'person.specialHardship': { source: 'civil-affairs', purpose },
      },
      idempotencyKey: 'http-1',
    });
    expect(result.values).toEqual({ 'person.minimumLivingAllowance': true, 'person.specialHardship': false });
    expect(result.failedSources).toEqual([]);

    // One call, to the department's service, signed as applyfree with the key derived for civil affairs.
    expect(seen).toHaveLength(1);
    expect(seen[0].headers['x-applyfree-client']).toBe('applyfree-dezhou');
    const key = deriveKey(SECRET, 'departmentCredential', 'civil-affairs');
    expect(verifySignedBody(key, String(seen[0].headers['x-applyfree-signature']), seen[0].body)).toBe(true);
    expect(
      verifySignedBody(
        deriveKey(SECRET, 'departmentCredential', 'tax'),
        String(seen[0].headers['x-applyfree-signature']),
        seen[0].body,
      ),
    ).toBe(false);
    // The pull is access-logged as any other.
    expect(await registerAccessRecordModel(store).findOne({ _id: 'http-1:civil-affairs' }).lean()).toMatchObject({
      source: 'civil-affairs',
      outcome: 'answered',
      purposes: [purpose],
    });
    // A source not configured is still read from the platform's collection.
    expect(adapters.circuitState('household-registry')).toBeUndefined();
    expect(adapters.circuitState('civil-affairs')).toBe('closed');
  });

  it('stops at start-up on a source the catalog does not know, a bad entry, or plain http in production', () => {
    expect(() => loadServerConfig(env({ 'no-such-source': { url: baseUrl } }))).toThrow(
      /APPLYFREE_VERIFICATION_SOURCES: no-such-source is not a source of the data catalog/,
    );
    expect(() => loadServerConfig(env('not json'))).toThrow(/APPLYFREE_VERIFICATION_SOURCES/);
    expect(() => loadServerConfig(env({ 'civil-affairs': { url: baseUrl, department: 'Civil Affairs' } }))).toThrow(
      /civil-affairs.department/,
    );
    expect(() =>
      loadServerConfig({ ...env({ 'civil-affairs': { url: 'http://mz.example.gov.cn' } }, 'production') }),
    ).toThrow(/civil-affairs.url/);
    expect(loadServerConfig(env('')).verificationSources).toEqual([]);
  });
});
