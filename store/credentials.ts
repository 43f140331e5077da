/**
 * The keys of a party that signs its requests (a department, a verifier: domain/signed-request.ts),
 * as its register keeps them inside the party's document: a key ID, the SHA-256 fingerprint of its
 * secret (never the secret, derived from the master secret and shown once), a status, and the end
 * of a rotation's grace period. Issuing, rotating and revoking are the same for every register;
 * each change is compare-and-set on the document's revision (no transactions).
 */
import { Schema, type Model } from 'mongoose';
import {
  credentialFingerprint,
  newKeyId,
  partySecret,
  type PartyCredential,
  type SignedRequestScheme,
} from '../domain/signed-request.js';

export interface CredentialRecord {
  keyId: string;
  /** SHA-256 (hex) of the secret. */
  fingerprint: string;
  status: 'active' | 'revoked';
  createdAt: Date;
  /** Set when a newer key was issued: the key stops working then (the rotation's grace period). */
  expiresAt?: Date;
  revokedAt?: Date;
}

/** A credential's place in its party's document. */
export const credentialSchema = new Schema<CredentialRecord>(
  {
    keyId: { type: String, required: true },
    fingerprint: { type: String, required: true },
    status: { type: String, required: true, enum: ['active', 'revoked'] },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date },
    revokedAt: { type: Date },
  },
  { _id: false },
);

/** The default grace period of a rotation: the keys in use keep working this long beside the new one. */
export const DEFAULT_GRACE_DAYS = 7;

/** Whether a key works at `now`: active and not past its expiry. */
export const keyUsable = (key: CredentialRecord, now: Date): boolean =>
  key.status === 'active' && (!key.expiresAt || key.expiresAt > now);

/** Issues a key for a party: its record, and the credential to show once. */
export function issueCredential(
  scheme: SignedRequestScheme,
  master: string,
  party: string,
): { record: CredentialRecord; credential: PartyCredential } {
  const keyId = newKeyId();
  const secret = partySecret(scheme, master, party, keyId);
  return {
    record: { keyId, fingerprint: credentialFingerprint(secret), status: 'active', createdAt: new Date() },
    credential: { party, keyId, secret },
  };
}

/** The keys after a rotation at `now`: every other active key ends at `graceUntil` (unless it ends sooner), and the new one. */
export function rotated(
  credentials: readonly CredentialRecord[],
  key: CredentialRecord,
  now: Date,
  graceUntil: Date,
): CredentialRecord[] {
  return [
    ...credentials.map((old) =>
      old.status === 'active' && (!old.expiresAt || old.expiresAt > graceUntil)
        ? { ...old, expiresAt: graceUntil }
        : old,
    ),
    { ...key, createdAt: now },
  ];
}

/** The keys after revoking one, or every one (`'all'`), at `now`; undefined when the party has no such key. */
export function revoked(
  credentials: readonly CredentialRecord[],
  keyId: string | 'all',
  now: Date,
): CredentialRecord[] | undefined {
  if (keyId !== 'all' && !credentials.some((key) => key.keyId === keyId)) return undefined;
  return credentials.map((key) =>
    (keyId === 'all' || key.keyId === keyId) && key.status === 'active'
      ? { ...key, status: 'revoked' as const, revokedAt: now }
      : key,
  );
}

/** A party document whose credentials change compare-and-set on its revision. */
export interface CredentialHolder {
  _id: string;
  credentials: CredentialRecord[];
  revision: number;
}

/**
 * Replaces a party's credentials if no one else changed them meanwhile (a few tries). `unknown`
 * and `changed` build the register's own errors: no such party, or it kept changing.
 */
export async function changeCredentials<T extends CredentialHolder>(
  model: Model<T>,
  id: string,
  change: (credentials: CredentialRecord[], now: Date) => CredentialRecord[],
  errors: { unknown: () => Error; changed: () => Error },
): Promise<T> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const record = (await model.findById(id).lean()) as T | null;
    if (!record) throw errors.unknown();
    const now = new Date();
    const credentials = change(record.credentials, now);
    const updated = (await model
      .findOneAndUpdate(
        { _id: id, revision: record.revision } as object,
        { $set: { credentials, updatedAt: now }, $inc: { revision: 1 } },
        { returnDocument: 'after' },
      )
      .lean()) as T | null;
    if (updated) return updated;
  }
  throw errors.changed();
}

/** A register's compare-and-set change of one party's credentials (its `changeCredentials`, bound to the party). */
export type CredentialChange<T> = (
  change: (credentials: CredentialRecord[], now: Date) => CredentialRecord[],
) => Promise<T>;

/**
 * Rotates a party's keys to `key`: every other active key keeps working for `graceDays` (0: it
 * stops now), so the party can switch over, unless revoked earlier.
 */
export async function rotateKeys<T>(
  change: CredentialChange<T>,
  key: CredentialRecord,
  graceDays: number = DEFAULT_GRACE_DAYS,
): Promise<{ record: T; graceUntil: Date }> {
  let graceUntil = new Date();
  const record = await change((credentials, now) => {
    graceUntil = new Date(now.getTime() + graceDays * 86_400_000);
    return rotated(credentials, key, now, graceUntil);
  });
  return { record, graceUntil };
}

/** Revokes one of a party's keys, or every key (`'all'`); `unknownKey` is the register's error when it has no such key. */
export function revokeKeys<T>(change: CredentialChange<T>, keyId: string | 'all', unknownKey: () => Error): Promise<T> {
  return change((credentials, now) => {
    const after = revoked(credentials, keyId, now);
    if (!after) throw unknownKey();
    return after;
  });
}
