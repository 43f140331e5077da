/**
 * An objection (异议): started when it is filed, it waits for the owning department's
 * correction (or a supervisor's re-check or rejection), then re-evaluates the objected decision
 * with the stated reason, records the new decision, settles the difference — arrears paid or an
 * over-payment recovered; for a benefit in kind, its workflow started or the grant revoked — and
 * tells the citizen. Only the first answer counts: a duplicate
 * signal changes nothing, and every activity is keyed by the objection, so retries pay nothing twice.
 */
import {
  condition,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  getObjectionStageQuery,
  OBJECTION_BENEFITS_IN_KIND_PATCH,
  OBJECTION_LATER_PERIODS_PATCH,
  objectionCorrectedSignal,
  objectionResolvedSignal,
  type ObjectionInput,
  type ObjectionResult,
  type ObjectionStage,
} from './contracts/objection.js';
import { caseStatusAttribute, CaseStatus } from './contracts/case.js';
import { ACTIVITY_OPTIONS, SearchAttributes } from './contracts/shared.js';

const { reevaluateObjection, settleObjection, closeObjection, enqueueNotice } = proxyActivities<Activities>({
  ...ACTIVITY_OPTIONS,
  retry: { ...ACTIVITY_OPTIONS.retry, maximumAttempts: 10 },
});

export async function objection(input: ObjectionInput): Promise<ObjectionResult> {
  let stage: ObjectionStage = 'waiting';
  let answer: 'corrected' | 'reevaluate' | 'reject' | undefined;
  setHandler(getObjectionStageQuery, () => stage);
  setHandler(objectionCorrectedSignal, () => void (answer ??= 'corrected'));
  setHandler(objectionResolvedSignal, (action) => void (answer ??= action));
  const { workflowId } = workflowInfo();
  const notify = (
    suffix: string,
    template: Parameters<typeof enqueueNotice>[0]['template'],
    params: { amount?: number; period?: string } = {},
  ) =>
    enqueueNotice({
      noticeKey: `${workflowId}:notice:${suffix}`,
      subjectKey: input.subjectKey,
      template,
      params: { policyTitle: input.policyTitle, ...params },
    });

  await condition(() => answer !== undefined);

  if (answer === 'reject') {
    await closeObjection({ objectionId: input.objectionId, status: 'rejected' });
    stage = 'rejected';
    upsertSearchAttributes([caseStatusAttribute(CaseStatus.objectionRejected)]);
    await notify('rejected', 'objection.rejected');
    return { status: 'rejected', arrears: 0, overpayment: 0 };
  }

  stage = 're-evaluating';
  const reevaluation = await reevaluateObjection({ objectionId: input.objectionId, workflowId });
  stage = 'settling';
  const outcome = await settleObjection({ objectionId: input.objectionId, reevaluation });
  await closeObjection({ objectionId: input.objectionId, status: 'resolved', outcome });
  stage = 'resolved';
  upsertSearchAttributes([
    { key: SearchAttributes.outcome, value: outcome.outcome },
    caseStatusAttribute(CaseStatus.objectionResolved),
  ]);
  // Later periods decided on the same records are settled too (added after the first objections ran): the notice names each.
  const settled = outcome.periods.filter((p) => p.arrearsKey || p.recoveryKey).map((p) => p.period);
  const period =
    patched(OBJECTION_LATER_PERIODS_PATCH) && settled.length > 1 ? settled.join(', ') : reevaluation.period;
  // Benefits in kind (a card, a school place) are started or revoked, not paid (added after the first objections ran).
  const inKind = patched(OBJECTION_BENEFITS_IN_KIND_PATCH);
  if (outcome.arrears) await notify('arrears', 'objection.arrears', { amount: outcome.arrears, period });
  else if (outcome.overpayment) await notify('recovery', 'objection.recovery', { amount: outcome.overpayment, period });
  else if (inKind && outcome.benefitWorkflowId) await notify('benefit', 'objection.benefit', { period });
  else if (inKind && outcome.revokedGrantKeys?.length) await notify('revoked', 'objection.revoked', { period });
  else await notify('unchanged', 'objection.unchanged', { period });
  return {
    status: 'resolved',
    outcome: outcome.outcome,
    previousOutcome: outcome.previousOutcome,
    ...(outcome.amountBefore === undefined ? {} : { amountBefore: outcome.amountBefore }),
    ...(outcome.amountAfter === undefined ? {} : { amountAfter: outcome.amountAfter }),
    arrears: outcome.arrears ?? 0,
    overpayment: outcome.overpayment ?? 0,
    ...(outcome.benefitWorkflowId ? { benefitWorkflowId: outcome.benefitWorkflowId } : {}),
    ...(outcome.revokedGrantKeys?.length ? { revoked: outcome.revokedGrantKeys.length } : {}),
  };
}
