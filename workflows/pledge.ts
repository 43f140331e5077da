/**
 * Pledge (告知承诺): grant now on the citizen's pledge, wait on a durable timer until the
 * inspection date, then re-check the pledged facts against the certifying department's
 * data. A true pledge closes the case; a false one revokes the grant, opens a recovery
 * and writes a credit record, each once, with notices; missing data goes to an officer.
 */
import { proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  getBenefitStatusQuery,
  type BenefitInput,
  type BenefitResult,
  type BenefitStatus,
} from './contracts/benefit.js';
import { ACTIVITY_OPTIONS } from './contracts/shared.js';

const { recordPledge, recordGrant, inspectPledge, closePledge, revokePledgedGrant, openManualReview, enqueueNotice } =
  proxyActivities<Activities>(ACTIVITY_OPTIONS);

const DAY_MS = 24 * 60 * 60 * 1000;

export async function pledgeBenefit(input: BenefitInput): Promise<BenefitResult> {
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
