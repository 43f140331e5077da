/**
 * Notices and the in-app inbox. `notices` tracks each notice on each channel (queued,
 * delivered, failed) for supervisors; `inbox` is what the citizen reads. Both are keyed
 * by the notice's idempotency key, so a retry never shows the same notice twice.
 * Each record's `_id` is its business key (`key`), so every keyed read and `$setOnInsert`
 * upsert filters on `_id` (store/keyed.ts says why).
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { idFromKey } from './keyed.js';
import type { Text } from '../domain/sources.js';

export type NoticeChannel = 'inbox' | 'webhook';

/** Key of a notice's record on one channel. */
export function noticeRecordKey(noticeKey: string, channel: NoticeChannel): string {
  return `${noticeKey}~${channel}`;
}

export interface NoticeRecord {
  /** Equals the business key below. */
  _id?: string;
  /** `${noticeKey}~${channel}` */
  key: string;
  noticeKey: string;
  subjectKey: string;
  template: string;
  channel: NoticeChannel;
  status: 'queued' | 'delivered' | 'failed';
  attempts: number;
  queuedAt: Date;
  deliveredAt?: Date;
  error?: string;
}

export interface InboxNotice {
  /** Equals the business key below. */
  _id?: string;
  key: string;
  subjectKey: string;
  template: string;
  title: Text;
  body: Text;
  deliveredAt: Date;
  readAt?: Date;
}

const text = { zh: { type: String, required: true }, en: { type: String, required: true } };

const noticeSchema = new Schema<NoticeRecord>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    noticeKey: { type: String, required: true },
    subjectKey: { type: String, required: true },
    template: { type: String, required: true },
    channel: { type: String, required: true, enum: ['inbox', 'webhook'] },
    status: { type: String, required: true, enum: ['queued', 'delivered', 'failed'] },
    attempts: { type: Number, default: 0 },
    queuedAt: { type: Date, required: true },
    deliveredAt: Date,
    error: String,
  },
  { collection: 'notices', versionKey: false },
);
noticeSchema.index({ key: 1 }, { unique: true });
idFromKey(noticeSchema, 'key');
noticeSchema.index({ subjectKey: 1, queuedAt: -1 });
noticeSchema.index({ status: 1 });

const inboxSchema = new Schema<InboxNotice>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    subjectKey: { type: String, required: true },
    template: { type: String, required: true },
    title: text,
    body: text,
    deliveredAt: { type: Date, required: true },
    readAt: Date,
  },
  { collection: 'inbox', versionKey: false },
);
inboxSchema.index({ key: 1 }, { unique: true });
idFromKey(inboxSchema, 'key');
inboxSchema.index({ subjectKey: 1, deliveredAt: -1 });

export interface NoticeModels {
  Notice: Model<NoticeRecord>;
  Inbox: Model<InboxNotice>;
}

export function registerNoticeModels(connection: Connection): NoticeModels {
  return {
    Notice: (connection.models.Notice as Model<NoticeRecord>) ?? connection.model('Notice', noticeSchema),
    Inbox: (connection.models.Inbox as Model<InboxNotice>) ?? connection.model('Inbox', inboxSchema),
  };
}
