/**
 * The people who use applyfree (S9): one record per person, keyed by a stable user ID (`u_…`), with
 * a display name, the roles they hold, their department and their status. Records elsewhere name
 * the user ID (the display name beside it, for people to read), so two people sharing a name are
 * two users and one person under two spellings is one. A person may hold several staff roles (an
 * officer who also reviews); each session acts in one of them (store/sessions.ts), and four-eyes
 * compares user IDs, so they never approve what they wrote. A citizen is a user bound to their
 * pseudonymous subject key, and holds no other role. Sign-ins through the city's identity provider
 * map the provider's subject to a user ID (store/user-identities.ts).
 */
import { randomBytes } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import { SUBJECT_KEY_PATTERN } from '../domain/pseudonym.js';
import { ROLES, type Role } from '../domain/roles.js';

/** The roles (domain/roles.ts), re-exported for the store's callers. */
export { isPolicyRole, POLICY_ROLES, ROLE_ZH, ROLES, type PolicyRole, type Role } from '../domain/roles.js';

/** Whoever a request acts as: the user's ID and display name, the role the session acts in, and their department or subject. */
export interface User {
  /** The stable user ID (`u_…`): what records name and four-eyes compares. */
  id: string;
  /** The display name, for people to read (never compared). */
  name: string;
  role: Role;
  /** The staff member's department (a name, as the city's directory gives it). */
  department?: string;
  /** A citizen's own subject key (domain/pseudonym.ts); absent for staff. */
  subjectKey?: string;
}

/**
 * A person as a record names them: user ID, display name as it was then, and the role they acted
 * in. Records written before user IDs carry no `id`: read them as legacy, by name.
 */
export interface PersonRef {
  id?: string;
  name: string;
  role: string;
}

/** How a record names whoever acted. */
export const personRef = (user: Pick<User, 'id' | 'name' | 'role'>): PersonRef => ({
  id: user.id,
  name: user.name,
  role: user.role,
});

/**
 * Whether a record's person is this user (four-eyes): by user ID; a record from before user IDs
 * names no ID and is compared by name (the cautious reading: a namesake is refused rather than
 * the same person let through).
 */
export const isSamePerson = (ref: Pick<PersonRef, 'id' | 'name'>, user: Pick<User, 'id' | 'name'>): boolean =>
  ref.id ? ref.id === user.id : ref.name === user.name;

export type UserStatus = 'active' | 'disabled';

export interface UserRecord {
  /** The user ID, `u_` and 16 base32 characters. */
  _id: string;
  name: string;
  roles: Role[];
  department?: string;
  subjectKey?: string;
  status: UserStatus;
  /**
   * Sessions carry the generation they were issued under; `rotate-token` and `disable` move it on,
   * so every earlier session ends at its next request without finding them (one `_id` update).
   */
  tokenGeneration: number;
  /** How the user came to be: the user command, the identity provider's first sign-in, the demo. */
  origin: 'cli' | 'oidc' | 'demo' | 'test';
  createdAt: Date;
  updatedAt: Date;
  disabledAt?: Date;
}

const userSchema = new Schema<UserRecord>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    roles: { type: [String], required: true, enum: ROLES },
    department: { type: String },
    subjectKey: { type: String },
    status: { type: String, required: true, enum: ['active', 'disabled'] },
    tokenGeneration: { type: Number, required: true, default: 0 },
    origin: { type: String, required: true, enum: ['cli', 'oidc', 'demo', 'test'] },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    disabledAt: { type: Date },
  },
  // Not `users`: that collection held the bearer tokens of before user IDs, which are no longer accepted.
  { collection: 'user_accounts', versionKey: false },
);

export function registerUserModels(connection: Connection) {
  return {
    UserAccount: (connection.models.UserAccount as Model<UserRecord>) ?? connection.model('UserAccount', userSchema),
  };
}

/** A user ID: `u_` and 16 lower-case base32 characters (80 random bits). */
export const USER_ID_PATTERN = /^u_[a-z2-7]{16}$/;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
/** A new random user ID. */
export function newUserId(): string {
  return `u_${[...randomBytes(16)].map((byte) => BASE32[byte % 32]).join('')}`;
}

/** A user that cannot be written as asked; `field` names what is at fault. Nothing was written. */
export class UserSpecError extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly messageZh: string,
  ) {
    super(message);
    this.name = 'UserSpecError';
  }
}

/** A change that cannot be made to the register as it is (an unknown user, a taken identity). */
export class UserRegisterError extends Error {
  constructor(
    readonly code: 'UNKNOWN_USER' | 'USER_DISABLED' | 'ROLE_NOT_HELD' | 'IDENTITY_TAKEN',
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'UserRegisterError';
  }
}

export interface UserSpec {
  name: string;
  roles: readonly Role[];
  department?: string;
  subjectKey?: string;
}

/**
 * A user as it may be stored: a display name (1-100 characters), one role or more (a citizen's
 * alone, bound to a subject key; staff hold none), staff in a department. Throws UserSpecError.
 */
export function validateUserSpec(spec: UserSpec): UserSpec {
  const name = spec.name?.trim() ?? '';
  if (!name || name.length > 100)
    throw new UserSpecError('name', 'a user needs a display name of 1-100 characters', '用户须有1至100个字符的姓名');
  const roles = [...new Set(spec.roles)];
  if (roles.length === 0) throw new UserSpecError('roles', 'a user needs a role', '用户须有角色');
  const unknown = roles.find((role) => !ROLES.includes(role));
  if (unknown)
    throw new UserSpecError(
      'roles',
      `unknown role "${unknown}": one of ${ROLES.join(', ')}`,
      `未知角色 "${unknown}"：可选 ${ROLES.join('、')}`,
    );
  if (roles.includes('citizen') && roles.length > 1)
    throw new UserSpecError(
      'roles',
      'a citizen holds no other role: staff work under their own user',
      '群众账号不能兼任其他角色：工作人员须使用本人的工作账号',
    );
  const citizen = roles.includes('citizen');
  if (citizen && !spec.subjectKey)
    throw new UserSpecError('subjectKey', 'a citizen is bound to their subject key: give one', '群众账号须绑定本人');
  if (!citizen && spec.subjectKey)
    throw new UserSpecError('subjectKey', 'only a citizen is bound to a subject key', '只有群众账号绑定本人');
  if (spec.subjectKey && !SUBJECT_KEY_PATTERN.test(spec.subjectKey))
    throw new UserSpecError(
      'subjectKey',
      'the subject key is not a pseudonymous key (p_… or e_…)',
      '主体标识不是假名化标识（p_… 或 e_…）',
    );
  const department = spec.department?.trim() || undefined;
  if (department && department.length > 100)
    throw new UserSpecError('department', 'a department name has at most 100 characters', '部门名称最多100个字符');
  if (!citizen && !department)
    throw new UserSpecError('department', 'staff belong to a department: give one', '工作人员须填写所属部门');
  return {
    name,
    roles: ROLES.filter((role) => roles.includes(role)),
    ...(department ? { department } : {}),
    ...(spec.subjectKey ? { subjectKey: spec.subjectKey } : {}),
  };
}

/** Adds a user (a new ID unless one is given, for the identity provider's link); throws UserSpecError. */
export async function addUser(
  store: Connection,
  spec: UserSpec,
  options: { origin?: UserRecord['origin']; now?: Date; id?: string } = {},
): Promise<UserRecord> {
  const valid = validateUserSpec(spec);
  const at = options.now ?? new Date();
  const record: UserRecord = {
    _id: options.id ?? newUserId(),
    name: valid.name,
    roles: [...valid.roles],
    ...(valid.department ? { department: valid.department } : {}),
    ...(valid.subjectKey ? { subjectKey: valid.subjectKey } : {}),
    status: 'active',
    tokenGeneration: 0,
    origin: options.origin ?? 'cli',
    createdAt: at,
    updatedAt: at,
  };
  await registerUserModels(store).UserAccount.create(record);
  return record;
}

/** A user by ID (one `_id` lookup), or undefined. */
export async function findUser(store: Connection, id: string): Promise<UserRecord | undefined> {
  if (typeof id !== 'string' || !USER_ID_PATTERN.test(id)) return undefined;
  return (await registerUserModels(store).UserAccount.findById(id).lean()) ?? undefined;
}

/** A user by ID; UserRegisterError UNKNOWN_USER when there is none. */
export async function requireUser(store: Connection, id: string): Promise<UserRecord> {
  const user = await findUser(store, id);
  if (!user) throw new UserRegisterError('UNKNOWN_USER', `no user ${id}`, 'id');
  return user;
}

/** Every user, by display name then ID (the register is small: a scan). */
export async function listUsers(store: Connection): Promise<UserRecord[]> {
  const users = await registerUserModels(store).UserAccount.find({}).lean();
  return users.sort((a, b) => a.name.localeCompare(b.name, 'zh') || a._id.localeCompare(b._id));
}

/** Changes a user's display name, roles or department (the provider's claims at sign-in); throws UserSpecError. */
export async function updateUser(
  store: Connection,
  id: string,
  change: Partial<Pick<UserSpec, 'name' | 'roles' | 'department'>>,
  now: Date = new Date(),
): Promise<UserRecord> {
  const current = await requireUser(store, id);
  const valid = validateUserSpec({
    name: change.name ?? current.name,
    roles: change.roles ?? current.roles,
    department: change.department ?? current.department,
    subjectKey: current.subjectKey,
  });
  const updated = await registerUserModels(store)
    .UserAccount.findOneAndUpdate(
      { _id: id },
      {
        $set: {
          name: valid.name,
          roles: [...valid.roles],
          ...(valid.department ? { department: valid.department } : {}),
          updatedAt: now,
        },
      },
      { returnDocument: 'after' },
    )
    .lean();
  if (!updated) throw new UserRegisterError('UNKNOWN_USER', `no user ${id}`, 'id');
  return updated;
}

/**
 * Ends every session of the user from their next request (store/sessions.ts compares the
 * generation), and with `disable` the user too: nobody signs in as them again.
 */
export async function revokeUserSessions(
  store: Connection,
  id: string,
  options: { disable?: boolean; now?: Date } = {},
): Promise<UserRecord> {
  await requireUser(store, id);
  const at = options.now ?? new Date();
  const updated = await registerUserModels(store)
    .UserAccount.findOneAndUpdate(
      { _id: id },
      {
        $inc: { tokenGeneration: 1 },
        $set: { updatedAt: at, ...(options.disable ? { status: 'disabled', disabledAt: at } : {}) },
      },
      { returnDocument: 'after' },
    )
    .lean();
  if (!updated) throw new UserRegisterError('UNKNOWN_USER', `no user ${id}`, 'id');
  return updated;
}
