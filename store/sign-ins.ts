/**
 * Sign-ins under way through the identity provider: between the redirect to the provider and the
 * browser's return, the PKCE verifier, the nonce the ID token must carry and the role asked for,
 * keyed by the SHA-256 of the `state` (`_id`), taken once (read and deleted in one operation), and
 * refused after ten minutes. Nothing here signs anyone in by itself: the state alone is useless
 * without the provider's code, and the code without the verifier.
 */
import { createHash } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import { ROLES, type Role } from '../domain/roles.js';

export interface PendingSignIn {
  /** SHA-256 (hex) of the state. */
  _id: string;
  nonce: string;
  verifier: string;
  role?: Role;
  createdAt: Date;
  expiresAt: Date;
}

/** How long a sign-in may take at the provider. */
export const SIGN_IN_WINDOW_MS = 10 * 60_000;

const pendingSchema = new Schema<PendingSignIn>(
  {
    _id: { type: String, required: true },
    nonce: { type: String, required: true },
    verifier: { type: String, required: true },
    role: { type: String, enum: ROLES },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'sign_ins', versionKey: false },
);

function model(connection: Connection): Model<PendingSignIn> {
  return (connection.models.PendingSignIn as Model<PendingSignIn>) ?? connection.model('PendingSignIn', pendingSchema);
}

const stateHash = (state: string) => createHash('sha256').update(state).digest('hex');

/** Remembers a sign-in under its state; sign-ins left unfinished past their window are cleared. */
export async function rememberSignIn(
  store: Connection,
  state: string,
  entry: { nonce: string; verifier: string; role?: Role },
  now: Date,
): Promise<void> {
  const Pending = model(store);
  // A small collection (ten minutes of sign-ins): a scan is cheap.
  await Pending.deleteMany({ expiresAt: { $lt: now } });
  await Pending.create({
    _id: stateHash(state),
    ...entry,
    createdAt: now,
    expiresAt: new Date(now.getTime() + SIGN_IN_WINDOW_MS),
  });
}

/** The sign-in a state names, taken once: a second use, an unknown or an expired state finds none. */
export async function takeSignIn(store: Connection, state: string, now: Date): Promise<PendingSignIn | undefined> {
  const taken = await model(store)
    .findOneAndDelete({ _id: stateHash(state) })
    .lean();
  if (!taken || taken.expiresAt <= now) return undefined;
  return taken;
}
