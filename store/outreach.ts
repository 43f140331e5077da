/**
 * Outreach (应享尽享) records: the bulk requests for missing data sent to the department that owns
 * a source, and the contacts made with people likely eligible whom the machine could not decide.
 * Both are written once by their business key (`$setOnInsert`): a data request per group (policy
 * and cause) and city day, a contact per person and policy, so a second click, a retry or two
 * officers at once add nothing. Only pseudonymous subject keys and case IDs are kept, never a raw ID.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { idFromKey } from './keyed.js';
import type { Text } from '../domain/sources.js';

/** What a group of the worklist has in common: a source that failed, or a fact with no value. */
export interface OutreachCause {
  kind: 'source' | 'fact';
  /** The source ID (kind source) or the fact key (kind fact). */
  key: string;
}

export type DataRequestStatus = 'requested' | 'answered';

export interface DataRequest {
  /** Equals the business key below. */
  _id?: string;
  /** `outreach-data:<policyId>:<source|fact>:<key>:<city day>`. */
  key: string;
  policyId: string;
  cause: OutreachCause;
  /** The source the department answers from (the cause's source, or the fact's). */
  source: string;
  department: Text;
  subjectKeys: string[];
  requestedById: string;
  requestedByName: string;
  requestedAt: Date;
  /** The city day (YYYY-MM-DD) the request is for: one request per group and day. */
  day: string;
  status: DataRequestStatus;
  answeredAt?: Date;
  answeredById?: string;
  answeredByName?: string;
  /** The department's reply reference (文号), when recorded. */
  reference?: string;
}

export type ContactChannel = 'inbox' | 'phone' | 'letter';
export const CONTACT_CHANNELS: readonly ContactChannel[] = ['inbox', 'phone', 'letter'];

export interface OutreachContact {
  /** Equals the business key below, which is also the outreach task's key. */
  _id?: string;
  /** `outreach:<policyId>:<subjectKey>`. */
  key: string;
  policyId: string;
  subjectKey: string;
  caseId: string;
  channel: ContactChannel;
  contactedById: string;
  contactedByName: string;
  contactedAt: Date;
  /** Set once the written notice was queued (queued again only when a first attempt stopped before it). */
  noticeQueuedAt?: Date;
}

const dataRequestSchema = new Schema<DataRequest>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    policyId: { type: String, required: true },
    cause: { kind: { type: String, required: true }, key: { type: String, required: true } },
    source: { type: String, required: true },
    department: { zh: String, en: String },
    subjectKeys: { type: [String], default: [] },
    requestedById: { type: String, required: true },
    requestedByName: { type: String, required: true },
    requestedAt: { type: Date, required: true },
    day: { type: String, required: true },
    status: { type: String, required: true, enum: ['requested', 'answered'] },
    answeredAt: Date,
    answeredById: String,
    answeredByName: String,
    reference: String,
  },
  { collection: 'data_requests', versionKey: false, minimize: false },
);
dataRequestSchema.index({ key: 1 }, { unique: true });
idFromKey(dataRequestSchema, 'key');
dataRequestSchema.index({ policyId: 1, requestedAt: -1 });

const contactSchema = new Schema<OutreachContact>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    policyId: { type: String, required: true },
    subjectKey: { type: String, required: true },
    caseId: { type: String, required: true },
    channel: { type: String, required: true, enum: CONTACT_CHANNELS },
    contactedById: { type: String, required: true },
    contactedByName: { type: String, required: true },
    contactedAt: { type: Date, required: true },
    noticeQueuedAt: Date,
  },
  { collection: 'outreach_contacts', versionKey: false, minimize: false },
);
contactSchema.index({ key: 1 }, { unique: true });
idFromKey(contactSchema, 'key');
contactSchema.index({ policyId: 1 });

export function registerOutreachModels(connection: Connection): {
  DataRequest: Model<DataRequest>;
  OutreachContact: Model<OutreachContact>;
} {
  return {
    DataRequest:
      (connection.models.DataRequest as Model<DataRequest>) ??
      connection.model<DataRequest>('DataRequest', dataRequestSchema),
    OutreachContact:
      (connection.models.OutreachContact as Model<OutreachContact>) ??
      connection.model<OutreachContact>('OutreachContact', contactSchema),
  };
}

/** The contact's (and its outreach task's) key: one per person and policy. */
export const outreachKey = (policyId: string, subjectKey: string): string => `outreach:${policyId}:${subjectKey}`;

/** A data request's key: one per group and city day. */
export const dataRequestKey = (policyId: string, cause: OutreachCause, day: string): string =>
  `outreach-data:${policyId}:${cause.kind}:${cause.key}:${day}`;
