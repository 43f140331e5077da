/**
 * A review closes its case (人工审核办结): started by the review task's workflow as its child when
 * the reviewer completes it (workflows/contracts/task.ts), it decides the case's pinned policy
 * again with the facts the reviewer supplied (or takes the reviewer's outright decision), then
 * acts as the case would: the benefit workflow of the policy's mode (its grant, offer or pledge
 * notices follow as usual), a refusal's sealed letter and notice, or the review opened again when
 * the facts still missing were not supplied. Every activity is keyed by the task, so a retry or
 * a second start decides, grants and notifies once.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { ACTIVITY_OPTIONS } from './contracts/shared.js';
import type { TaskResolutionInput, TaskResolutionResult } from './contracts/task.js';

const { decideReview, startReviewedBenefit, issueReviewRefusal, reopenReview, enqueueNotice } =
  proxyActivities<Activities>({
    ...ACTIVITY_OPTIONS,
    retry: { ...ACTIVITY_OPTIONS.retry, maximumAttempts: 10 },
  });

const HOW_BY_MODE = {
  auto: { action: 'granted', zh: '已直接发放', en: 'granted' },
  offer: { action: 'offered', zh: '已推送本人一键确认', en: 'offered for the person’s one-tap confirmation' },
  pledge: { action: 'pledged', zh: '已按告知承诺办理', en: 'granted on a pledge' },
} as const;

export async function reviewResolution(input: TaskResolutionInput): Promise<TaskResolutionResult> {
  const { decisionKey, plan, decision } = await decideReview(input);
  const caseId = input.caseId!;
  const subjectKey = input.subjectKey!;
  const title = plan.title;

  if (decision.outcome === 'eligible') {
    const { workflowId, byAnotherCase } = await startReviewedBenefit({ caseId, subjectKey, plan, decision });
    if (byAnotherCase)
      return {
        action: 'already-handled',
        text: {
          zh: `审核后符合条件，但「${title.zh}」（${decision.period}）已由其他案件办理，未重复办理`,
          en: `eligible on review, but ${title.en} (${decision.period}) was already handled by another case: nothing was granted twice`,
        },
        benefitWorkflowId: workflowId,
      };
    const how = HOW_BY_MODE[plan.mode];
    const amount =
      decision.amount === undefined
        ? { zh: '', en: '' }
        : { zh: `，金额 ${decision.amount} 元`, en: ` (CNY ${decision.amount})` };
    return {
      action: how.action,
      text: {
        zh: `审核后符合条件：「${title.zh}」${how.zh}${amount.zh}`,
        en: `eligible on review: ${title.en} ${how.en}${amount.en}`,
      },
      benefitWorkflowId: workflowId,
    };
  }

  if (decision.outcome === 'ineligible') {
    await issueReviewRefusal({ decisionKey, subjectKey });
    await enqueueNotice({
      noticeKey: `${input.taskKey}:notice:refused`,
      subjectKey,
      template: 'decision.refused',
      params: { policyTitle: title },
    });
    return {
      action: 'refused',
      text: {
        zh: `审核后不符合条件：「${title.zh}」不予办理，已出具决定书并通知本人`,
        en: `not eligible on review: ${title.en} refused; the decision letter was issued and the person told`,
      },
    };
  }

  const again = await reopenReview({ taskKey: input.taskKey, caseId, subjectKey, plan, decision });
  const missing = decision.missingFacts.join(', ');
  return {
    action: 'still-undetermined',
    text: {
      zh: `补充的事实仍不足以判定「${title.zh}」（仍缺：${missing}），已重新转人工审核（${again.taskKey}）`,
      en: `${title.en} still cannot be decided (missing: ${missing}); the review was opened again as ${again.taskKey}`,
    },
  };
}
