/**
 * A proof-free application (依申请 免提交, workflows/contracts/application.ts): durable from
 * submission to notice. It fills the form's shared fields (免填写) and obtains every proof by its
 * replacement (activities: sharing, verification, certificate, pledge, or cancelled), each filed in
 * or reused from the proof archive; when a replacement fails, the application waits for exactly the
 * proofs asked (an upload signals proofsSupplied) and obtains again, lapsing after
 * AWAITING_PROOFS_DAYS. Then the handling department's human task (type 'application') runs as
 * its child within the matter's statutory limit, and its decision is recorded and noticed.
 * Deterministic: every effect is an activity, every wait a condition on signals or a durable timer.
 */
import { condition, executeChild, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { ApplicationStatus } from '../domain/applications.js';
import {
  AWAITING_PROOFS_DAYS,
  getApplicationStageQuery,
  proofsSuppliedSignal,
  type ApplicationInput,
  type ApplicationResult,
} from './contracts/application.js';
import { ACTIVITY_OPTIONS } from './contracts/shared.js';
import {
  HUMAN_TASK_WORKFLOW_TYPE,
  taskWorkflowId,
  type HumanTaskInput,
  type HumanTaskResult,
} from './contracts/task.js';

const { fillApplicationFields, obtainApplicationProofs, openApplicationTask, decideApplication, lapseApplication } =
  proxyActivities<Activities>(ACTIVITY_OPTIONS);

export async function application(input: ApplicationInput): Promise<ApplicationResult> {
  const { applicationId } = input;
  let stage: ApplicationStatus | 'filling' = 'filling';
  let supplied = 0;
  setHandler(proofsSuppliedSignal, () => {
    supplied += 1;
  });
  setHandler(getApplicationStageQuery, () => stage);

  await fillApplicationFields({ applicationId });
  stage = 'obtaining';
  for (;;) {
    const seen = supplied;
    const { asked } = await obtainApplicationProofs({ applicationId });
    if (asked.length === 0) break;
    stage = 'awaiting-proofs';
    if (!(await condition(() => supplied > seen, `${AWAITING_PROOFS_DAYS} days`))) {
      await lapseApplication({ applicationId });
      return { status: 'withdrawn' };
    }
    stage = 'obtaining';
  }

  stage = 'handling';
  const task = await openApplicationTask({ applicationId });
  const args: [HumanTaskInput] = [{ ...task, type: 'application' }];
  const handled = await executeChild<(input: HumanTaskInput) => Promise<HumanTaskResult>>(HUMAN_TASK_WORKFLOW_TYPE, {
    workflowId: taskWorkflowId(task.taskKey),
    args,
  });
  const { outcome } = await decideApplication({ applicationId, taskKey: task.taskKey, taskStatus: handled.status });
  stage = outcome;
  return { status: outcome };
}
