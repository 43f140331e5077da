/** All mongoose models of the system of record, registered on one connection. */
import { Schema, type Connection, type Model } from 'mongoose';
import { idFromKey } from './keyed.js';
import { registerBenefitModels, type BenefitModels } from './benefits.js';
import { registerCaseModels, type CaseModels } from './cases.js';
import { registerDecisionModels, type DecisionModels } from './decisions.js';
import { registerNoticeModels, type NoticeModels } from './notices.js';
import { registerPolicyModels, type PolicyModels } from './policy-versions.js';
import { registerTaskModels, type Task } from './tasks.js';
import { registerStaffAlertModels, type StaffAlert } from './staff-alerts.js';

/** A stack probe's record: one per probe workflow, enforced by the unique key. */
export interface ProbeRecord {
  /** Equals the business key below. */
  _id?: string;
  key: string;
  probeId: string;
  requestedBy: string;
  recordedAt: Date;
}

const probeSchema = new Schema<ProbeRecord>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    probeId: { type: String, required: true },
    requestedBy: { type: String, required: true },
    recordedAt: { type: Date, required: true },
  },
  { collection: 'probes', versionKey: false },
);
probeSchema.index({ key: 1 }, { unique: true });
idFromKey(probeSchema, 'key');

export interface Models extends CaseModels, DecisionModels, BenefitModels, NoticeModels, PolicyModels {
  Probe: Model<ProbeRecord>;
  /** The human tasks (store/tasks.ts) and the alerts their timers send staff (store/staff-alerts.ts). */
  Task: Model<Task>;
  StaffAlert: Model<StaffAlert>;
}

/** Registers the models on a connection (idempotent) and returns them. */
export function registerModels(connection: Connection): Models {
  return {
    Probe: (connection.models.Probe as Model<ProbeRecord>) ?? connection.model<ProbeRecord>('Probe', probeSchema),
    ...registerCaseModels(connection),
    ...registerDecisionModels(connection),
    ...registerBenefitModels(connection),
    ...registerNoticeModels(connection),
    ...registerPolicyModels(connection),
    ...registerTaskModels(connection),
    ...registerStaffAlertModels(connection),
  };
}
