/**
 * `applyfree verifier` end to end, through the installed command (bin/applyfree.mjs) against the
 * test stack's database: `add` prints a key whose signed scans the API admits (a made-up code is
 * then TAMPERED, not a 401), `rotate` issues another while the first keeps working, `revoke` stops
 * one, `list` shows the matters and each key's status and never a secret; bad input is one line
 * naming the flag, exit 2, and nothing written.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import type { VerifierCredential } from '../domain/verifier-signature.js';
import { createSealKeeper } from '../services/certificates/seal-keeper.js';
import { fileSealKeyStore } from '../services/certificates/seal-keys.js';
import { createCertificateService } from '../services/certificates/service.js';
import { certificateWallet } from '../services/codes/wallet.js';
import { connectStore } from '../store/connection.js';
import { listVerifiers } from '../store/verifiers.js';
import { ALL_UP } from './support/all-up.js';
import { runInstalled } from './support/run-node.js';
import { scanSigned, testCodeApi } from './support/verifiers.js';

const stack = inject('stack');
const MASTER = 'the-verifier-cli-test-master-secret-of-45-ch';
const run = randomUUID().slice(0, 8);
const mongodbUri = stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_verifier_cli_${run}$1`);
const keyDir = mkdtempSync(join(tmpdir(), 'applyfree-verifier-cli-'));
let store: Connection;
let api: FastifyInstance;
let closeCodes: () => Promise<void>;

beforeAll(async () => {
  store = await connectStore(mongodbUri);
  const certificates = createCertificateService({
    store,
    seals: createSealKeeper({ store, keys: fileSealKeyStore(keyDir) }),
  });
  const codes = testCodeApi(stack.redisUrl, {
    store,
    keys: { subjectKeySecret: MASTER },
    wallet: certificateWallet(store, certificates),
  });
  closeCodes = codes.close;
  api = buildApi({ codes: codes.codes, health: ALL_UP });
});

afterAll(async () => {
  await api?.close();
  await closeCodes?.();
  await store?.dropDatabase();
  await store?.close();
  rmSync(keyDir, { recursive: true, force: true });
});

/** `applyfree verifier …` as a person types it, on this test's database and master secret. */
function verifier(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runInstalled(['verifier', ...args], {
    MONGODB_URI: mongodbUri,
    APPLYFREE_MODE: 'development',
    APPLYFREE_SUBJECT_KEY_SECRET: MASTER,
    CI: '1',
  });
}

/** What a scan signed with the credential answers: 400 TAMPERED for a made-up code once admitted, 401 otherwise. */
async function scanStatus(credential: VerifierCredential): Promise<number> {
  const madeUp = `AFC1.${'A'.repeat(26)}.${'B'.repeat(26)}`;
  return (await scanSigned(api, credential, { code: madeUp, matter: 'senior-concession' })).status;
}

const ADD = [
  'add',
  'peoples-park',
  '--name-zh',
  '人民公园',
  '--name-en',
  'People’s Park',
  '--kind',
  'outside',
  '--matters',
  'senior-concession',
];

describe('applyfree verifier', () => {
  let first: VerifierCredential;

  it('add registers the verifier and prints its first key once, whose signed scans the API admits', async () => {
    const { code, stdout, stderr } = await verifier(...ADD);
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toContain('verifier peoples-park registered');
    expect(stdout).toContain('senior-concession (老年人优待核验)');
    expect(stdout).toMatch(/shown once/);
    const secret = /^ {2}secret +(\S+)$/m.exec(stdout)?.[1];
    const keyId = /^ {2}x-applyfree-key +(\S+)$/m.exec(stdout)?.[1];
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    first = { verifier: 'peoples-park', keyId: keyId!, secret: secret! };
    expect(await scanStatus(first)).toBe(400);
    const [record] = await listVerifiers(store);
    expect(record).toMatchObject({ _id: 'peoples-park', kind: 'outside', matters: ['senior-concession'] });
    expect(JSON.stringify(record)).not.toContain(first.secret);
  });

  it('rotate prints a new key; both work until the old one is revoked; list shows their status, no secret', async () => {
    const rotated = await verifier('rotate', 'peoples-park', '--json');
    expect(rotated.code).toBe(0);
    const { credential: next } = JSON.parse(rotated.stdout) as { credential: VerifierCredential };
    expect(next.keyId).not.toBe(first.keyId);
    expect(await scanStatus(next)).toBe(400);
    expect(await scanStatus(first)).toBe(400);

    const revoked = await verifier('revoke', 'peoples-park', '--key', first.keyId);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`key ${first.keyId} of peoples-park revoked`);
    expect(await scanStatus(first)).toBe(401);
    expect(await scanStatus(next)).toBe(400);

    const listed = await verifier('list');
    expect(listed.stdout).toContain('peoples-park · 人民公园 · People’s Park · outside party · 1 active key');
    expect(listed.stdout).toContain(`key ${first.keyId} revoked`);
    expect(listed.stdout).not.toContain(next.secret);
    expect(listed.stdout).not.toMatch(/[0-9a-f]{64}/);
  }, 120_000);

  it.each([
    ['a matter that is not one', ['--matters', 'everything'], '--matters: "everything" is not a matter'],
    ['a department’s verifier without its department', ['--kind', 'department'], '--department:'],
    ['an unknown flag', ['--sources', 'x'], '--sources: not a flag of add'],
  ])('refuses %s in one line naming the flag, exit 2, writing nothing', async (_what, change, message) => {
    const args = ['add', 'another-park', ...ADD.slice(2)];
    const at = args.indexOf(change[0]);
    if (at >= 0) args[at + 1] = change[1];
    else args.push(...change);
    const { code, stderr } = await verifier(...args);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`applyfree verifier: ${message}`);
    expect((await listVerifiers(store)).map((record) => record._id)).toEqual(['peoples-park']);
  });
});
