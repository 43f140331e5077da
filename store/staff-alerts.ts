/**
 * Alerts to staff (工作提醒): what a task's timers tell people — the assignee (or, while nobody
 * holds it, everyone whose role handles its type) at 80 % of the statutory limit, the supervisors
 * when it is overdue. One record per task and kind, written with `$setOnInsert` under its key
 * (`${taskKey}:reminded`, `${taskKey}:escalated`), so a retried activity alerts once. Worklists
 * read them beside the tasks; no personal value is in them, only the task's key and type. A fact
 * request's answer alerts the officer who filed it (`${requestId}:answered`), read on their 数据需求 page.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import type { Role } from '../domain/roles.js';
import type { Text } from '../domain/sources.js';
import type { TaskType } from '../domain/tasks.js';
import { idFromKey } from './keyed.js';

export type StaffAlertKind = 'task.reminder' | 'task.escalated' | 'fact-request.answered' | 'fact-request.refused';

export interface StaffAlert {
  _id?: string;
  key: string;
  kind: StaffAlertKind;
  /** The task it is about (task alerts). */
  taskKey?: string;
  taskType?: TaskType;
  /** The fact request it is about (fact-request alerts). */
  factRequestId?: string;
  /** Whom it is for: one user by ID, or everyone in these roles. */
  toUserId?: string;
  toRoles: Role[];
  text: Text;
  at: Date;
}

const staffAlertSchema = new Schema<StaffAlert>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    kind: { type: String, required: true },
    taskKey: String,
    taskType: String,
    factRequestId: String,
    toUserId: String,
    toRoles: { type: [String], default: [] },
    text: { zh: String, en: String },
    at: { type: Date, required: true },
  },
  { collection: 'staff_alerts', versionKey: false },
);
staffAlertSchema.index({ key: 1 }, { unique: true });
idFromKey(staffAlertSchema, 'key');
staffAlertSchema.index({ toUserId: 1, at: -1 });
staffAlertSchema.index({ toRoles: 1, at: -1 });

export function registerStaffAlertModels(connection: Connection): { StaffAlert: Model<StaffAlert> } {
  return {
    StaffAlert:
      (connection.models.StaffAlert as Model<StaffAlert>) ??
      connection.model<StaffAlert>('StaffAlert', staffAlertSchema),
  };
}

/** Writes the alert once by its key; true when this call wrote it. */
export async function alertStaff(store: Connection, alert: Omit<StaffAlert, '_id'>): Promise<boolean> {
  const { StaffAlert: Model } = registerStaffAlertModels(store);
  const result = await Model.updateOne({ _id: alert.key }, { $setOnInsert: alert }, { upsert: true });
  return result.upsertedCount === 1;
}

/** The alerts for one user by ID (newest first, at most `limit`), of the kinds asked. */
export async function alertsForUser(
  store: Connection,
  userId: string,
  kinds: readonly StaffAlertKind[],
  limit = 50,
): Promise<StaffAlert[]> {
  const { StaffAlert: Model } = registerStaffAlertModels(store);
  const alerts = await Model.find({ toUserId: userId, kind: { $in: [...kinds] } }).lean();
  return alerts.sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, limit);
}
