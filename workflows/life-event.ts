/**
 * A life-event case: resolve the policies in force for the event (pinning id, version
 * and hash), pull every policy's declared facts (one read per source for all of them) and
 * decide them, in two local activities, then start one benefit workflow per eligible policy
 * and open manual review for undetermined ones. Personal values stay in the store: the
 * history holds the decisions (outcomes, amounts, in the local activities' markers), not
 * the facts. Cases begun before case-one-read replay their three activities.
 */
import {
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities/index.js';
import { benefitChildWorkflowStart, type BenefitWorkflow } from './contracts/benefit.js';
import {
  CASE_ONE_READ_PATCH,
  CASE_SEARCH_OUTCOME_DEPARTMENT_PATCH,
  caseStatusAttribute,
  CaseStatus,
  getCaseStageQuery,
  type CaseAction,
  type CaseStage,
  type LifeEventInput,
  type LifeEventResult,
} from './contracts/case.js';
import {
  ACTIVITY_OPTIONS,
  departmentsOf,
  SearchAttributes,
  type DecisionSummary,
  type PolicyPlan,
} from './contracts/shared.js';

const { resolvePolicies, collectFacts, evaluateCase, openManualReview, enqueueNotice } = proxyActivities<Activities>({
  ...ACTIVITY_OPTIONS,
  retry: { ...ACTIVITY_OPTIONS.retry, maximumAttempts: 10 },
});

/** The case's own steps since case-one-read: retried in the worker, each recorded as a marker with its result. */
const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: ACTIVITY_OPTIONS.startToCloseTimeout,
  retry: { ...ACTIVITY_OPTIONS.retry, maximumAttempts: 10 },
});

const ACTION_BY_MODE = { auto: 'granted', offer: 'offered', pledge: 'pledged' } as const;

/** One outcome for a case's search attribute: eligible for any policy, else undetermined for any, else ineligible. */
function caseOutcome(decisions: DecisionSummary[]): string {
  for (const outcome of ['eligible', 'undetermined', 'ineligible'] as const)
    if (decisions.some((d) => d.outcome === outcome)) return outcome;
  return 'none';
}

export async function lifeEvent(input: LifeEventInput): Promise<LifeEventResult> {
  let stage: CaseStage = 'resolving';
  setHandler(getCaseStageQuery, () => stage);

  const oneRead = patched(CASE_ONE_READ_PATCH);
  const plans = await (oneRead ? local.resolvePolicies : resolvePolicies)({
    trigger: input.eventType,
    asOf: input.eventDate,
    subjectKind: input.subjectKind,
  });
  upsertSearchAttributes([
    { key: SearchAttributes.policyIds, value: plans.map((plan) => plan.ref.id) },
    caseStatusAttribute(CaseStatus.evaluating),
  ]);

  stage = 'fetching';
  const decisions = oneRead ? await decide() : await collectThenEvaluate();

  if (patched(CASE_SEARCH_OUTCOME_DEPARTMENT_PATCH)) {
    upsertSearchAttributes([
      { key: SearchAttributes.outcome, value: caseOutcome(decisions) },
      { key: SearchAttributes.department, value: departmentsOf(plans) },
    ]);
  }

  stage = 'acting';
  const results: LifeEventResult['decisions'] = [];
  for (const [i, decision] of decisions.entries()) {
    results.push({ ...decision, ...(await act(input, plans[i], decision)) });
  }
  upsertSearchAttributes([caseStatusAttribute(CaseStatus.decided)]);
  stage = 'done';
  return { caseId: input.caseId, decisions: results };

  /** Every policy's facts and decision in one local step. */
  async function decide(): Promise<DecisionSummary[]> {
    const decided = await local.decideCase({
      caseId: input.caseId,
      subjectKey: input.subjectKey,
      asOf: input.eventDate,
      items: plans.map((plan) => ({ policy: plan.ref, facts: plan.facts })),
    });
    stage = 'evaluating';
    return decided;
  }

  /** Before case-one-read: one collectFacts activity per policy, side by side, then evaluateCase. */
  async function collectThenEvaluate(): Promise<DecisionSummary[]> {
    const snapshots = await Promise.all(
      plans.map((plan) =>
        collectFacts({ caseId: input.caseId, subjectKey: input.subjectKey, policy: plan.ref, facts: plan.facts }),
      ),
    );
    stage = 'evaluating';
    return evaluateCase({
      caseId: input.caseId,
      subjectKey: input.subjectKey,
      asOf: input.eventDate,
      items: plans.map((plan, i) => ({ policy: plan.ref, snapshotKey: snapshots[i].snapshotKey })),
    });
  }

  async function act(
    event: LifeEventInput,
    plan: PolicyPlan,
    decision: DecisionSummary,
  ): Promise<{ action: CaseAction; benefitWorkflowId?: string }> {
    if (decision.outcome === 'undetermined') {
      await openManualReview({ caseId: event.caseId, subjectKey: event.subjectKey, decision });
      await enqueueNotice({
        noticeKey: `${event.caseId}:notice:undetermined:${plan.ref.id}`,
        subjectKey: event.subjectKey,
        template: 'decision.undetermined',
        params: { policyTitle: plan.title },
      });
      return { action: 'manual-review' };
    }
    if (decision.outcome !== 'eligible') return { action: 'none' };
    // The start sweeps and objections make too (the benefit contract); a case recorded before the
    // patch started its child without AfDepartment, and replays so.
    const { workflowType, ...start } = benefitChildWorkflowStart(
      { caseId: event.caseId, subjectKey: event.subjectKey, plan, decision },
      { department: patched(CASE_SEARCH_OUTCOME_DEPARTMENT_PATCH) },
    );
    const { workflowId } = start;
    try {
      await startChild<BenefitWorkflow>(workflowType, start);
      return { action: ACTION_BY_MODE[plan.mode], benefitWorkflowId: workflowId };
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError)
        return { action: 'already-handled', benefitWorkflowId: workflowId };
      throw error;
    }
  }
}
