/**
 * The demo's people (demo/users.ts) as `npm start` issues them: each a user with an ID and a
 * machine token in <state>/demo-users.json (readable by its owner only), the same people and
 * tokens at the next start, the same user with a new token once theirs no longer opens anything,
 * and the citizen added once the city is seeded.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { demoTokens, type DemoUser } from '../demo/users.js';
import { connectStore } from '../store/connection.js';
import { resolveSession } from '../store/sessions.js';
import { revokeUserSessions } from '../store/users.js';

const stack = inject('stack');
const stateDir = mkdtempSync(join(tmpdir(), 'applyfree-demo-users-'));
let store: Connection;

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_demo_users_${randomUUID().slice(0, 8)}$1`),
  );
});

afterAll(async () => {
  rmSync(stateDir, { recursive: true, force: true });
  await store?.dropDatabase();
  await store?.close();
});

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as DemoUser[];

describe('the demo’s people', () => {
  it('are users with IDs and working tokens, kept across starts, in a file only the owner reads', async () => {
    const file = await demoTokens(store, stateDir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const first = read(file);
    expect(first.map((u) => [u.name, u.role])).toEqual([
      ['王芳', 'officer'],
      ['李明', 'reviewer'],
      ['周督查', 'supervisor'],
      ['陈核查', 'inspector'],
      ['赵窗口', 'window'],
    ]);
    for (const person of first) {
      expect(person.id).toMatch(/^u_[a-z2-7]{16}$/);
      expect(await resolveSession(store, person.token)).toMatchObject({
        actor: { id: person.id, name: person.name, role: person.role },
      });
    }
    await demoTokens(store, stateDir);
    expect(read(file)).toEqual(first);
  });

  it('keeps a person’s user ID and gives them a new token once theirs is revoked', async () => {
    const file = join(stateDir, 'demo-users.json');
    const before = read(file);
    const officer = before.find((u) => u.role === 'officer')!;
    await revokeUserSessions(store, officer.id);
    await demoTokens(store, stateDir);
    const after = read(file).find((u) => u.role === 'officer')!;
    expect(after.id).toBe(officer.id);
    expect(after.token).not.toBe(officer.token);
    expect('actor' in (await resolveSession(store, after.token))).toBe(true);
    expect(read(file).filter((u) => u.role !== 'officer')).toEqual(before.filter((u) => u.role !== 'officer'));
  });

  it('adds the citizen, bound to the seeded resident’s subject key, once the city is seeded', async () => {
    const subjectKey = `p_${'c'.repeat(26)}`;
    const file = await demoTokens(store, stateDir, { subjectKey });
    const citizen = read(file).find((u) => u.role === 'citizen')!;
    expect(citizen).toMatchObject({ name: '张秀英', subjectKey });
    expect(await resolveSession(store, citizen.token)).toMatchObject({
      actor: { id: citizen.id, role: 'citizen', subjectKey },
    });
    // A start before the city is seeded again keeps the citizen it already has.
    await demoTokens(store, stateDir);
    expect(read(file).find((u) => u.role === 'citizen')).toEqual(citizen);
  });
});
