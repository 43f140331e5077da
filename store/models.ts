/** Mongoose schemas of the system of record and their indexes. */
import { Schema, type Connection, type Model } from 'mongoose';

/** A stack probe's record: one per probe workflow, enforced by the unique key. */
export interface ProbeRecord {
  key: string;
  probeId: string;
  requestedBy: string;
  recordedAt: Date;
}

/** A notice delivered to a subject's in-app inbox; `key` is the notice's idempotency key. */
export interface InboxNotice {
  key: string;
  subjectKey: string;
  template: string;
  lang: 'zh' | 'en';
  title: string;
  body: string;
  deliveredAt: Date;
  readAt?: Date;
}

const probeSchema = new Schema<ProbeRecord>(
  {
    key: { type: String, required: true },
    probeId: { type: String, required: true },
    requestedBy: { type: String, required: true },
    recordedAt: { type: Date, required: true },
  },
  { collection: 'probes', versionKey: false },
);
probeSchema.index({ key: 1 }, { unique: true });

const inboxSchema = new Schema<InboxNotice>(
  {
    key: { type: String, required: true },
    subjectKey: { type: String, required: true },
    template: { type: String, required: true },
    lang: { type: String, enum: ['zh', 'en'], required: true },
    title: { type: String, required: true },
    body: { type: String, required: true },
    deliveredAt: { type: Date, required: true },
    readAt: { type: Date },
  },
  { collection: 'inbox', versionKey: false },
);
inboxSchema.index({ key: 1 }, { unique: true });
inboxSchema.index({ subjectKey: 1, deliveredAt: -1 });

export interface Models {
  Probe: Model<ProbeRecord>;
  Inbox: Model<InboxNotice>;
}

/** Registers the models on a connection (idempotent) and returns them. */
export function registerModels(connection: Connection): Models {
  return {
    Probe: (connection.models.Probe as Model<ProbeRecord>) ?? connection.model<ProbeRecord>('Probe', probeSchema),
    Inbox: (connection.models.Inbox as Model<InboxNotice>) ?? connection.model<InboxNotice>('Inbox', inboxSchema),
  };
}
