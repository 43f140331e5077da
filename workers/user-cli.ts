/**
 * `applyfree user add|disable|rotate-token|list`: the people who use applyfree (store/users.ts)
 * and their machine tokens (store/sessions.ts). A process command run on a server host: it writes
 * the store directly, and binds a citizen to their subject by resident ID or credit code through
 * the server's key ring. A token is printed once and only its SHA-256 is stored. Uses MONGODB_URI,
 * or the embedded database that `npm start` or `npm run stack -- up` keep running. Exit codes: 0
 * done, 1 refused or failed (an unknown user, a taken identity), 2 bad input (one line naming the
 * flag; nothing is written). The usage is bin/applyfree.mjs's.
 */
import type { Connection } from 'mongoose';
import { IdentityError, validateCreditCode, validateResidentId } from '../domain/identity.js';
import { ROLES, type Role } from '../domain/roles.js';
import { DEV_PORTS } from '../infra/stack.js';
import { connectStore } from '../store/connection.js';
import { issueMachineToken } from '../store/sessions.js';
import { resolveSubjectKey } from '../store/subjects.js';
import {
  addUser,
  findUser,
  identitiesOf,
  linkIdentity,
  listUsers,
  revokeUserSessions,
  UserRegisterError,
  UserSpecError,
  userOfIdentity,
  USER_ID_PATTERN,
  validateUserSpec,
  type UserRecord,
  type UserSpec,
} from '../store/users.js';
import { redactUrl, type ServerConfig } from './config.js';
import { serverConfigOrExit } from './processing.js';

const NAME = 'applyfree user';

/** Bad input: one line naming the flag, exit 2. */
class InputError extends Error {}

type Subject = { kind: 'person'; residentId: string } | { kind: 'enterprise'; creditCode: string };

type Command =
  | { name: 'add'; spec: UserSpec; subject?: Subject; oidcSubject?: string; token: boolean }
  | { name: 'disable'; id: string }
  | { name: 'rotate-token'; id: string; role?: Role }
  | { name: 'list' };

const COMMANDS = ['add', 'disable', 'rotate-token', 'list'] as const;
const FLAGS: Record<Command['name'], readonly string[]> = {
  add: ['--name', '--role', '--department', '--resident-id', '--credit-code', '--oidc-subject', '--no-token'],
  disable: [],
  'rotate-token': ['--role'],
  list: [],
};
const SWITCHES = new Set(['--no-token']);

/** Flags as given (`--flag value` or `--flag=value`; switches take none), and the positional arguments. */
function readFlags(command: Command['name'], argv: string[]): { flags: Map<string, string>; args: string[] } {
  const flags = new Map<string, string>();
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (!argv[i].startsWith('--')) {
      args.push(argv[i]);
      continue;
    }
    const [flag, inline] = argv[i].split(/=(.*)/s, 2) as [string, string | undefined];
    if (!FLAGS[command].includes(flag)) throw new InputError(`${flag}: not a flag of ${command}`);
    if (flags.has(flag)) throw new InputError(`${flag}: given twice`);
    if (SWITCHES.has(flag)) {
      if (inline !== undefined) throw new InputError(`${flag}: takes no value`);
      flags.set(flag, 'yes');
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new InputError(`${flag}: needs a value`);
    flags.set(flag, value);
  }
  return { flags, args };
}

/** The user ID argument: exactly one, well formed. */
function idOf(args: string[], command: string): string {
  if (args.length !== 1) throw new InputError(`${command}: give one user ID (u_…: applyfree user list)`);
  if (!USER_ID_PATTERN.test(args[0]))
    throw new InputError(`${command}: "${args[0]}" is not a user ID (u_ and 16 letters or digits)`);
  return args[0];
}

function roleOf(flag: string, value: string): Role {
  if (!(ROLES as readonly string[]).includes(value))
    throw new InputError(`${flag}: unknown role "${value}": one of ${ROLES.join(', ')}`);
  return value as Role;
}

const SPEC_FLAGS: Record<string, string> = {
  name: '--name',
  roles: '--role',
  department: '--department',
  subjectKey: '--resident-id',
};

/** The command, checked in full before anything is opened. */
function parseUserCommand(argv: string[]): Command {
  const [name, ...rest] = argv;
  if (!(COMMANDS as readonly string[]).includes(name ?? ''))
    throw new InputError(
      `${name === undefined ? 'no command' : `unknown command "${name}"`}: add, disable, rotate-token or list (applyfree user --help)`,
    );
  const command = name as Command['name'];
  const { flags, args } = readFlags(command, rest);
  switch (command) {
    case 'add': {
      if (args.length > 0) throw new InputError(`add: takes no argument, got "${args[0]}" (use --name)`);
      for (const flag of ['--name', '--role']) if (!flags.has(flag)) throw new InputError(`${flag}: required`);
      const roles = flags
        .get('--role')!
        .split(',')
        .map((role) => role.trim())
        .filter(Boolean)
        .map((role) => roleOf('--role', role));
      const residentId = flags.get('--resident-id');
      const creditCode = flags.get('--credit-code');
      if (residentId !== undefined && creditCode !== undefined)
        throw new InputError('--credit-code: give --resident-id or --credit-code, not both');
      let subject: Subject | undefined;
      try {
        if (residentId !== undefined)
          subject = { kind: 'person', residentId: validateResidentId(residentId, { field: '--resident-id' }).id };
        if (creditCode !== undefined)
          subject = { kind: 'enterprise', creditCode: validateCreditCode(creditCode, { field: '--credit-code' }).code };
      } catch (error) {
        if (error instanceof IdentityError) throw new InputError(`${error.field}: ${error.message}`);
        throw error;
      }
      const citizen = roles.includes('citizen');
      if (citizen && !subject)
        throw new InputError('--resident-id: a citizen is bound to their resident ID (or --credit-code)');
      if (!citizen && subject)
        throw new InputError(
          `${residentId !== undefined ? '--resident-id' : '--credit-code'}: only a citizen is bound to a subject`,
        );
      const oidcSubject = flags.get('--oidc-subject')?.trim();
      if (oidcSubject !== undefined && (!oidcSubject || /\s/.test(oidcSubject) || oidcSubject.length > 255))
        throw new InputError('--oidc-subject: the provider’s subject (sub), 1-255 characters without spaces');
      if (oidcSubject && citizen)
        throw new InputError('--oidc-subject: staff sign in through the provider, not citizens');
      const spec: UserSpec = {
        name: flags.get('--name')!,
        roles,
        ...(flags.has('--department') ? { department: flags.get('--department') } : {}),
        // Checked with a placeholder key here; the real one is resolved through the key ring once the store is open.
        ...(subject ? { subjectKey: `${subject.kind === 'person' ? 'p' : 'e'}_${'a'.repeat(26)}` } : {}),
      };
      try {
        validateUserSpec(spec);
      } catch (error) {
        if (error instanceof UserSpecError)
          throw new InputError(`${SPEC_FLAGS[error.field] ?? error.field}: ${error.message}`);
        throw error;
      }
      return {
        name: 'add',
        spec,
        ...(subject ? { subject } : {}),
        ...(oidcSubject ? { oidcSubject } : {}),
        token: !flags.has('--no-token'),
      };
    }
    case 'disable':
      return { name: 'disable', id: idOf(args, 'disable') };
    case 'rotate-token': {
      const role = flags.get('--role');
      return {
        name: 'rotate-token',
        id: idOf(args, 'rotate-token'),
        ...(role ? { role: roleOf('--role', role) } : {}),
      };
    }
    case 'list':
      if (args.length > 0) throw new InputError(`list: takes no argument, got "${args[0]}"`);
      return { name: 'list' };
  }
}

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

async function run(command: Command, store: Connection, config: ServerConfig, json: boolean): Promise<void> {
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
  let command: Command;
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
  const uri = config.mongodbUri ?? `mongodb://127.0.0.1:${DEV_PORTS.mongodb}/applyfree`;
  let store: Connection;
  try {
    store = await connectStore(uri, { serverSelectionTimeoutMS: 3000 });
  } catch {
    console.error(
      config.mongodbUri
        ? `${NAME}: MONGODB_URI: the database at ${redactUrl(uri)} does not answer`
        : `${NAME}: the embedded database at ${uri} does not answer: run \`npm run stack -- up\` first (or set MONGODB_URI)`,
    );
    return 1;
  }
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

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`${NAME}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
