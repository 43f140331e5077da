/**
 * Life events and their cases. One case per real-world event: `naturalKey`
 * (type, subject key, event date) is unique, so the same birth reported twice, or by two
 * registries, lands on the first case. Each delivery is kept by its source event ID.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { idFromKey } from './keyed.js';

export interface LifeEventRecord {
  /** Equals the business key below. */
  _id?: string;
  naturalKey: string;
  caseId: string;
  type: string;
  subjectKey: string;
  subjectKind: 'person' | 'enterprise';
  eventDate: string;
  /** Payload with every identifier replaced by its subject key. */
  payload: Record<string, unknown>;
  firstSourceEventId: string;
  source: string;
  receivedAt: Date;
}

export interface EventDelivery {
  /** Equals the business key below. */
  _id?: string;
  sourceEventId: string;
  source: string;
  /** The department that delivered it (absent on deliveries recorded before departments signed). */
  department?: string;
  caseId: string;
  receivedAt: Date;
}

const lifeEventSchema = new Schema<LifeEventRecord>(
  {
    /** The natural key: one case per subject, event type and date, however the event arrives. */
    _id: { type: String, required: true },
    naturalKey: { type: String, required: true },
    caseId: { type: String, required: true },
    type: { type: String, required: true },
    subjectKey: { type: String, required: true },
    subjectKind: { type: String, required: true, enum: ['person', 'enterprise'] },
    eventDate: { type: String, required: true },
    payload: { type: Schema.Types.Mixed, default: {} },
    firstSourceEventId: { type: String, required: true },
    source: { type: String, required: true },
    receivedAt: { type: Date, required: true },
  },
  { collection: 'life_events', versionKey: false, minimize: false },
);
lifeEventSchema.index({ naturalKey: 1 }, { unique: true });
idFromKey(lifeEventSchema, 'naturalKey');
lifeEventSchema.index({ caseId: 1 });
lifeEventSchema.index({ subjectKey: 1, eventDate: -1 });
/** Case search (services/cases/service.ts): by event type and by when the case was received, newest first. */
lifeEventSchema.index({ type: 1, receivedAt: -1 });
lifeEventSchema.index({ receivedAt: -1 });

const deliverySchema = new Schema<EventDelivery>(
  {
    /** The source event ID, as `_id` (store/keyed.ts says why). */
    _id: { type: String, required: true },
    sourceEventId: { type: String, required: true },
    source: { type: String, required: true },
    department: { type: String },
    caseId: { type: String, required: true },
    receivedAt: { type: Date, required: true },
  },
  { collection: 'event_deliveries', versionKey: false },
);
deliverySchema.index({ sourceEventId: 1 }, { unique: true });
idFromKey(deliverySchema, 'sourceEventId');
deliverySchema.index({ caseId: 1 });

export interface CaseModels {
  LifeEvent: Model<LifeEventRecord>;
  EventDelivery: Model<EventDelivery>;
}

export function registerCaseModels(connection: Connection): CaseModels {
  return {
    LifeEvent:
      (connection.models.LifeEvent as Model<LifeEventRecord>) ?? connection.model('LifeEvent', lifeEventSchema),
    EventDelivery:
      (connection.models.EventDelivery as Model<EventDelivery>) ?? connection.model('EventDelivery', deliverySchema),
  };
}
