/**
 * Sign-ins through the city's identity provider, linked to users: the provider's subject maps to
 * a user ID once (`user_identities`, `_id` = issuer and subject, so a sign-in is one `_id` lookup),
 * and a subject linked to one user is never linked to another.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { findUser, requireUser, UserRegisterError, type UserRecord } from './users.js';

/** A provider's subject mapped to a user: `_id` is `<issuer> <sub>` (a space never occurs in either). */
export interface IdentityRecord {
  _id: string;
  userId: string;
  issuer: string;
  subject: string;
  linkedAt: Date;
}

const identitySchema = new Schema<IdentityRecord>(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    issuer: { type: String, required: true },
    subject: { type: String, required: true },
    linkedAt: { type: Date, required: true },
  },
  { collection: 'user_identities', versionKey: false },
);

function model(connection: Connection): Model<IdentityRecord> {
  return (connection.models.UserIdentity as Model<IdentityRecord>) ?? connection.model('UserIdentity', identitySchema);
}

const identityId = (issuer: string, subject: string) => `${issuer} ${subject}`;

/** The user a provider's subject is linked to, or undefined. */
export async function userOfIdentity(
  store: Connection,
  issuer: string,
  subject: string,
): Promise<UserRecord | undefined> {
  const link = await model(store).findById(identityId(issuer, subject)).lean();
  return link ? findUser(store, link.userId) : undefined;
}

/** Links a provider's subject to a user, once: a subject linked to another user is IDENTITY_TAKEN. */
export async function linkIdentity(
  store: Connection,
  issuer: string,
  subject: string,
  userId: string,
  now: Date = new Date(),
): Promise<void> {
  await requireUser(store, userId);
  const UserIdentity = model(store);
  const _id = identityId(issuer, subject);
  await UserIdentity.updateOne(
    { _id },
    { $setOnInsert: { _id, userId, issuer, subject, linkedAt: now } },
    { upsert: true },
  ).catch((error: { code?: number }) => {
    if (error.code !== 11000) throw error;
  });
  const link = await UserIdentity.findById(_id).lean();
  if (link?.userId !== userId)
    throw new UserRegisterError('IDENTITY_TAKEN', `${subject} at ${issuer} is linked to ${link?.userId}`, 'subject');
}

/** The identities linked to a user (for `applyfree user list`; a scan of a small collection). */
export async function identitiesOf(store: Connection, userIds: readonly string[]): Promise<IdentityRecord[]> {
  if (userIds.length === 0) return [];
  return model(store)
    .find({ userId: { $in: [...userIds] } })
    .lean();
}
