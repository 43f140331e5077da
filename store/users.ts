/**
 * People who author and review policies, and their API tokens. Only a token's sha256 is
 * stored (`_id`), so a leaked database does not leak working tokens; a token is shown once,
 * when it is issued.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import type { PolicyRole } from './policy-versions.js';

export interface UserRecord {
  /** sha256 (hex) of the token. */
  _id: string;
  name: string;
  role: PolicyRole;
  createdAt: Date;
}

const userSchema = new Schema<UserRecord>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    role: { type: String, required: true, enum: ['officer', 'reviewer'] },
    createdAt: { type: Date, required: true },
  },
  { collection: 'users', versionKey: false },
);

export function registerUserModel(connection: Connection): Model<UserRecord> {
  return (connection.models.User as Model<UserRecord>) ?? connection.model('User', userSchema);
}

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** Issues a new token for a person in a role; the only time the token is visible. */
export async function issueToken(store: Connection, name: string, role: PolicyRole): Promise<string> {
  if (!name.trim()) throw new Error('a user needs a name');
  const token = `af_${randomBytes(24).toString('base64url')}`;
  await registerUserModel(store).create({ _id: tokenHash(token), name: name.trim(), role, createdAt: new Date() });
  return token;
}

/** The person a token belongs to, or undefined. */
export async function userOfToken(store: Connection, token: string): Promise<{ name: string; role: PolicyRole } | undefined> {
  const user = await registerUserModel(store).findById(tokenHash(token)).lean();
  return user ? { name: user.name, role: user.role } : undefined;
}
