/**
 * Pledge (告知承诺): since PLEDGE_SIGNATURE_PATCH the subject's credit records are read first (a
 * recent false pledge sends the case to verification instead), then the one-time written notice
 * is sent and the grant waits for the citizen's signature (signPledge; none in time: lapsed, no
 * grant). After a durable timer until the inspection date the pledged facts are re-checked
 * against the certifying department's data: a true pledge closes the case (or, drawn for an
 * on-site inspection, goes to an inspector); a false one revokes the grant, opens a recovery and
 * writes a credit record, each once, with notices; missing data goes to an inspector's task.
 * Before the patch the grant was made at once and missing data opened a manual review.
 */
import { patched, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  getBenefitStatusQuery,
  PLEDGE_SIGNATURE_PATCH,
  type BenefitInput,
  type BenefitResult,
  type BenefitStatus,
} from './contracts/benefit.js';
import { ACTIVITY_OPTIONS } from './contracts/shared.js';
import { signedPledge } from './signed-pledge.js';

const { recordPledge, recordGrant, inspectPledge, closePledge, revokePledgedGrant, openManualReview, enqueueNotice } =
  proxyActivities<Activities>(ACTIVITY_OPTIONS);

const DAY_MS = 24 * 60 * 60 * 1000;

export async function pledgeBenefit(input: BenefitInput): Promise<BenefitResult> {
  if (patched(PLEDGE_SIGNATURE_PATCH)) return signedPledge(input);
  let status: BenefitStatus = 'granting';
  setHandler(getBenefitStatusQuery, () => status);
  const { workflowId } = workflowInfo();
  const inspectAfterDays = input.plan.pledge?.inspectAfterDays ?? 30;
  const inspectOn = new Date(Date.now() + inspectAfterDays * DAY_MS).toISOString().slice(0, 10);
  const params = {
    policyTitle: input.plan.title,
    amount: input.decision.amount,
    period: input.decision.period,
    date: inspectOn,
  };
  const notify = (suffix: string, template: Parameters<typeof enqueueNotice>[0]['template']) =>
    enqueueNotice({ noticeKey: `${workflowId}:notice:${suffix}`, subjectKey: input.subjectKey, template, params });

  await recordPledge({ pledgeKey: workflowId, inspectOn, ...input });
  const grant = await recordGrant({ grantKey: workflowId, basis: 'pledge', ...input });
  status = 'pledged';
  await notify('pledged', 'pledge.granted');

  await sleep(inspectAfterDays * DAY_MS);

  const inspection = await inspectPledge({ pledgeKey: workflowId, ...input });
  switch (inspection.result) {
    case 'passed':
      await closePledge({ pledgeKey: workflowId, status: 'passed', discrepancies: [] });
      status = 'inspection-passed';
      await notify('passed', 'pledge.passed');
      break;
    case 'failed':
      await closePledge({ pledgeKey: workflowId, status: 'failed', discrepancies: inspection.discrepancies });
      await revokePledgedGrant({
        grantKey: workflowId,
        subjectKey: input.subjectKey,
        policyId: input.plan.ref.id,
        reason: inspection.discrepancies.join('; '),
      });
      status = 'revoked';
      await notify('revoked', 'pledge.revoked');
      break;
    case 'inconclusive':
      // Missing data never revokes: an officer finishes the inspection by hand.
      await openManualReview({
        caseId: `${workflowId}:inspection`,
        subjectKey: input.subjectKey,
        decision: {
          ...input.decision,
          outcome: 'undetermined',
          missingFacts: inspection.missingFacts,
          failedSources: [],
        },
      });
      status = 'inspection-inconclusive';
      break;
  }
  return { status, grantCreated: grant.created };
}
