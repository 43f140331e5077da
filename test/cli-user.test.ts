/**
 * `applyfree user` end to end, through the installed command (bin/applyfree.mjs) against the
 * test stack's database: `add` makes a user with a stable ID and prints a token per role once,
 * which the API then knows as that user in that role; a citizen is bound to their subject through
 * the key ring, never by the raw ID; `rotate-token` ends every earlier token at its next request;
 * `disable` ends the user; `list` never shows a token. Bad input is one line naming the flag, exit
 * 2, and nothing written; an unknown or disabled user is exit 1.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { makeResidentId } from '../domain/identity.js';
import { subjectKey } from '../domain/pseudonym.js';
import { createSessionService } from '../services/identity/sessions.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { connectStore } from '../store/connection.js';
import { listUsers } from '../store/users.js';
import { ALL_UP } from './support/all-up.js';
import { runInstalled } from './support/run-node.js';

const stack = inject('stack');
const MASTER = 'the-user-cli-test-master-secret-of-at-least-32-chars';
const mongodbUri = stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_user_cli_${randomUUID().slice(0, 8)}$1`);
let store: Connection;
let api: FastifyInstance;

beforeAll(async () => {
  store = await connectStore(mongodbUri);
  api = buildApi({
    sessions: createSessionService({ store }),
    policies: { lifecycle: createPolicyLifecycle(store) },
    console: true,
    health: ALL_UP,
  });
  await api.ready();
});

afterAll(async () => {
  await api?.close();
  await store?.dropDatabase();
  await store?.close();
});

/** `applyfree user …` as a person types it, on this test's database and master secret. */
function user(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runInstalled(['user', ...args], {
    MONGODB_URI: mongodbUri,
    APPLYFREE_MODE: 'development',
    APPLYFREE_SUBJECT_KEY_SECRET: MASTER,
    CI: '1',
  });
}

/** Who the API says a token is: 200 with the person, or the refusal. */
async function whoami(token: string) {
  const response = await api.inject({
    method: 'GET',
    url: '/console/session',
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.statusCode, body: response.json<Record<string, string>>() };
}

interface Added {
  user: { id: string; name: string; roles: string[]; department?: string; subjectKey?: string; status: string };
  tokens: Array<{ role: string; token: string }>;
}

let officer: Added;

describe('applyfree user add', () => {
  it('adds a user with a stable ID and prints one token per role, once, which the API knows', async () => {
    const added = await user('add', '--name', '钱伟', '--role', 'officer,reviewer', '--department', '市民政局');
    expect([added.code, added.stderr]).toEqual([0, '']);
    expect(added.stdout).toMatch(
      /^user added · 用户已添加: u_[a-z2-7]{16} · 钱伟 · officer,reviewer · 市民政局 · active/,
    );
    expect(added.stdout).toMatch(/officer\s+af_[\w-]+\n\s+reviewer\s+af_[\w-]+/);

    const json = await user('add', '--name', '王芳', '--role', 'officer', '--department', '市卫生健康委', '--json');
    officer = JSON.parse(json.stdout) as Added;
    expect(officer.user).toMatchObject({
      name: '王芳',
      roles: ['officer'],
      department: '市卫生健康委',
      status: 'active',
    });
    expect(officer.tokens.map((t) => t.role)).toEqual(['officer']);
    expect(await whoami(officer.tokens[0].token)).toEqual({
      status: 200,
      body: expect.objectContaining({ id: officer.user.id, name: '王芳', role: 'officer' }),
    });
    // The reviewer's token of the first user is that same user, acting as a reviewer.
    const [, reviewerToken] = [...added.stdout.matchAll(/af_[\w-]+/g)].map((m) => m[0]);
    const id = /u_[a-z2-7]{16}/.exec(added.stdout)![0];
    expect((await whoami(reviewerToken)).body).toMatchObject({ id, role: 'reviewer' });
  });

  it('binds a citizen to their subject through the key ring, never keeping or printing the resident ID', async () => {
    const residentId = makeResidentId('371402', '1961-05-01', 3, 'female');
    const added = await user('add', '--name', '张秀英', '--role', 'citizen', '--resident-id', residentId, '--json');
    expect(added.code).toBe(0);
    const { user: citizen, tokens } = JSON.parse(added.stdout) as Added;
    expect(citizen.subjectKey).toBe(subjectKey('person', residentId, MASTER));
    expect(added.stdout).not.toContain(residentId);
    expect((await whoami(tokens[0].token)).body).toMatchObject({ id: citizen.id, role: 'citizen' });
    expect(JSON.stringify(await listUsers(store))).not.toContain(residentId);
  });

  const staffId = makeResidentId('371402', '1961-05-01', 3, 'female');
  it.each([
    ['no name', ['--role', 'officer', '--department', 'x'], '--name: required'],
    [
      'staff without a department',
      ['--name', '王芳', '--role', 'officer'],
      '--department: staff belong to a department',
    ],
    ['an unknown role', ['--name', '王芳', '--role', 'boss', '--department', 'x'], '--role: unknown role "boss"'],
    [
      'a malformed resident ID',
      ['--name', '王芳', '--role', 'citizen', '--resident-id', 'x'],
      '--resident-id: Invalid resident ID',
    ],
    [
      'a citizen without a resident ID',
      ['--name', '王芳', '--role', 'citizen'],
      '--resident-id: a citizen is bound to their resident ID',
    ],
    [
      'a resident ID for staff',
      ['--name', '王芳', '--role', 'officer', '--department', 'x', '--resident-id', staffId],
      '--resident-id: only a citizen is bound to a subject',
    ],
    [
      'a provider subject without a provider',
      ['--name', '王芳', '--role', 'officer', '--department', 'x', '--oidc-subject', 'staff-1'],
      '--oidc-subject: APPLYFREE_OIDC_ISSUER is not set',
    ],
    [
      'an unknown flag',
      ['--name', '王芳', '--role', 'officer', '--department', 'x', '--colour', 'red'],
      '--colour: not a flag of add',
    ],
  ])('refuses %s in one line naming the flag, exit 2, writing nothing', async (_case, args, message) => {
    const before = (await listUsers(store)).length;
    const refused = await user('add', ...args);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toEqual([expect.stringContaining(`applyfree user: ${message}`)]);
    expect((await listUsers(store)).length).toBe(before);
  });
});

describe('applyfree user rotate-token, disable and list', () => {
  it('rotates: every earlier token is refused at its next request, the new one works', async () => {
    const old = officer.tokens[0].token;
    const rotated = await user('rotate-token', officer.user.id, '--json');
    expect(rotated.code).toBe(0);
    const { tokens } = JSON.parse(rotated.stdout) as Added;
    expect((await whoami(old)).body).toMatchObject({ code: 'SESSION_EXPIRED' });
    expect((await whoami(tokens[0].token)).body).toMatchObject({ id: officer.user.id, role: 'officer' });
    officer.tokens = tokens;
    const wrongRole = await user('rotate-token', officer.user.id, '--role', 'reviewer');
    expect([wrongRole.code, wrongRole.stderr.trim()]).toEqual([
      1,
      `applyfree user: user ${officer.user.id} does not hold the role reviewer`,
    ]);
  });

  it('disables: the user’s tokens are refused, no new one is issued, and list says so', async () => {
    const disabled = await user('disable', officer.user.id);
    expect(disabled.code).toBe(0);
    expect(disabled.stdout).toContain('user disabled · 用户已停用');
    expect((await whoami(officer.tokens[0].token)).body).toMatchObject({
      code: 'SESSION_EXPIRED',
      message: 'this user is disabled',
    });
    const again = await user('rotate-token', officer.user.id);
    expect([again.code, again.stderr.trim()]).toEqual([
      1,
      `applyfree user: user ${officer.user.id} is disabled: no token is issued for them`,
    ]);
    const listed = await user('list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${officer.user.id} · 王芳 · officer · 市卫生健康委 · disabled 已停用`));
    expect(listed.stdout).toMatch(/钱伟 · officer,reviewer · 市民政局 · active 在岗/);
    expect(listed.stdout).not.toContain('af_');
    expect((await user('list', '--json')).stdout).not.toContain('af_');
  });

  it('names an unknown user (exit 1) and a malformed ID (exit 2)', async () => {
    const unknown = await user('disable', 'u_aaaaaaaaaaaaaaaa');
    expect([unknown.code, unknown.stderr.trim()]).toEqual([1, 'applyfree user: no user u_aaaaaaaaaaaaaaaa']);
    const malformed = await user('disable', '王芳');
    expect([malformed.code, malformed.stderr.trim()]).toEqual([
      2,
      'applyfree user: disable: "王芳" is not a user ID (u_ and 16 letters or digits)',
    ]);
  });
});
