/**
 * `applyfree user add|disable|rotate-token|list`: the people who use applyfree (store/users.ts)
 * and their machine tokens (store/sessions.ts). A process command run on a server host: it writes
 * the store directly, and binds a citizen to their subject by resident ID or credit code through
 * the server's key ring. A token is printed once and only its SHA-256 is stored. Uses MONGODB_URI,
 * or the embedded database that `npm start` or `npm run stack -- up` keep running. Exit codes: 0
 * done, 1 refused or failed (an unknown user, a taken identity), 2 bad input (one line naming the
 * flag; nothing is written: workers/user-command.ts checks the input first). The usage is
 * bin/applyfree.mjs's.
 */
import type { Connection } from 'mongoose';
import type { Role } from '../domain/roles.js';
import { issueMachineToken } from '../store/sessions.js';
import { resolveSubjectKey } from '../store/subjects.js';
import { identitiesOf, linkIdentity, userOfIdentity } from '../store/user-identities.js';
import {
  addUser,
  findUser,
  listUsers,
  revokeUserSessions,
  UserRegisterError,
  type UserRecord,
} from '../store/users.js';
import { InputError } from './command-flags.js';
import { parseUserCommand, type UserCommand } from './user-command.js';
import type { ServerConfig } from './config.js';
import { serverConfigOrExit } from './processing.js';
import { exitWhenDone, openCommandStore } from './server-command.js';

const NAME = 'applyfree user';

/** A user as `list` and the answers print them (never a token). */
function userLine(user: UserRecord, identities: string[] = []): string {
  const parts = [
    user._id,
    user.name,
    user.roles.join(','),
    ...(user.department ? [user.department] : []),
    ...(user.subjectKey ? [`subject ${user.subjectKey}`] : []),
    user.status === 'active' ? 'active 在岗' : `disabled 已停用 ${user.disabledAt?.toISOString() ?? ''}`.trim(),
    ...identities.map((identity) => `signs in as ${identity}`),
  ];
  return parts.join(' · ');
}

const userJson = (user: UserRecord, identities: string[] = []) => ({
  id: user._id,
  name: user.name,
  roles: user.roles,
  ...(user.department ? { department: user.department } : {}),
  ...(user.subjectKey ? { subjectKey: user.subjectKey } : {}),
  status: user.status,
  origin: user.origin,
  createdAt: user.createdAt,
  ...(user.disabledAt ? { disabledAt: user.disabledAt } : {}),
  identities,
});

/** New machine tokens, one per role asked, each printed once. */
async function tokensFor(store: Connection, user: UserRecord, roles: readonly Role[]) {
  const tokens: Array<{ role: Role; token: string }> = [];
  for (const role of roles) tokens.push({ role, token: await issueMachineToken(store, user._id, role, 'cli') });
  return tokens;
}

const tokenLines = (tokens: Array<{ role: Role; token: string }>, config: ServerConfig) =>
  tokens.length === 0
    ? []
    : [
        `token${tokens.length > 1 ? 's' : ''} — shown once: hand over securely · 令牌仅显示一次，请安全交付`,
        ...tokens.map(({ role, token }) => `  ${role.padEnd(10)} ${token}`),
        `  valid ${config.sessions.machine.idleMs / 86_400_000} days unused, ${config.sessions.machine.absoluteMs / 86_400_000} days at most (APPLYFREE_TOKEN_IDLE_DAYS, APPLYFREE_TOKEN_ABSOLUTE_DAYS)`,
      ];

async function run(command: UserCommand, store: Connection, config: ServerConfig, json: boolean): Promise<void> {
  const print = (human: string[], data: unknown) =>
    console.log(json ? JSON.stringify(data, null, 2) : human.join('\n'));
  switch (command.name) {
    case 'add': {
      let spec = command.spec;
      if (command.subject) {
        const { kind } = command.subject;
        const id = kind === 'person' ? command.subject.residentId : command.subject.creditCode;
        spec = { ...spec, subjectKey: await resolveSubjectKey(store, config.keys, kind, id) };
      }
      // A subject already linked is refused before anything is written.
      const linked =
        command.oidcSubject && config.oidc
          ? await userOfIdentity(store, config.oidc.issuer, command.oidcSubject)
          : undefined;
      if (linked)
        throw new UserRegisterError(
          'IDENTITY_TAKEN',
          `--oidc-subject: ${command.oidcSubject} already signs in as ${linked._id} (${linked.name})`,
          'subject',
        );
      const user = await addUser(store, spec, { origin: 'cli' });
      const identities: string[] = [];
      if (command.oidcSubject && config.oidc) {
        await linkIdentity(store, config.oidc.issuer, command.oidcSubject, user._id);
        identities.push(`${command.oidcSubject} at ${config.oidc.issuer}`);
      }
      const tokens = command.token ? await tokensFor(store, user, user.roles) : [];
      print([`user added · 用户已添加: ${userLine(user, identities)}`, ...tokenLines(tokens, config)], {
        user: userJson(user, identities),
        tokens,
      });
      return;
    }
    case 'disable': {
      const user = await revokeUserSessions(store, command.id, { disable: true });
      print(
        [
          `user disabled · 用户已停用: ${userLine(user)}`,
          'every session and token of theirs is refused from the next request · 其全部会话和令牌自下次请求起失效',
        ],
        { user: userJson(user) },
      );
      return;
    }
    case 'rotate-token': {
      const current = await findUser(store, command.id);
      if (!current) throw new UserRegisterError('UNKNOWN_USER', `no user ${command.id}`, 'id');
      if (current.status !== 'active')
        throw new UserRegisterError(
          'USER_DISABLED',
          `user ${command.id} is disabled: no token is issued for them`,
          'id',
        );
      if (command.role && !current.roles.includes(command.role))
        throw new UserRegisterError(
          'ROLE_NOT_HELD',
          `user ${command.id} does not hold the role ${command.role}`,
          'role',
        );
      const user = await revokeUserSessions(store, command.id);
      const tokens = await tokensFor(store, user, command.role ? [command.role] : user.roles);
      print(
        [
          `every earlier session and token of ${user._id} is revoked · 旧令牌和会话已全部吊销`,
          ...tokenLines(tokens, config),
        ],
        { user: userJson(user), tokens },
      );
      return;
    }
    case 'list': {
      const users = await listUsers(store);
      const links = await identitiesOf(
        store,
        users.map((user) => user._id),
      );
      const identitiesOfUser = (id: string) =>
        links.filter((link) => link.userId === id).map((link) => `${link.subject} at ${link.issuer}`);
      print(
        users.length === 0
          ? ['no user yet · 尚无用户 (applyfree user add)']
          : users.map((user) => userLine(user, identitiesOfUser(user._id))),
        { users: users.map((user) => userJson(user, identitiesOfUser(user._id))) },
      );
    }
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const json = argv.includes('--json');
  let command: UserCommand;
  try {
    command = parseUserCommand(argv.filter((arg) => arg !== '--json'));
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    console.error(`${NAME}: ${error.message}`);
    return 2;
  }
  const config = serverConfigOrExit(NAME);
  if (command.name === 'add' && command.oidcSubject && !config.oidc) {
    console.error(`${NAME}: --oidc-subject: APPLYFREE_OIDC_ISSUER is not set, so there is no provider to link it to`);
    return 2;
  }
  const store = await openCommandStore(NAME, config.mongodbUri);
  if (!store) return 1;
  try {
    await run(command, store, config, json);
    return 0;
  } catch (error) {
    if (!(error instanceof UserRegisterError)) throw error;
    console.error(`${NAME}: ${error.message}`);
    return 1;
  } finally {
    await store.close();
  }
}

exitWhenDone(NAME, main);
