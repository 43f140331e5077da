/**
 * The retention schedule (security review S18; PIPL art. 19: the shortest period the purpose
 * needs): how long each kind of personal data is kept, and what happens after. The purge job
 * (services/retention/purge.ts, run daily by a Temporal Schedule) applies the rows it owns; the
 * others say who does. docs/RETENTION.md is this table in words. The periods are the city's to set
 * with its legal office; these are defaults with the reason for each.
 */

/** What happens to a record once its period is over. */
export type RetentionAction =
  | 'delete'
  /** The record stays (it is the basis of a grant); the personal values in it are removed. */
  | 'remove-values'
  /** Kept for the period, then by whoever holds it (a platform, Temporal, BullMQ), not by the purge job. */
  | 'elsewhere'
  /** Not purged: kept for the statutory period, or chained (audit), or owned by another department. */
  | 'keep';

export interface RetentionRule {
  /** What the data is. */
  data: string;
  /** Where it is kept. */
  collection: string;
  /** Days after `from` it is kept; undefined where the purge job does not count them. */
  days?: number;
  /** The date field the period runs from. */
  from?: string;
  action: RetentionAction;
  /** Why this long, or why not purged. */
  why: string;
}

/** Days, so the table reads as periods. */
const YEAR = 365;

export const RETENTION: readonly RetentionRule[] = [
  {
    data: 'fact snapshots: the shared data a case read (raw values, sensitive ones included)',
    collection: 'fact_snapshots',
    days: YEAR,
    from: 'takenAt',
    action: 'delete',
    why: 'needed to explain a decision and to settle an objection; after a year the objection, reconsideration (60 days) and litigation (6 months) windows have passed, and an objection re-reads the sources anyway',
  },
  {
    data: "decisions' condition values (each condition's fact value, and the value shown beside a fact a reviewer supplied)",
    collection: 'decisions',
    days: YEAR,
    from: 'decidedAt',
    action: 'remove-values',
    why: 'the explanation shown to the citizen and supervisors, kept as long as the snapshot it came from; the decision itself (outcome, amount, period, which conditions held) stays as the basis of the grant',
  },
  {
    data: 'eligibility horizons: the day an ineligible subject becomes eligible',
    collection: 'eligibility_horizons',
    days: 30,
    from: 'date',
    action: 'delete',
    why: 'used by the due sweep of that day; a month later only to look into a missed run',
  },
  {
    data: 'resident and enterprise codes: which code shows what, for whom (a pseudonymous key), until when',
    collection: 'codes',
    days: 1,
    from: 'expiresAt',
    action: 'delete',
    why: 'a code is good for about a minute; a day after, a scan of it is refused as expired all the same, and the scans it had are kept in `code_scans`',
  },
  {
    data: 'inbox notices (full text of what the citizen was told)',
    collection: 'inbox',
    days: 2 * YEAR,
    from: 'deliveredAt',
    action: 'delete',
    why: 'the citizen’s own copy; grants, offers and pledges stay in their own records',
  },
  {
    data: 'notice delivery records (channel, status, attempts)',
    collection: 'notices',
    days: YEAR,
    from: 'queuedAt',
    action: 'delete',
    why: 'proof of delivery while a notice can be disputed',
  },
  {
    data: 'scans uploaded for an application when a proof’s replacement failed (the last resort)',
    collection: 'application_uploads',
    days: YEAR,
    from: 'at',
    action: 'delete',
    why: 'the handling department decides on the scan within the statutory limit; a year covers the objection, reconsideration (60 days) and litigation (6 months) windows of that decision, and the application keeps the scan’s SHA-256 and name as the record that it was seen',
  },
  {
    data: 'proof-free applications (matter, how each field was filled and each proof obtained, typed contact details, the decision)',
    collection: 'applications',
    action: 'keep',
    why: 'the department’s case file of the decision (行政许可/给付 records) and the basis of the seed indicators; pseudonymous keys only',
  },
  {
    data: 'verifications asked by departments and the proof archive (answers yes/no/cannot-tell, never the facts)',
    collection: 'verifications, proofs, proof_reuses',
    action: 'keep',
    why: 'what was answered to whom is the record a department relies on; pseudonymous keys only; a death, a correction or an erasure revokes the answers, which are never reused after',
  },
  {
    data: 'notice jobs in the queues',
    collection: 'Redis (BullMQ)',
    action: 'elsewhere',
    why: 'BullMQ removes a delivered job after an hour and a failed one after 7 days (notices/queues.ts NOTICE_JOB_OPTIONS)',
  },
  {
    data: 'the API access log',
    collection: 'stdout → the platform’s log store',
    days: 183,
    action: 'elsewhere',
    why: 'Cybersecurity Law art. 21: network logs kept at least six months; ship them to append-only storage and expire them there after 6-12 months',
  },
  {
    data: 'audit streams: access records, programme access, case reads, unmasks, corrections, policy history, objection steps, erasures, code scans, data-catalog versions, versions of the list of matters',
    collection:
      'access_records, programme_access, case_reads, unmask_log, data_corrections, policy_history, objections.steps, erasures, code_scans, catalog_versions, matter_versions',
    action: 'keep',
    why: 'hash-chained (store/audit-chain.ts): a record cannot leave without breaking the chain, so the streams are kept (pseudonymous keys only) for at least five years; purging them by whole blocks with a recorded checkpoint is the later step',
  },
  {
    data: 'service window visits and what staff did in them (window, staff, reason, the person’s consent, prints)',
    collection: 'window_visits, window_acts',
    action: 'keep',
    why: 'who served the person in person and what was done for them with their consent, kept with the grants and objections it led to; pseudonymous keys only, the ID card’s number is never stored (its reveal is in unmask_log)',
  },
  {
    data: 'grants, recoveries, offers, pledges and inspections',
    collection: 'grants, recoveries, offers, pledges',
    action: 'keep',
    why: 'the ledger of public money: kept for the statutory period of accounting records; pseudonymous keys only',
  },
  {
    data: 'entitlements and their transitions, payment lines and batches, stops on death or move-out',
    collection: 'entitlements, entitlement_transitions, payment_lines, payment_batches, subject_stops',
    action: 'keep',
    why: 'the payroll is public money too: kept with the grants for the statutory period of accounting records; pseudonymous keys only',
  },
  {
    data: 'the ledger, the bank’s returns worklist, bank exports and the files as sent (beneficiary name and account)',
    collection: 'ledger_lines, payment_returns, bank_exports, bank_file_chunks',
    action: 'keep',
    why: 'accounting records of public money: the ledger and worklist under pseudonymous keys; a bank file is the payment instruction as the bank received it, kept whole for the same statutory period',
  },
  {
    data: 'life events and deliveries (pseudonymised payloads)',
    collection: 'life_events, event_deliveries',
    action: 'keep',
    why: 'the case each grant hangs on; erasure clears a subject’s payloads',
  },
  {
    data: 'the subject register (resident ID or credit code ↔ key)',
    collection: 'subjects',
    action: 'keep',
    why: 'needed while the subject has records here; `applyfree subject erase` removes the identifier',
  },
  {
    data: 'shared-data platform copies (dp_*)',
    collection: 'dp_*',
    action: 'keep',
    why: 'the providing departments’ records: their retention and erasure are theirs',
  },
];

/** The rows the purge job applies. */
export const PURGED = RETENTION.filter(
  (rule): rule is RetentionRule & { days: number; from: string } =>
    (rule.action === 'delete' || rule.action === 'remove-values') && rule.days !== undefined && rule.from !== undefined,
);

const ACTION_WORDS: Record<RetentionAction, string> = {
  delete: 'deleted by the daily purge',
  'remove-values': 'values removed by the daily purge; the record stays',
  elsewhere: 'expired where it is kept',
  keep: 'kept',
};

/** The schedule as the Markdown table docs/RETENTION.md shows (test/unit/retention.test.ts holds the two together). */
export function renderRetention(): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(['data', 'where', 'kept', 'then', 'why']),
    line(['---', '---', '---', '---', '---']),
    ...RETENTION.map((rule) =>
      line([
        rule.data,
        `\`${rule.collection}\``,
        rule.days === undefined ? '—' : `${rule.days} days${rule.from ? ` from \`${rule.from}\`` : ''}`,
        ACTION_WORDS[rule.action],
        rule.why,
      ]),
    ),
  ].join('\n');
}
