/** The demo's staff and citizen accounts, with their tokens in a file for the CLI and the console. */
import type { Connection as StoreConnection } from 'mongoose';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueToken, userOfToken, type Role } from '../store/users.js';

/**
 * The demo's people: policy officer (王芳), reviewer (李明), supervisor (周督查) and inspector
 * (陈核查), and — once the city is seeded — a citizen (张秀英) bound to one seeded resident's
 * subject key. Tokens are issued once per state directory (a role missing from an older file is
 * added) and kept in a file only the owner can read, for the CLI (APPLYFREE_TOKEN) and the console.
 */
export async function demoTokens(
  store: StoreConnection,
  stateDir: string,
  citizen?: { subjectKey: string },
): Promise<string> {
  const file = join(stateDir, 'demo-users.json');
  const people: Array<{ name: string; role: Role; subjectKey?: string }> = [
    { name: '王芳', role: 'officer' },
    { name: '李明', role: 'reviewer' },
    { name: '周督查', role: 'supervisor' },
    { name: '陈核查', role: 'inspector' },
    ...(citizen ? [{ name: '张秀英', role: 'citizen' as const, subjectKey: citizen.subjectKey }] : []),
  ];
  const known = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Array<{
        name: string;
        role: Role;
        token: string;
        subjectKey?: string;
      }>)
    : [];
  const valid = (
    await Promise.all(known.map(async (entry) => ((await userOfToken(store, entry.token)) ? entry : undefined)))
  ).filter((entry) => entry !== undefined);
  const missing = people.filter((person) => !valid.some((entry) => entry.role === person.role));
  if (missing.length > 0 || valid.length !== known.length) {
    const users = [...valid];
    for (const person of missing)
      users.push({
        ...person,
        token: await issueToken(
          store,
          person.name,
          person.role,
          person.subjectKey ? { subjectKey: person.subjectKey } : {},
        ),
      });
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(users, null, 2)}\n`, { mode: 0o600 });
  }
  return file;
}
