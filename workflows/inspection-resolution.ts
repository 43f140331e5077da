/**
 * What an inspector's finding (事中事后核查) does to the pledge: started by the humanTask workflow as
 * its child when an `inspection` or `inconclusive-inspection` task is completed with a finding
 * (TASK_RESOLUTION_WORKFLOW). The finding, notes and evidence references are stored on the pledge
 * once; then conforms closes it passed, does-not-conform revokes the grant with its recovery and a
 * credit record, cannot-verify closes it unverified with the grant standing — each with one notice,
 * keyed by the pledge as the automatic re-check keys its own, so the citizen never hears twice.
 */
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { ACTIVITY_OPTIONS, ErrorType } from './contracts/shared.js';
import type { TaskResolutionInput, TaskResolutionResult } from './contracts/task.js';

const { recordInspectionFinding, closePledge, revokePledgedGrant, enqueueNotice } =
  proxyActivities<Activities>(ACTIVITY_OPTIONS);

type Template = Parameters<typeof enqueueNotice>[0]['template'];

export async function inspectionResolution(input: TaskResolutionInput): Promise<TaskResolutionResult> {
  const { outcome, source } = input;
  if (source.kind !== 'pledge' || outcome.kind !== 'finding')
    throw ApplicationFailure.create({
      type: ErrorType.InvalidInput,
      message: `an inspection resolves a pledge with a finding, not a ${source.kind} with ${outcome.kind}`,
      nonRetryable: true,
    });
  const pledgeKey = source.key;
  const pledge = await recordInspectionFinding({
    pledgeKey,
    taskKey: input.taskKey,
    finding: outcome.finding,
    notes: outcome.notes,
    evidence: outcome.evidence,
    by: input.by,
  });
  if (pledge.status !== 'pending')
    return {
      action: 'recorded',
      text: {
        zh: `核查结论已记录；该承诺此前已办结（${pledge.status}），不再变更`,
        en: `finding recorded; the pledge was already closed (${pledge.status}) and is left as it is`,
      },
    };
  const notify = (suffix: string, template: Template) =>
    enqueueNotice({
      noticeKey: `${pledgeKey}:notice:${suffix}`,
      subjectKey: pledge.subjectKey,
      template,
      params: { policyTitle: pledge.policyTitle, amount: pledge.amount, period: pledge.period },
    });

  switch (outcome.finding) {
    case 'conforms':
      await closePledge({ pledgeKey, status: 'passed', discrepancies: [] });
      await notify('passed', 'pledge.passed');
      return { action: 'passed', text: { zh: '核查符合承诺，已办结', en: 'the pledge conforms; closed as passed' } };
    case 'does-not-conform': {
      const reason = `核查人员认定承诺不实 inspector found the pledge false: ${outcome.notes}`;
      await closePledge({ pledgeKey, status: 'failed', discrepancies: [reason] });
      const { recovered } = await revokePledgedGrant({
        grantKey: pledgeKey,
        subjectKey: pledge.subjectKey,
        policyId: pledge.policyId,
        reason,
        creditBlockDays: pledge.creditBlockDays,
      });
      await notify('revoked', 'pledge.revoked');
      return {
        action: 'revoked',
        text: {
          zh: `承诺不实：已撤销发放，追回 ${recovered} 元，记入信用记录`,
          en: `the pledge is false: grant revoked, CNY ${recovered} to recover, credit record written`,
        },
      };
    }
    case 'cannot-verify':
      // Nothing shows the pledge false: the grant stands; the record says it was never verified.
      await closePledge({ pledgeKey, status: 'unverified', discrepancies: [] });
      await notify('unverified', 'pledge.unverified');
      return {
        action: 'unverified',
        text: {
          zh: '无法核实：维持办理，记为未核实',
          en: 'could not verify: the grant stands, recorded as unverified',
        },
      };
  }
}
