/**
 * `applyfree department` end to end, through the installed command (bin/applyfree.mjs) against
 * the test stack's database: `add` prints a key that signs requests the API accepts, `rotate`
 * issues another while the first keeps working, `revoke` stops one, `list` shows their status
 * and never a secret; bad input is one line naming the flag, exit 2, and nothing written.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { addDays, cityToday } from '../domain/calendar.js';
import type { DepartmentCredential } from '../domain/department-signature.js';
import { makeResidentId } from '../domain/identity.js';
import { connectStore } from '../store/connection.js';
import { listDepartments } from '../store/departments.js';
import { ALL_UP } from './support/all-up.js';
import { postSigned, testEventApi } from './support/departments.js';
import { runInstalled } from './support/run-node.js';
import { connectClient } from './support/temporal.js';

const stack = inject('stack');
const MASTER = 'the-department-cli-test-master-secret-of-47-chars';
const run = randomUUID().slice(0, 8);
const mongodbUri = stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_department_cli_${run}$1`);
const today = cityToday();
let store: Connection;
let temporal: Client;
let api: FastifyInstance;
let closeEvents: () => Promise<void>;
const started: string[] = [];

beforeAll(async () => {
  store = await connectStore(mongodbUri);
  temporal = await connectClient(stack.temporalAddress, stack.temporalNamespace);
  const events = testEventApi(stack.redisUrl, {
    store,
    temporal,
    taskQueue: `department-cli-${run}`,
    subjectKeySecret: MASTER,
    today: () => today,
  });
  closeEvents = events.close;
  api = buildApi({ events: events.events, health: ALL_UP });
});

afterAll(async () => {
  await api?.close();
  await closeEvents?.();
  for (const caseId of started)
    await temporal?.workflow
      .getHandle(caseId)
      .terminate('test over')
      .catch(() => undefined);
  await temporal?.connection.close();
  await store?.dropDatabase();
  await store?.close();
});

/** `applyfree department …` as a person types it, on this test's database and master secret. */
function department(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runInstalled(['department', ...args], {
    MONGODB_URI: mongodbUri,
    APPLYFREE_MODE: 'development',
    APPLYFREE_SUBJECT_KEY_SECRET: MASTER,
    CI: '1',
  });
}

let sequence = 0;
/** A signed birth from the household registry: the status the API answers. */
async function publish(credential: DepartmentCredential): Promise<number> {
  const born = addDays(today, -4);
  const answer = await postSigned(api, credential, {
    sourceEventId: `GA-HJ-cli-${run}-${++sequence}`,
    source: 'household-registry',
    type: 'birth.registered',
    occurredOn: addDays(today, -1),
    subject: { residentId: makeResidentId('371402', born, 300 + sequence, 'male') },
    payload: { birthDate: born },
  });
  if (answer.status === 202) started.push(String(answer.json.caseId));
  return answer.status;
}

const ADD = [
  'add',
  'public-security-household',
  '--name-zh',
  '市公安局户政',
  '--name-en',
  'Public Security household registration',
  '--sources',
  'household-registry',
  '--event-types',
  'birth.registered,death.registered',
  '--backdating-days',
  '30',
];

describe('applyfree department', () => {
  let first: DepartmentCredential;

  it('add registers the department and prints its first key once, which signs requests the API accepts', async () => {
    const { code, stdout, stderr } = await department(...ADD);
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toContain('department public-security-household registered');
    expect(stdout).toMatch(/shown once/);
    const secret = /^ {2}secret +(\S+)$/m.exec(stdout)?.[1];
    const keyId = /^ {2}x-applyfree-key +(\S+)$/m.exec(stdout)?.[1];
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    first = { department: 'public-security-household', keyId: keyId!, secret: secret! };
    expect(await publish(first)).toBe(202);

    // The register holds the key's fingerprint, never its secret.
    const [record] = await listDepartments(store);
    expect(record).toMatchObject({
      _id: 'public-security-household',
      sources: ['household-registry'],
      eventTypes: ['birth.registered', 'death.registered'],
      backdatingDays: 30,
    });
    expect(JSON.stringify(record)).not.toContain(first.secret);
  });

  it('rotate prints a new key; both work until the old one is revoked; list shows their status, no secret', async () => {
    const rotated = await department('rotate', 'public-security-household', '--grace-days', '3', '--json');
    expect(rotated.code).toBe(0);
    const { credential: next, graceUntil } = JSON.parse(rotated.stdout) as {
      credential: DepartmentCredential;
      graceUntil: string;
    };
    expect(next.keyId).not.toBe(first.keyId);
    expect(Date.parse(graceUntil) - Date.now()).toBeGreaterThan(2.9 * 86_400_000);
    expect(await publish(next)).toBe(202);
    expect(await publish(first)).toBe(202);

    const revoked = await department('revoke', 'public-security-household', '--key', first.keyId);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`key ${first.keyId} of public-security-household revoked`);
    expect(await publish(first)).toBe(401);
    expect(await publish(next)).toBe(202);

    const listed = await department('list', '--json');
    expect(listed.code).toBe(0);
    const { departments } = JSON.parse(listed.stdout) as {
      departments: Array<{ id: string; keys: Array<{ keyId: string; status: string }> }>;
    };
    expect(departments.map((d) => [d.id, d.keys.map((key) => [key.keyId, key.status])])).toEqual([
      [
        'public-security-household',
        [
          [first.keyId, 'revoked'],
          [next.keyId, 'active'],
        ],
      ],
    ]);
    const human = await department('list');
    expect(human.stdout).toContain(`key ${first.keyId} revoked`);
    for (const output of [listed.stdout, human.stdout]) {
      expect(output).not.toContain(next.secret);
      expect(output).not.toMatch(/fingerprint|[0-9a-f]{64}/);
    }

    expect((await department('revoke', 'public-security-household', '--all')).code).toBe(0);
    expect(await publish(next)).toBe(401);
  }, 120_000);

  it('refuses a second department claiming the same source, and changes to a department that is not registered (exit 1)', async () => {
    const taken = await department(
      ...ADD.map((arg) => (arg === 'public-security-household' ? 'health-commission' : arg)),
    );
    expect(taken.code).toBe(1);
    expect(taken.stderr.trim()).toBe(
      'applyfree department: source "household-registry" belongs to department public-security-household',
    );
    const unknown = await department('rotate', 'no-such-department');
    expect([unknown.code, unknown.stderr.trim()]).toEqual([
      1,
      'applyfree department: department no-such-department is not registered',
    ]);
    expect((await listDepartments(store)).map((record) => record._id)).toEqual(['public-security-household']);
  });

  /** `add` for another department, with one flag changed (or added). */
  const addWith = (id: string, flag?: string, value?: string) => {
    const args = ['add', id, ...ADD.slice(2)];
    if (!flag) return args;
    const at = args.indexOf(flag);
    if (at >= 0) args[at + 1] = value!;
    else args.push(flag, value!);
    return args;
  };

  it.each([
    ['an event type not in the catalog', addWith('civil-affairs', '--event-types', 'birth.registerd'), '--event-types'],
    ['a source that is not one', addWith('civil-affairs', '--sources', 'Civil Affairs'), '--sources'],
    [
      'a window that is not a number of days',
      addWith('civil-affairs', '--backdating-days', 'thirty'),
      '--backdating-days',
    ],
    ['an ID that is not kebab-case', addWith('Civil_Affairs'), 'department ID'],
    ['a flag add does not have', addWith('civil-affairs', '--grace-days', '3'), '--grace-days'],
  ])('add with %s: one line naming it, exit 2, nothing written', async (_what, args, named) => {
    const { code, stdout, stderr } = await department(...args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^applyfree department: ${named}: `))]);
    expect((await listDepartments(store)).map((record) => record._id)).toEqual(['public-security-household']);
  });

  it('revoke without --key or --all, and rotate with a grace period too long, are usage errors (exit 2)', async () => {
    expect(await department('revoke', 'public-security-household')).toMatchObject({
      code: 2,
      stderr: 'applyfree department: --key: give --key <key ID> or --all\n',
    });
    expect(await department('rotate', 'public-security-household', '--grace-days', '365')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^applyfree department: --grace-days: expected a whole number of days 0-90/),
    });
  });
});
