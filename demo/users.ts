/** The demo's staff and citizen accounts, with their user IDs and tokens in a file for the CLI and the console. */
import type { Connection as StoreConnection } from 'mongoose';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueMachineToken, resolveSession, type SessionLimits } from '../store/sessions.js';
import { addUser, findUser, type Role, type User } from '../store/users.js';

/** One line of demo-users.json. */
export interface DemoUser {
  id: string;
  name: string;
  role: Role;
  department?: string;
  subjectKey?: string;
  token: string;
}

/**
 * The demo's people: policy officer (王芳), reviewer (李明), supervisor (周督查), inspector
 * (陈核查) and window staff (赵窗口, 政务服务中心), and — once the city is seeded — a citizen (张秀英) bound to one seeded resident's
 * subject key. Each is a user (store/users.ts) with a machine token (store/sessions.ts limits).
 * A person keeps their user ID across starts; a token that no longer opens anything (expired,
 * revoked, or the database reset) is replaced, and a role missing from an older file is added.
 * The file is readable by its owner only, for the CLI (APPLYFREE_TOKEN) and the console.
 */
export async function demoTokens(
  store: StoreConnection,
  stateDir: string,
  citizen?: { subjectKey: string },
  limits?: SessionLimits,
): Promise<string> {
  const file = join(stateDir, 'demo-users.json');
  const people: Array<Omit<DemoUser, 'id' | 'token'>> = [
    { name: '王芳', role: 'officer', department: '市民政局' },
    { name: '李明', role: 'reviewer', department: '市民政局' },
    { name: '周督查', role: 'supervisor', department: '市政务服务管理局' },
    { name: '陈核查', role: 'inspector', department: '市市场监督管理局' },
    { name: '赵窗口', role: 'window', department: '市政务服务管理局' },
    ...(citizen ? [{ name: '张秀英', role: 'citizen' as const, subjectKey: citizen.subjectKey }] : []),
  ];
  const known = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Array<Partial<DemoUser>>) : [];
  const users: DemoUser[] = [];
  let changed = false;
  for (const person of people) {
    const entry = known.find((candidate) => candidate.role === person.role);
    const sameSubject = person.role !== 'citizen' || entry?.subjectKey === person.subjectKey;
    if (entry?.id && entry.token && sameSubject) {
      const check = await resolveSession(store, entry.token, { limits });
      if ('actor' in check && check.actor.id === entry.id) {
        users.push(entry as DemoUser);
        continue;
      }
    }
    changed = true;
    // Their user if it is still there and active (a new token only), else a new user.
    const existing = entry?.id && sameSubject ? await findUser(store, entry.id) : undefined;
    const user =
      existing?.status === 'active' && existing.roles.includes(person.role)
        ? existing
        : await addUser(
            store,
            {
              name: person.name,
              roles: [person.role],
              ...(person.department ? { department: person.department } : {}),
              ...(person.subjectKey ? { subjectKey: person.subjectKey } : {}),
            },
            { origin: 'demo' },
          );
    users.push({
      id: user._id,
      name: user.name,
      role: person.role,
      ...(user.department ? { department: user.department } : {}),
      ...(user.subjectKey ? { subjectKey: user.subjectKey } : {}),
      token: await issueMachineToken(store, user._id, person.role, 'demo'),
    });
  }
  // A citizen seeded by an earlier start stays in the file until this start knows its own.
  const keptCitizen = citizen ? undefined : known.find((entry) => entry.role === 'citizen');
  if (keptCitizen?.token && keptCitizen.id && 'actor' in (await resolveSession(store, keptCitizen.token, { limits })))
    users.push(keptCitizen as DemoUser);
  else if (keptCitizen) changed = true;
  if (changed || users.length !== known.length) {
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(users, null, 2)}\n`, { mode: 0o600 });
  }
  return file;
}

/** The demo's officer and reviewer from demo-users.json (as demoTokens wrote it); undefined when either is missing. */
export function demoStaff(file: string): { officer: User; reviewer: User } | undefined {
  if (!existsSync(file)) return undefined;
  const users = JSON.parse(readFileSync(file, 'utf8')) as DemoUser[];
  const person = (role: Role): User | undefined => {
    const found = users.find((user) => user.role === role);
    return found
      ? { id: found.id, name: found.name, role, ...(found.department ? { department: found.department } : {}) }
      : undefined;
  };
  const officer = person('officer');
  const reviewer = person('reviewer');
  return officer && reviewer ? { officer, reviewer } : undefined;
}
