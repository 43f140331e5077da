/**
 * People who use applyfree, their roles and their API tokens. Only a token's sha256 is
 * stored (`_id`), so a leaked database does not leak working tokens; a token is shown once,
 * when it is issued. A citizen's token is bound to their pseudonymous subject key: it reads
 * that subject's records and nobody else's.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import { SUBJECT_KEY_PATTERN } from '../domain/pseudonym.js';
import { ROLES, type Role } from '../domain/roles.js';

/** The roles (domain/roles.ts), re-exported for the store's callers. */
export { isPolicyRole, POLICY_ROLES, ROLE_ZH, ROLES, type PolicyRole, type Role } from '../domain/roles.js';

/** The person a token names: name, role and, for a citizen, the subject they are. */
export interface User {
  name: string;
  role: Role;
  /** A citizen's own subject key (domain/pseudonym.ts); absent for staff. */
  subjectKey?: string;
}

export interface UserRecord {
  /** sha256 (hex) of the token. */
  _id: string;
  name: string;
  role: Role;
  subjectKey?: string;
  createdAt: Date;
}

const userSchema = new Schema<UserRecord>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    role: { type: String, required: true, enum: ROLES },
    subjectKey: { type: String },
    createdAt: { type: Date, required: true },
  },
  { collection: 'users', versionKey: false },
);

export function registerUserModel(connection: Connection): Model<UserRecord> {
  return (connection.models.User as Model<UserRecord>) ?? connection.model('User', userSchema);
}

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Issues a new token for a person in a role; the only time the token is visible. A citizen's
 * token needs their subject key (never the raw ID); staff tokens carry none.
 */
export async function issueToken(
  store: Connection,
  name: string,
  role: Role,
  options: { subjectKey?: string } = {},
): Promise<string> {
  if (!name.trim()) throw new Error('a user needs a name');
  if (!ROLES.includes(role)) throw new Error(`unknown role "${role}": one of ${ROLES.join(', ')}`);
  const { subjectKey } = options;
  if (role === 'citizen' && !subjectKey)
    throw new Error('a citizen token is bound to the citizen’s subject key: give one');
  if (role !== 'citizen' && subjectKey) throw new Error('only a citizen token is bound to a subject key');
  if (subjectKey && !SUBJECT_KEY_PATTERN.test(subjectKey))
    throw new Error('the subject key is not a pseudonymous key (p_… or e_…)');
  const token = `af_${randomBytes(24).toString('base64url')}`;
  await registerUserModel(store).create({
    _id: tokenHash(token),
    name: name.trim(),
    role,
    ...(subjectKey ? { subjectKey } : {}),
    createdAt: new Date(),
  });
  return token;
}

/** The person a token belongs to, or undefined. */
export async function userOfToken(store: Connection, token: string): Promise<User | undefined> {
  const user = await registerUserModel(store).findById(tokenHash(token)).lean();
  if (!user) return undefined;
  return { name: user.name, role: user.role, ...(user.subjectKey ? { subjectKey: user.subjectKey } : {}) };
}
