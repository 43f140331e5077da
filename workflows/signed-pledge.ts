/**
 * The pledge workflow's branch since PLEDGE_SIGNATURE_PATCH (workflows/pledge.ts asks the patch and
 * runs this): credit read back, the written notice, the citizen's signature (signPledge), then the
 * grant and the inspection. Not a workflow of its own: pledgeBenefit's code, in a file of its own so
 * the branch from before the patch stays readable as it was.
 */
import { ApplicationFailure, condition, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { CreditBar } from '../activities/pledges.js';
import type { Text } from '../domain/sources.js';
import {
  getBenefitStatusQuery,
  PLEDGE_DEFAULTS,
  signPledgeUpdate,
  type BenefitInput,
  type BenefitResult,
  type BenefitStatus,
  type PledgeSignature,
} from './contracts/benefit.js';
import { ACTIVITY_OPTIONS, ErrorType } from './contracts/shared.js';

const {
  checkPledgeCredit,
  recordPledgeNotice,
  recordPledgeSignature,
  lapsePledge,
  verifyInsteadOfPledge,
  openPledgeTask,
  recordGrant,
  inspectPledge,
  closePledge,
  revokePledgedGrant,
  enqueueNotice,
} = proxyActivities<Activities>(ACTIVITY_OPTIONS);

const DAY_MS = 24 * 60 * 60 * 1000;
type Template = Parameters<typeof enqueueNotice>[0]['template'];

/** Why pledge mode is barred, in the subject's words: the credit record, its policy and how long it bars. */
function barReason(record: CreditBar): Text {
  const on = record.recordedAt.slice(0, 10);
  return {
    zh: `${on} 记录的不实承诺信用记录（${record.policyId}，限制告知承诺至 ${record.barredUntil}）`,
    en: `a false-pledge credit record of ${on} (${record.policyId}), which bars pledge mode until ${record.barredUntil}`,
  };
}

const refuse = (type: ErrorType, message: string, details: string[] = []) =>
  ApplicationFailure.create({ type, message, details, nonRetryable: true });

/** pledgeBenefit since PLEDGE_SIGNATURE_PATCH (the file's header says what it does). */
export async function signedPledge(input: BenefitInput): Promise<BenefitResult> {
  let status: BenefitStatus = 'granting';
  setHandler(getBenefitStatusQuery, () => status);
  const { workflowId } = workflowInfo();
  const pledge = input.plan.pledge;
  const signWithinDays = pledge?.signWithinDays ?? PLEDGE_DEFAULTS.signWithinDays;
  const inspectAfterDays = pledge?.inspectAfterDays ?? 30;
  const dayIn = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString();
  const task = {
    pledgeKey: workflowId,
    caseId: input.caseId,
    subjectKey: input.subjectKey,
    policyId: input.plan.ref.id,
  };
  const department = input.plan.department ? { department: input.plan.department.zh } : {};
  const notify = (suffix: string, template: Template, extra: { date?: string; reason?: Text } = {}) =>
    enqueueNotice({
      noticeKey: `${workflowId}:notice:${suffix}`,
      subjectKey: input.subjectKey,
      template,
      params: { policyTitle: input.plan.title, amount: input.decision.amount, period: input.decision.period, ...extra },
    });

  // The signature: taken once, only for the notice sent, only within the signing period.
  let noticeHash: string | undefined = undefined;
  let expired = false;
  let signature: PledgeSignature | undefined;
  let signedAt = '';
  let inspectOn = '';
  let signatureRecorded = false;
  let grant: { key: string; created: boolean } | undefined = undefined;
  /** Why a signature cannot be taken now, or nothing; the hash is checked once the notice is recorded. */
  const refusalOf = (given: PledgeSignature) => {
    if (signature !== undefined) return refuse(ErrorType.AlreadySigned, `the pledge was signed at ${signedAt}`);
    if (expired) return refuse(ErrorType.PledgeExpired, 'the signing period is over: the pledge lapsed');
    if (noticeHash !== undefined && given?.noticeHash !== noticeHash)
      return refuse(ErrorType.NoticeChanged, 'the signature names a notice other than the one sent', [noticeHash]);
    if (given?.channel !== 'app' && given?.channel !== 'window')
      return refuse(
        ErrorType.InvalidInput,
        `a pledge is signed in the app or at a window, not ${String(given?.channel)}`,
      );
    if (given.channel === 'window' && (!given.staffId || !given.paperFormRef))
      return refuse(ErrorType.InvalidInput, 'a signature at the window names the staff member and the paper form');
    return undefined;
  };
  setHandler(
    signPledgeUpdate,
    async (given) => {
      // The citizen may read the stored notice a moment before this run has its hash back from the activity.
      await condition(() => noticeHash !== undefined);
      const refused = refusalOf(given);
      if (refused) throw refused;
      signature = given;
      signedAt = new Date().toISOString();
      inspectOn = dayIn(inspectAfterDays).slice(0, 10);
      await recordPledgeSignature({ pledgeKey: workflowId, signature: given, signedAt, inspectOn });
      signatureRecorded = true;
      await condition(() => grant !== undefined);
      return { signedAt, grant: grant! };
    },
    {
      validator: (given) => {
        const refused = refusalOf(given);
        if (refused) throw refused;
      },
    },
  );

  // A recent false pledge bars pledge mode: the facts are verified with the departments instead.
  const credit = await checkPledgeCredit({
    subjectKey: input.subjectKey,
    ...(pledge?.creditBlockDays === undefined ? {} : { creditBlockDays: pledge.creditBlockDays }),
  });
  if (credit.barred) {
    const reason = barReason(credit.record);
    const verification = await verifyInsteadOfPledge({ pledgeKey: workflowId, ...input });
    if (verification.result === 'passed') {
      const verified = await recordGrant({ grantKey: workflowId, basis: 'verified', ...input });
      status = 'verified';
      await notify('verified', 'pledge.barred-granted', { reason });
      return { status, grantCreated: verified.created };
    }
    await openPledgeTask({
      key: `${workflowId}:verification`,
      type: 'review',
      ...task,
      ...department,
      missingFacts: verification.result === 'inconclusive' ? verification.missingFacts : (pledge?.pledgedFacts ?? []),
    });
    status = 'in-review';
    await notify('review', 'pledge.barred-review', { reason });
    return { status };
  }

  // The one-time written notice; the grant waits for the signature.
  const signBy = dayIn(signWithinDays);
  const recorded = await recordPledgeNotice({
    pledgeKey: workflowId,
    signBy,
    inspectOn: dayIn(signWithinDays + inspectAfterDays).slice(0, 10),
    ...input,
  });
  noticeHash = recorded.noticeHash;
  status = 'awaiting-signature';
  await notify('notice', 'pledge.notice', { date: signBy.slice(0, 10) });

  await condition(() => signature !== undefined, signWithinDays * DAY_MS);
  if (signature === undefined) {
    expired = true;
    await lapsePledge({ pledgeKey: workflowId });
    status = 'lapsed';
    await notify('lapsed', 'pledge.lapsed', { date: signBy.slice(0, 10) });
    return { status };
  }
  await condition(() => signatureRecorded);
  const granted = await recordGrant({ grantKey: workflowId, basis: 'pledge', ...input });
  grant = { key: workflowId, created: granted.created };
  status = 'pledged';
  await notify('pledged', 'pledge.granted', { date: inspectOn });

  await sleep(inspectAfterDays * DAY_MS);

  const inspection = await inspectPledge({ pledgeKey: workflowId, ...input });
  switch (inspection.result) {
    case 'passed':
      if (recorded.onSite) {
        // The data agrees; the policy still wants eyes on site (a high-risk amount, or the sample).
        await openPledgeTask({ key: `${workflowId}:on-site`, type: 'inspection', ...task, ...department });
        status = 'inspection-on-site';
        break;
      }
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
        creditBlockDays: pledge?.creditBlockDays ?? PLEDGE_DEFAULTS.creditBlockDays,
      });
      status = 'revoked';
      await notify('revoked', 'pledge.revoked');
      break;
    case 'inconclusive':
      // Missing data never revokes: an inspector settles it (inspectionResolution takes the finding).
      await openPledgeTask({
        key: `${workflowId}:inspection`,
        type: 'inconclusive-inspection',
        ...task,
        ...department,
        missingFacts: inspection.missingFacts,
      });
      status = 'inspection-inconclusive';
      break;
  }
  return { status, grantCreated: granted.created };
}
