/**
 * The policy format (DESIGN.md, Policies) and the decision it produces. A policy is data:
 * versioned, effective-dated, citing its legal source, with named json-rules-engine
 * conditions over declared facts, dated parameters, a benefit and a delivery mode.
 * Pure types: workflows import them too.
 */
import type { SubjectKind, Text } from '../domain/sources.js';

/** auto: grant without asking (免申即享); offer: one-tap confirmation (一键确认); pledge: grant now, inspect later (告知承诺). */
import type { TaskType } from '../domain/tasks.js';

export type PolicyMode = 'auto' | 'offer' | 'pledge';

/** A value in force from a date (inclusive) until the next entry's `from`, or `to` (inclusive) when given. */
export interface DatedValue<T = ParameterValue> {
  from: string;
  to?: string;
  value: T;
}

/**
 * A condition value naming a policy parameter instead of a literal: resolved to the
 * parameter's value in force on the as-of date before evaluation (e.g. `{ "parameter": "layoffRateCap" }`).
 */
export interface ParameterRef {
  parameter: string;
}

/**
 * What a dated parameter holds: a number, a table of numbers keyed by band or value (amounts), a
 * date `YYYY-MM-DD` or a month-day `MM-DD` (a yearly date, e.g. a school year's cut-off `08-31`,
 * taken in the as-of date's year), or a table keyed by the subject's facts (a cohort table).
 */
export type ParameterValue = number | Record<string, number> | string | FactTable;

/**
 * How one row of a fact table matches a key fact: a date fact by the month it falls in
 * (`{ "from": "1965-01", "to": "1965-04" }`, both inclusive, either open), a number fact by an
 * exact number or a range (`{ "from": 1, "to": 2 }` inclusive, or `{ "from": 1, "below": 3 }`
 * for "1 or more and under 3"), a string or boolean fact by its value or a list of values.
 */
export type FactTableMatch =
  | string
  | number
  | boolean
  | Array<string | number | boolean>
  | { from?: string | number; to?: string | number; below?: number };

/** One row: the values of the key facts it covers (a key left out matches any value) and its number. */
export interface FactTableRow {
  when: Record<string, FactTableMatch>;
  value: number;
}

/**
 * A parameter looked up from the subject's facts (参数表, e.g. the statutory retirement age by birth
 * month and sex): exactly one row matches any subject whose key facts are present (validate.ts
 * checks that the rows neither overlap nor leave a gap). Used as the value of a number comparison,
 * e.g. `ageMonthsAtLeast`; the explanation names the row used.
 */
export interface FactTable {
  /** The facts the rows are keyed by, each declared by the policy. */
  keys: string[];
  rows: FactTableRow[];
}

/**
 * The value of `ageOnAtLeast` / `ageOnBelow`: the age (周岁) reached on a month-day of the as-of
 * date's year, e.g. `{ "age": 6, "on": "08-31" }` (six by 31 August); either may name a parameter.
 */
export interface AgeOnValue {
  age: number | ParameterRef;
  on: string | ParameterRef;
}

/**
 * The name and label of an `all`/`any` group inside a condition tree (json-rules-engine's own
 * `name`): explanations group its leaves under it, its label said once (rules/explain-groups.ts).
 */
export interface GroupName {
  name?: string;
  label?: Text;
}

/** A json-rules-engine condition: a leaf, a boolean group, or a reference to a named condition. */
export type Condition =
  | { fact: string; operator: string; value: unknown; path?: string; params?: Record<string, unknown> }
  | ({ all: Condition[] } & GroupName)
  | ({ any: Condition[] } & GroupName)
  | { not: Condition }
  | { condition: string };

/**
 * When an age band's amount changes: on the birthday itself (the day judged: only sound for a
 * one-off grant), from the month after it (次月起), in the birthday's month (当月起), from the year
 * after it (次年起) or in the birthday's year (当年起). Each but `birthday` gives a month's (or a
 * year's) amount that is the same on whichever of its days it is judged (rules/amount-timing.ts).
 */
export type AgeBandFrom =
  'birthday' | 'month-after-birthday' | 'month-of-birthday' | 'year-after-birthday' | 'year-of-birthday';
export const AGE_BAND_FROM: readonly AgeBandFrom[] = [
  'birthday',
  'month-after-birthday',
  'month-of-birthday',
  'year-after-birthday',
  'year-of-birthday',
];

/** The unit a source states a cash amount in: yuan with at most two decimals, or whole fen. */
export type MoneyUnit = 'yuan' | 'fen';
export const MONEY_UNITS: readonly MoneyUnit[] = ['yuan', 'fen'];

/** How a cash amount is computed; each rule names the parameters and facts it uses. */
export type AmountRule =
  /** The parameter's value as it is on the as-of date. */
  | { type: 'fixed'; parameter: string }
  /**
   * An annual amount prorated by whole months of the period's year in which the subject
   * is eligible by age: from the birth month while younger than `untilAgeYears`.
   */
  | { type: 'proratedByAgeMonths'; parameter: string; birthDateFact: string; untilAgeYears: number }
  /**
   * A table parameter keyed by age band (`"80-89"`, `"90-99"`, `"100+"`): the band holding the age
   * on the as-of date or, with `bandFrom` (AgeBandFrom), on the period boundary the law names, e.g.
   * `"month-after-birthday"` (次月起): the age on the last day of the month before the as-of date's,
   * so a birthday moves the band from the following month, and a month's amount is the same
   * whichever of its days it is judged on.
   */
  | { type: 'ageBand'; parameter: string; birthDateFact: string; bandFrom?: AgeBandFrom }
  /** A table parameter keyed by a fact's value (e.g. disability grade "1", "2"). */
  | { type: 'byFactValue'; parameter: string; fact: string }
  /** `baseFact` × a rate from a table parameter keyed by `rateByFact`'s value (e.g. enterprise size). */
  | { type: 'shareOf'; baseFact: string; parameter: string; rateByFact: string }
  /** A monthly amount parameter × a month count from a table parameter keyed by a fact's value band. */
  | { type: 'monthsByFact'; parameter: string; monthsParameter: string; fact: string }
  /**
   * An amount another system computes (a pension, a refund the tax system works out), read from a
   * declared number fact stated in `unit`; it must come to whole fen (rules/amount-from-fact.ts).
   */
  | { type: 'fromFact'; fact: string; unit: MoneyUnit };

export type Benefit =
  | {
      kind: 'cash';
      currency: 'CNY';
      amount: AmountRule;
      description: Text;
      /** The benefit in the list of benefits (domain/benefit-codes.ts); the duplicate check compares it. */
      code?: string;
      /** How an over-payment is taken back; domain/ledger.ts recoveryMethodOf gives the default. */
      recoveredBy?: 'netting' | 'collection';
    }
  | {
      kind: 'service' | 'card' | 'enrollment';
      description: Text;
      /** The benefit in the list of benefits (domain/benefit-codes.ts); the duplicate check compares it. */
      code?: string;
    };

/** The period a grant covers: one grant per subject, policy and period. */
export type GrantPeriod = 'once' | 'year' | 'month';

/** What a case expects the rules to decide on its date. */
export interface DecisionExpectation {
  outcome: Outcome;
  amount?: number;
  missingFacts?: string[];
}

/**
 * What a case dated outside the version's effective range expects: that the version is not in force
 * then, so nothing is decided by it ("not before the start date", "no longer after the end").
 */
export interface NotInForceExpectation {
  inForce: false;
}

export type TestExpectation = DecisionExpectation | NotInForceExpectation;

/** True when the case expects the version not to be in force on its date. */
export const expectsNotInForce = (expect: TestExpectation): expect is NotInForceExpectation =>
  (expect as Partial<NotInForceExpectation>).inForce === false;

export interface PolicyTest {
  /** A full sentence an analyst can read: "a child born 2025-03-10 in the city gets 3,000 for 2025". */
  name: string;
  asOf: string;
  facts: Record<string, unknown>;
  expect: TestExpectation;
}

export interface Policy {
  id: string;
  version: number;
  effective: { from: string; to?: string };
  title: Text;
  summary?: Text;
  department: Text;
  /** Legal basis: document number and article. */
  reference: string;
  subject: SubjectKind;
  /** Life-event types that start an evaluation (see domain/events.ts). */
  triggers: string[];
  mode: PolicyMode;
  period: GrantPeriod;
  /** The facts this policy may read, each with its source and purpose (access records show the purpose). */
  facts: Record<string, { source: string; purpose: string }>;
  parameters: Record<string, DatedValue[]>;
  conditions: { all: Condition[] } | { any: Condition[] };
  namedConditions: Record<string, Condition & { label?: Text }>;
  benefit: Benefit;
  offer?: { expiresAfterDays: number; reminderDaysBeforeExpiry: number[] };
  pledge?: {
    statement: Text;
    /** The facts the applicant pledges; the inspection re-reads them from the certifying department. */
    pledgedFacts: string[];
    inspectAfterDays: number;
    /** Days the citizen has to sign the written notice (告知书) before the pledge lapses with no grant; absent, 30. */
    signWithinDays?: number;
    /** Days a false-pledge credit record bars the subject from pledge mode (the case is verified instead); absent, 1095. */
    creditBlockDays?: number;
    /** Share (0–1) of pledges also inspected on site, drawn from the pledge key's hash; absent, none. */
    onSiteShare?: number;
    /** A pledge of this amount (yuan) or more is high-risk and always inspected on site; absent, none is. */
    highRiskAmount?: number;
    /** The obligations the written notice lists, besides the statement; absent, the statement alone. */
    obligations?: Text[];
  };
  /**
   * The statutory time limits (法定办结时限) of the tasks this policy's cases open, in calendar days,
   * by task type (domain/tasks.ts); a type left out takes its default (DEFAULT_TIME_LIMIT_DAYS).
   */
  timeLimits?: Partial<Record<TaskType, number>>;
  tests: PolicyTest[];
}

/** What a policy version is pinned as, for a running case. */
export interface PolicyRef {
  id: string;
  version: number;
  /** sha256 of the policy's canonical JSON. */
  hash: string;
}

export type Outcome = 'eligible' | 'ineligible' | 'undetermined';

/** One leaf condition's evaluation, for explanations. */
export interface ConditionResult {
  /** The named condition it belongs to, when any. */
  name?: string;
  label?: Text;
  fact: string;
  operator: string;
  value: unknown;
  /** The fact's value, masked when the fact is sensitive; undefined when missing. */
  factValue: unknown;
  result: boolean | 'unknown';
  /** True when the fact was missing and the applicant's pledge (告知承诺) stands in for it; the inspection re-checks it. */
  pledged?: boolean;
  /**
   * When the value comes from a fact table (a cohort table): the parameter, the row used (its
   * position from 1 and what it covers) and its value; absent when no row could be chosen.
   */
  tableRow?: TableRowUsed;
  /**
   * On an unknown fact-table leaf: every fact it waits for, its own and the key facts its row needs
   * (a woman's post category for a retirement age); absent on other leaves, which wait for `fact`.
   */
  waitsFor?: string[];
  /**
   * True when the leaf sits under an odd number of `not`s: the policy needs it NOT to hold, so a
   * leaf whose `result` is true counts against eligibility (`conditionMet` says which way it counts).
   */
  negated?: boolean;
  /**
   * True on a leaf whose fact is missing but did not matter: a known branch settles a group above it
   * (a true one an `any`, a false one an `all`), so supplying the fact would change nothing
   * (rules/explain-relevance.ts). Such a fact is not among the decision's missing facts.
   */
  notNeeded?: boolean;
}

/** The row of a fact table a leaf's value came from, for explanations. */
export interface TableRowUsed {
  parameter: string;
  /** 1 for the table's first row. */
  row: number;
  when: Record<string, FactTableMatch>;
  value: number;
}

/** Whether a leaf counts for eligibility: its result, turned round when the policy negates it; unknown stays unknown. */
export const conditionMet = (leaf: Pick<ConditionResult, 'result' | 'negated'>): boolean | 'unknown' =>
  leaf.result === 'unknown' ? 'unknown' : leaf.negated ? !leaf.result : leaf.result;

export interface Decision {
  policy: PolicyRef;
  asOf: string;
  outcome: Outcome;
  conditions: ConditionResult[];
  /**
   * Facts that were missing or whose source failed and could still decide; non-empty exactly when
   * undetermined by missing data. A missing fact that a known branch made moot is left out (its leaf says `notNeeded`).
   */
  missingFacts: string[];
  /** For cash benefits when eligible. */
  amount?: number;
  /** The grant period key: "once", "2025", or "2025-03". */
  period: string;
}
