/**
 * The activities of a proof-free application (workflows/application.ts): fill the shared fields,
 * obtain the proofs (services/applications/obtain.ts, one proof at a time, each result kept on the
 * record at once, so a retry obtains only what is still missing), open the handling department's
 * task, record its decision with the notice, and lapse an application whose asked proofs never
 * came. Each reads the application by its ID; nothing personal travels through the workflow.
 */
import type { Connection } from 'mongoose';
// The shipped starter list is in force until a published version replaces it (domain/matters-starter.ts).
import '../domain/matters-starter.js';
import { findMatter, type Matter } from '../domain/matters.js';
import { findFact } from '../domain/sources.js';
import { registerTaskModels } from '../store/tasks.js';
import {
  findApplication,
  updateApplication,
  withProof,
  type ApplicationRecord,
  type FieldValue,
} from '../store/applications.js';
import { obtainProof, purposeOf } from '../services/applications/obtain.js';
import type { VerificationDeps } from '../services/verifications/answer.js';
import {
  applicationTaskKey,
  type ApplicationResult,
  type ApplicationTaskOpened,
  type ObtainProofsResult,
} from '../workflows/contracts/index.js';
import type { FetchFactsInput, FetchFactsResult } from './shared-data/fetch-facts.js';
import type { EnqueueNoticeInput } from './notices.js';
import { openTask } from './tasks.js';

export interface ApplicationActivityDeps {
  store: Connection;
  fetchFacts: (input: FetchFactsInput) => Promise<FetchFactsResult>;
  enqueueNotice: (input: EnqueueNoticeInput) => Promise<unknown>;
  /** How the certifying departments' claims are answered (services/verifications/answer.ts). */
  verification: VerificationDeps;
}

const DAY_MS = 86_400_000;

export function makeApplicationActivities(deps: ApplicationActivityDeps) {
  const { store } = deps;

  async function load(applicationId: string): Promise<{ application: ApplicationRecord; matter: Matter }> {
    const application = await findApplication(store, applicationId);
    if (!application) throw new Error(`no application ${applicationId}`);
    const matter = findMatter(application.matter);
    if (!matter) throw new Error(`application ${applicationId}: matter ${application.matter} is not in force`);
    return { application, matter };
  }

  return {
    /** Reads the shared fields' facts (one access record per source, naming the matter) and keeps them for the handler. */
    async fillApplicationFields({ applicationId }: { applicationId: string }): Promise<void> {
      const { application, matter } = await load(applicationId);
      const shared = application.fields.filter((field) => field.source === 'shared' && field.fact);
      if (shared.length === 0) return;
      const manifest: FetchFactsInput['facts'] = {};
      for (const field of shared) {
        const known = findFact(field.fact!);
        if (known) manifest[field.fact!] = { source: known.source.id, purpose: purposeOf(matter, '填写申请表') };
      }
      const read = await deps.fetchFacts({
        caseId: application._id,
        subjectKey: application.subjectKey,
        policyId: `matter:${matter.id}`,
        policyVersion: application.listVersion,
        facts: manifest,
        idempotencyKey: `${application.workflowId}:fields`,
      });
      const values: Record<string, FieldValue> = {};
      for (const field of shared) {
        const value = read.values[field.fact!];
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
          values[field.id] = value;
      }
      await updateApplication(store, applicationId, { shared: values });
    },

    /** Obtains every proof not yet obtained; answers the proofs asked of the applicant (none: all obtained). */
    async obtainApplicationProofs({ applicationId }: { applicationId: string }): Promise<ObtainProofsResult> {
      const { application, matter } = await load(applicationId);
      let { proofs, progress } = application;
      const asked: string[] = [];
      for (const proof of matter.proofs) {
        const current = proofs.find((p) => p.id === proof.id);
        const step = progress.find((p) => p.id === proof.id);
        if (!current || !step || current.obtainedBy) continue;
        const outcome = await obtainProof(
          { store, fetchFacts: deps.fetchFacts, verification: deps.verification },
          { application, matter, proof, progress: step, at: new Date() },
        );
        if ('obtained' in outcome) {
          proofs = withProof(proofs, proof.id, outcome.obtained);
          progress = progress.map((p) => (p.id === proof.id ? withoutAsked(p) : p));
        } else {
          asked.push(proof.id);
          progress = progress.map((p) => (p.id === proof.id ? { ...p, asked: outcome.asked } : p));
        }
        await updateApplication(store, applicationId, { proofs, progress });
      }
      await updateApplication(store, applicationId, { status: asked.length > 0 ? 'awaiting-proofs' : 'obtaining' });
      return { asked };
    },

    /** Opens the handling department's task (once, by its key), due at the application's statutory limit. */
    async openApplicationTask({ applicationId }: { applicationId: string }): Promise<ApplicationTaskOpened> {
      const { application } = await load(applicationId);
      const taskKey = applicationTaskKey(applicationId);
      // The limit in whole calendar days from submission: the matter's working days (domain/calendar.ts) counted out.
      const timeLimitDays = Math.max(
        1,
        Math.floor((application.dueAt.getTime() - application.submittedAt.getTime()) / DAY_MS),
      );
      await openTask(
        { store },
        {
          key: taskKey,
          type: 'application',
          source: { kind: 'application', key: applicationId },
          subjectKey: application.subjectKey,
          department: application.departmentName.zh,
          timeLimitDays,
          openedAt: application.submittedAt.toISOString(),
        },
      );
      const { Task } = registerTaskModels(store);
      const task = await Task.findById(taskKey, { openedAt: 1, remindAt: 1, dueAt: 1 }).lean();
      if (!task) throw new Error(`task ${taskKey} was not stored`);
      await updateApplication(store, applicationId, { status: 'handling', taskKey });
      return {
        taskKey,
        openedAt: task.openedAt.toISOString(),
        remindAt: task.remindAt.toISOString(),
        dueAt: task.dueAt.toISOString(),
      };
    },

    /** Records the handler's decision from the closed task and queues the applicant's notice (once, by its key). */
    async decideApplication(input: {
      applicationId: string;
      taskKey: string;
      taskStatus: 'done' | 'cancelled';
    }): Promise<{ outcome: ApplicationResult['status'] }> {
      const { application } = await load(input.applicationId);
      const { Task } = registerTaskModels(store);
      const task = await Task.findById(input.taskKey).lean();
      const outcome = task?.outcome;
      if (input.taskStatus === 'cancelled' || outcome?.kind !== 'decided') {
        await updateApplication(store, input.applicationId, { status: 'withdrawn' });
        return { outcome: 'withdrawn' };
      }
      const decided = outcome.outcome === 'eligible' ? 'approved' : 'refused';
      const noticeKey = `${application.workflowId}:notice:${decided}`;
      const at = task?.completedAt ?? new Date();
      await updateApplication(store, input.applicationId, {
        status: decided,
        decision: {
          outcome: decided,
          reason: outcome.reason,
          by: { id: task?.completedById ?? '', name: task?.completedByName ?? '' },
          at,
        },
      });
      await deps.enqueueNotice({
        noticeKey,
        subjectKey: application.subjectKey,
        template: decided === 'approved' ? 'application.approved' : 'application.refused',
        params: {
          policyTitle: application.matterTitle,
          department: application.departmentName,
          reason: { zh: outcome.reason, en: outcome.reason },
        },
      });
      await updateApplication(store, input.applicationId, { notice: { key: noticeKey, at: new Date() } });
      return { outcome: decided };
    },

    /** The asked proofs never came within the limit: the application lapses (withdrawn). */
    async lapseApplication({ applicationId }: { applicationId: string }): Promise<void> {
      const { application } = await load(applicationId);
      await updateApplication(store, applicationId, { status: 'withdrawn' });
      // The applicant is told it lapsed, once (by the notice's key), and that it may be made again.
      const noticeKey = `${application.workflowId}:notice:lapsed`;
      await deps.enqueueNotice({
        noticeKey,
        subjectKey: application.subjectKey,
        template: 'application.lapsed',
        params: { policyTitle: application.matterTitle, department: application.departmentName },
      });
      await updateApplication(store, applicationId, { notice: { key: noticeKey, at: new Date() } });
    },
  };
}

const withoutAsked = <T extends { asked?: unknown }>(progress: T): T => {
  const { asked: _asked, ...rest } = progress;
  return rest as T;
};
