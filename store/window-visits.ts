/**
 * Visits at the service window (线下兜底): a person without a phone comes to the government service
 * centre and window staff serve them in person. A visit records the person's presence — which
 * window, which member of staff (by user ID), the reason, when — and holds the subject key it was
 * opened for, never the ID card's number. Its ID is random (`wv_…`), so nothing about the person
 * can be read from it or guessed. It is open until closed or until it expires (a few hours), and
 * whatever staff do for the person in it is an act (`window_acts`), keyed by business key so a
 * retried request records nothing twice. Reads go by `_id`, or by the visit on its acts' index.
 */
import { randomBytes } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import { base32 } from '../domain/base32.js';
import type { Text } from '../domain/sources.js';

/** A member of staff as a window record names them: user ID and display name then. */
export interface WindowStaff {
  id: string;
  name: string;
}

/** How the person consented to what staff did for them: a paper form they signed, or words before a witness. */
export type WindowConsentKind = 'signed-form' | 'verbal-witnessed';

export interface WindowConsent {
  kind: WindowConsentKind;
  /** The form's number, or the witness and what was said: what an auditor looks up. */
  reference: string;
}

export interface WindowVisit {
  /** `wv_` + 26 random base32 characters: opaque, derived from nothing. */
  _id: string;
  subjectKey: string;
  /** The window, as the centre names it (德州市政务服务中心 3号窗口). */
  window: string;
  reason: string;
  staff: WindowStaff;
  openedAt: Date;
  expiresAt: Date;
  closedAt?: Date;
  /** The unmask log's record of the person's presence (store/unmask-log.ts, kind `window-visit`). */
  revealId: string;
}

/** What staff did for the person in a visit. */
export type WindowActKind = 'offer-answer' | 'objection' | 'print' | 'pledge-sign';

export interface WindowAct {
  /** The act's business key: `offer:<offerKey>`, `pledge:<pledgeKey>`, `objection:<visitId>:<objectionId>`, `print:<printId>`. */
  _id: string;
  visitId: string;
  kind: WindowActKind;
  subjectKey: string;
  window: string;
  staff: WindowStaff;
  at: Date;
  /** The offer answered, the pledge signed, the objection filed, the notice or certificate printed. */
  ref: string;
  /** An offer's answer: confirm or decline. */
  answer?: 'confirm' | 'decline';
  consent?: WindowConsent;
  /** A print's content digest (SHA-256 of what the notice says), for the notice check. */
  digest?: string;
  /** What was printed, as the public check of a printed notice may show it: no personal data. */
  printed?: { what: 'notice' | 'certificate'; title: Text; template?: string; deliveredAt?: Date };
}

const staffSchema = { id: { type: String, required: true }, name: { type: String, required: true } };

const visitSchema = new Schema<WindowVisit>(
  {
    _id: { type: String, required: true },
    subjectKey: { type: String, required: true },
    window: { type: String, required: true },
    reason: { type: String, required: true },
    staff: staffSchema,
    openedAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    closedAt: Date,
    revealId: { type: String, required: true },
  },
  { collection: 'window_visits', versionKey: false },
);

const actSchema = new Schema<WindowAct>(
  {
    _id: { type: String, required: true },
    visitId: { type: String, required: true },
    kind: { type: String, required: true, enum: ['offer-answer', 'objection', 'print', 'pledge-sign'] },
    subjectKey: { type: String, required: true },
    window: { type: String, required: true },
    staff: staffSchema,
    at: { type: Date, required: true },
    ref: { type: String, required: true },
    answer: { type: String, enum: ['confirm', 'decline'] },
    consent: { kind: { type: String, enum: ['signed-form', 'verbal-witnessed'] }, reference: String },
    digest: String,
    printed: {
      what: { type: String, enum: ['notice', 'certificate'] },
      title: { zh: String, en: String },
      template: String,
      deliveredAt: Date,
    },
  },
  { collection: 'window_acts', versionKey: false },
);
/** A visit's acts (served from it on MongoDB and the embedded FerretDB: store/indexes.ts). */
actSchema.index({ visitId: 1, at: 1 });

export interface WindowModels {
  Visit: Model<WindowVisit>;
  Act: Model<WindowAct>;
}

/** Registers the two models on a connection (idempotent). */
export function registerWindowModels(connection: Connection): WindowModels {
  return {
    Visit:
      (connection.models.WindowVisit as Model<WindowVisit>) ??
      connection.model<WindowVisit>('WindowVisit', visitSchema),
    Act: (connection.models.WindowAct as Model<WindowAct>) ?? connection.model<WindowAct>('WindowAct', actSchema),
  };
}

/** A fresh opaque ID with `prefix`: 130 random bits in base32, nothing derived from the person. */
export const opaqueId = (prefix: string): string => `${prefix}${base32(randomBytes(17)).toLowerCase().slice(0, 26)}`;

/** Writes a new visit (its ID is fresh: never a duplicate). */
export async function insertVisit(connection: Connection, visit: WindowVisit): Promise<WindowVisit> {
  await registerWindowModels(connection).Visit.create(visit);
  return visit;
}

/** A visit by its ID, or undefined. */
export async function findVisit(connection: Connection, visitId: string): Promise<WindowVisit | undefined> {
  return (await registerWindowModels(connection).Visit.findOne({ _id: visitId }).lean()) ?? undefined;
}

/** Closes a visit once (a second close keeps the first time); returns it as it stands. */
export async function closeVisitRecord(connection: Connection, visitId: string, at: Date): Promise<WindowVisit> {
  const { Visit } = registerWindowModels(connection);
  await Visit.updateOne({ _id: visitId, closedAt: { $exists: false } }, { $set: { closedAt: at } });
  return (await Visit.findOne({ _id: visitId }).lean())!;
}

/**
 * Records an act once by its key (`$setOnInsert` upsert on `_id`) and returns the act stored under
 * it: the first one's, when a retry or a second request came with the same key.
 */
export async function recordAct(connection: Connection, act: WindowAct): Promise<WindowAct> {
  const { Act } = registerWindowModels(connection);
  try {
    await Act.updateOne({ _id: act._id }, { $setOnInsert: act }, { upsert: true });
  } catch (error) {
    // Two requests racing on the same key: the first one's stands.
    if ((error as { code?: unknown }).code !== 11000) throw error;
  }
  return (await Act.findOne({ _id: act._id }).lean())!;
}

/** An act by its key, or undefined. */
export async function findAct(connection: Connection, key: string): Promise<WindowAct | undefined> {
  return (await registerWindowModels(connection).Act.findOne({ _id: key }).lean()) ?? undefined;
}

/** A visit's acts, oldest first (bounded: a visit is one sitting at a window). */
export async function actsOfVisit(connection: Connection, visitId: string): Promise<WindowAct[]> {
  const acts = await registerWindowModels(connection).Act.find({ visitId }).limit(500).lean();
  return acts.sort((a, b) => a.at.getTime() - b.at.getTime());
}
