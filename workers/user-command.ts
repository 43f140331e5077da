/**
 * What `applyfree user …` was asked (workers/user-cli.ts runs it): the command and its flags,
 * checked in full before anything is opened, so bad input is one line naming the flag (exit 2)
 * and nothing is written. Pure: no store, no environment.
 */
import { IdentityError, validateCreditCode, validateResidentId } from '../domain/identity.js';
import { ROLES, type Role } from '../domain/roles.js';
import { InputError, readFlags } from './command-flags.js';
import { UserSpecError, USER_ID_PATTERN, validateUserSpec, type UserSpec } from '../store/users.js';

export type UserSubject = { kind: 'person'; residentId: string } | { kind: 'enterprise'; creditCode: string };

export type UserCommand =
  | { name: 'add'; spec: UserSpec; subject?: UserSubject; oidcSubject?: string; token: boolean }
  | { name: 'disable'; id: string }
  | { name: 'rotate-token'; id: string; role?: Role }
  | { name: 'list' };

const COMMANDS = ['add', 'disable', 'rotate-token', 'list'] as const;
const FLAGS: Record<UserCommand['name'], readonly string[]> = {
  add: ['--name', '--role', '--department', '--resident-id', '--credit-code', '--oidc-subject', '--no-token'],
  disable: [],
  'rotate-token': ['--role'],
  list: [],
};
const SWITCHES = ['--no-token'];

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
export function parseUserCommand(argv: string[]): UserCommand {
  const [name, ...rest] = argv;
  if (!(COMMANDS as readonly string[]).includes(name ?? ''))
    throw new InputError(
      `${name === undefined ? 'no command' : `unknown command "${name}"`}: add, disable, rotate-token or list (applyfree user --help)`,
    );
  const command = name as UserCommand['name'];
  const { flags, args } = readFlags(command, FLAGS[command], rest, SWITCHES);
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
      let subject: UserSubject | undefined;
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
