/**
 * The one-time migration of the old `manual_tasks` rows (opened for undetermined decisions before
 * tasks existed) into review tasks (domain/tasks.ts): the same key, the opening time kept, open
 * rows open with their humanTask workflow started (a row opened long ago is overdue at once, and
 * escalates), done rows done; each marked `migratedFrom: 'manual_tasks'`. A row is marked
 * `migratedAt` only once its task and workflow exist, so a run cut short resumes where it stopped
 * and a second run finds nothing to do. Runs at every worker start (workers/processing.ts).
 */
import type { Connection } from 'mongoose';
import { openTask } from '../../activities/tasks.js';
import { manualTaskShape } from '../../activities/case.js';
import type { BenefitStarter } from '../../activities/benefit-start.js';
import { DEFAULT_TIME_LIMIT_DAYS, taskDeadlines } from '../../domain/tasks.js';
import type { PolicySource } from '../../rules/policy-source.js';
import { registerTaskModels } from '../../store/tasks.js';
import { registerDecisionModels } from '../../store/decisions.js';
import type { Policy } from '../../rules/types.js';
import { taskWorkflowId } from '../../workflows/contracts/index.js';

export const MANUAL_TASKS = 'manual_tasks';

export interface MigrateDeps {
  store: Connection;
  /** Starts the humanTask workflows of the open rows; absent, the tasks are written without their timers. */
  workflows?: BenefitStarter;
  /** Where the department and statutory review limit of the version the case decided on are read; absent, none and the default. */
  policies?: Pick<PolicySource, 'version'>;
}

interface ManualTaskRow {
  _id: string;
  caseId: string;
  subjectKey: string;
  policyId: string;
  missingFacts?: string[];
  failedSources?: string[];
  status: 'open' | 'done';
  openedAt: Date;
}

/** The policy version the row's case decided on, if the decision and the version are there to read. */
async function policyOf(deps: MigrateDeps, row: ManualTaskRow): Promise<Policy | undefined> {
  if (!deps.policies) return undefined;
  const { Decision } = registerDecisionModels(deps.store);
  const decision = await Decision.findById(`${row.caseId}:decision:${row.policyId}`, { policy: 1 }).lean();
  return decision ? deps.policies.version(decision.policy.id, decision.policy.version) : undefined;
}

/** Moves every row not yet migrated; answers how many open and done rows became tasks this run. */
export async function migrateManualTasks(deps: MigrateDeps): Promise<{ open: number; done: number }> {
  const rows = deps.store.db!.collection<ManualTaskRow>(MANUAL_TASKS);
  const { Task } = registerTaskModels(deps.store);
  const moved = { open: 0, done: 0 };
  const pending = rows.find({ migratedAt: { $exists: false } }, { batchSize: 500 });
  for await (const row of pending) {
    const policy = await policyOf(deps, row);
    const shape = await manualTaskShape(deps.store, row.caseId);
    const timeLimitDays = policy?.timeLimits?.[shape.type] ?? DEFAULT_TIME_LIMIT_DAYS[shape.type];
    const common = {
      key: row._id,
      ...shape,
      subjectKey: row.subjectKey,
      policyId: row.policyId,
      ...(policy ? { department: policy.department.zh } : {}),
      missingFacts: row.missingFacts ?? [],
      failedSources: row.failedSources ?? [],
      timeLimitDays,
      migratedFrom: MANUAL_TASKS,
    };
    if (row.status === 'done') {
      // Closed before tasks existed: kept for the record, with no clock to keep.
      const { remindAt, dueAt } = taskDeadlines(row.openedAt, timeLimitDays);
      await Task.updateOne(
        { _id: row._id },
        {
          $setOnInsert: {
            ...common,
            status: 'done',
            openedAt: row.openedAt,
            remindAt,
            dueAt,
            workflowId: taskWorkflowId(row._id),
            history: [
              { at: row.openedAt, action: 'opened' },
              { at: row.openedAt, action: 'completed', note: 'closed before tasks existed (manual_tasks)' },
            ],
          },
        },
        { upsert: true },
      );
      moved.done += 1;
    } else {
      await openTask(
        { store: deps.store, ...(deps.workflows ? { workflows: deps.workflows } : {}) },
        { ...common, openedAt: row.openedAt.toISOString() },
      );
      moved.open += 1;
    }
    await rows.updateOne({ _id: row._id }, { $set: { migratedAt: new Date() } });
  }
  return moved;
}
