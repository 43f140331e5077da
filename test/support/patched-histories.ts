/**
 * The histories recorded after a patch, named `<path>@<patch>` in RECORDED_HISTORIES: the path
 * each pins (historySteps, with the patch marker where patched() first took the new branch) and
 * what its run returned. test/replay.test.ts checks these with the others; test/replay-patches.test.ts
 * checks the patch each records and that code without the new branch cannot replay it.
 */
import { RECORDED_HISTORIES, type HistoryName } from './histories.js';

export type PatchedHistoryName = Extract<HistoryName, `${string}@${string}`>;

export interface HistoryPath {
  steps: string[];
  result: Record<string, unknown>;
}

/**
 * The patch a history's name says it covers and, when one was recorded, the history of the same
 * path from before that patch (a path new with the patch, say an answer by update, has none).
 */
export function patchOf(name: PatchedHistoryName): { patch: string; before?: HistoryName } {
  const [path, patch] = name.split('@');
  return path in RECORDED_HISTORIES ? { patch, before: path as HistoryName } : { patch };
}

const CASE_STEPS = ['resolvePolicies', 'collectFacts', 'evaluateCase'];
/** What a 60th birthday's case decides, before case-one-read and since: four policies, the senior card offered. */
export const SIXTIETH_DECISIONS = [
  { policy: { id: 'childcare-subsidy' }, outcome: 'ineligible', action: 'none' },
  { policy: { id: 'compulsory-school-enrollment' }, outcome: 'ineligible', action: 'none' },
  { policy: { id: 'old-age-allowance' }, outcome: 'ineligible', action: 'none' },
  { policy: { id: 'senior-preferential-card' }, outcome: 'eligible', action: 'offered' },
];
/** A signed pledge up to its inspection: the signature ends the signing period's timer, the grant follows. */
const SIGNED_PLEDGE_STEPS = [
  'patch pledge-signature',
  'checkPledgeCredit',
  'recordPledgeNotice',
  'enqueueNotice',
  'timer 30d',
  'update signPledge',
  'recordPledgeSignature',
  'timer cancelled',
  'recordGrant',
  'enqueueNotice',
  'timer 30d',
  'timer fired',
];

export const PATCHED_HISTORY_PATHS: Record<PatchedHistoryName, HistoryPath> = {
  'life-event-birth-granted@case-search-outcome-department': {
    steps: [...CASE_STEPS, 'patch case-search-outcome-department', 'child grantBenefit'],
    result: {
      decisions: [
        { policy: { id: 'childcare-subsidy' }, outcome: 'eligible', amount: 3000, period: '2026', action: 'granted' },
      ],
    },
  },
  // Since case-one-read the case is two local activities: no collectFacts, no evaluateCase.
  'life-event-birth-granted@case-one-read': {
    steps: [
      'patch case-one-read',
      'local resolvePolicies',
      'local decideCase',
      'patch case-search-outcome-department',
      'child grantBenefit',
    ],
    result: {
      decisions: [
        { policy: { id: 'childcare-subsidy' }, outcome: 'eligible', amount: 3000, period: '2026', action: 'granted' },
      ],
    },
  },
  // Since grant-local the grant and its notice are local activities in the grant's first workflow task.
  'grant-benefit@grant-local': {
    steps: ['patch grant-local', 'local recordGrant', 'local enqueueNotice'],
    result: { status: 'granted', grantCreated: true },
  },
  // Four policies answer an age milestone: one decideCase for all of them (one read per source).
  'life-event-sixtieth-offered@case-one-read': {
    steps: [
      'patch case-one-read',
      'local resolvePolicies',
      'local decideCase',
      'patch case-search-outcome-department',
      'child offerBenefit',
    ],
    result: { decisions: SIXTIETH_DECISIONS },
  },
  // Since offer-answer-update an answer is acted on where it arrives: the offer closes before the wait's timer is cancelled.
  'offer-confirmed@offer-answer-update': {
    steps: [
      'recordOffer',
      'enqueueNotice',
      'timer 23d',
      'update answerOffer',
      'patch offer-answer-update',
      'closeOffer',
      'timer cancelled',
      'recordGrant',
      'enqueueNotice',
    ],
    result: { status: 'confirmed', grantCreated: true },
  },
  'offer-declined@offer-answer-update': {
    steps: [
      'recordOffer',
      'enqueueNotice',
      'timer 23d',
      'update answerOffer',
      'patch offer-answer-update',
      'closeOffer',
      'timer cancelled',
      'enqueueNotice',
    ],
    result: { status: 'declined' },
  },
  'offer-confirmed-by-signal@offer-answer-update': {
    steps: [
      'recordOffer',
      'enqueueNotice',
      'timer 23d',
      'signal confirmOffer',
      'patch offer-answer-update',
      'closeOffer',
      'timer cancelled',
      'recordGrant',
      'enqueueNotice',
    ],
    result: { status: 'confirmed', grantCreated: true },
  },
  // Since pledge-signature the credit records are read, the written notice sent, and the grant waits for the signature.
  'pledge-passed@pledge-signature': {
    steps: [...SIGNED_PLEDGE_STEPS, 'inspectPledge', 'closePledge', 'enqueueNotice'],
    result: { status: 'inspection-passed', grantCreated: true },
  },
  'pledge-revoked@pledge-signature': {
    steps: [...SIGNED_PLEDGE_STEPS, 'inspectPledge', 'closePledge', 'revokePledgedGrant', 'enqueueNotice'],
    result: { status: 'revoked', grantCreated: true },
  },
  'pledge-inconclusive@pledge-signature': {
    steps: [...SIGNED_PLEDGE_STEPS, 'inspectPledge', 'openPledgeTask'],
    result: { status: 'inspection-inconclusive', grantCreated: true },
  },
  'pledge-lapsed@pledge-signature': {
    steps: [
      'patch pledge-signature',
      'checkPledgeCredit',
      'recordPledgeNotice',
      'enqueueNotice',
      'timer 30d',
      'timer fired',
      'lapsePledge',
      'enqueueNotice',
    ],
    result: { status: 'lapsed' },
  },
  'pledge-verified@pledge-signature': {
    steps: ['patch pledge-signature', 'checkPledgeCredit', 'verifyInsteadOfPledge', 'recordGrant', 'enqueueNotice'],
    result: { status: 'verified', grantCreated: true },
  },
  // Since sweep-steer-update a resumed sweep records its running status before its next slice.
  'sweep-paused-continued@sweep-steer-update': {
    steps: [
      'update steerSweep',
      'pinSweepPolicy',
      'recordSweep',
      'recordSweep',
      'update steerSweep',
      'patch sweep-steer-update',
      'recordSweep',
      'screenSlice',
      'recordSweep',
      'screenSlice',
      'recordSweep',
    ],
    result: { continuedAsNew: { slices: 2, paused: false, counts: { processed: 200 } } },
  },
  // Since sweep-parts a sweep asked for parts splits the city and runs a child per part: new path, no history before it.
  'sweep-parts@sweep-parts': {
    steps: [
      'pinSweepPolicy',
      'recordSweep',
      'patch sweep-parts',
      'splitSweep',
      'child sweepPart',
      'child sweepPart',
      // Each part reports after each slice (4 each, the last finding no one left) and at its end; each report is recorded.
      ...Array.from({ length: 6 }, () => ['signal sweepPartProgress', 'recordSweep']).flat(),
      'signal sweepPartProgress',
      'signal sweepPartProgress',
      'recordSweep',
      'recordSweep',
    ],
    result: { status: 'done', total: 300, processed: 300, slices: 8 },
  },
};
