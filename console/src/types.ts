/** What the console receives from the API: the server's own types where they are pure, else declared here and held to the server's by test/console-types.check.ts. */
import type { Condition, Outcome, Policy, PolicyTest } from '../../rules/types.js';
import type { Text } from '../../domain/sources.js';

export type { Condition, Outcome, Policy, PolicyTest, Text };

export type Status = 'draft' | 'submitted' | 'approved' | 'published' | 'retired';
/** Every role; domain/permissions.ts says what each may do, and the console shows only that. */
export type { Role } from '../../domain/permissions.js';

/** A validation issue or cross-check warning: the field at fault and what is wrong, in English and (from the rules layer) Chinese. */
export interface Issue {
  path: string;
  message: string;
  messageZh?: string;
}

export interface CheckSummary {
  hash: string;
  at: string;
  passed: boolean;
  detail: string;
}

export interface VersionSummary {
  policyId: string;
  version: number;
  status: Status;
  hash: string;
  title: Text;
  /** The document's effective range; absent on a draft without a well-formed one. */
  effective?: { from: string; to?: string };
  /** Absent for whom the table does not show staff names (staff.names). */
  createdBy?: string;
  updatedBy?: string;
  updatedAt: string;
  validation?: CheckSummary;
  tests?: CheckSummary;
  simulation?: CheckSummary;
}

export interface VersionView extends VersionSummary {
  document: Policy;
}

export interface CatalogField {
  key: string;
  type: 'date' | 'number' | 'boolean' | 'string';
  sensitivity: string;
  label: Text;
  values?: string[];
}

export interface Catalog {
  sources: Array<{ id: string; subject: 'person' | 'enterprise'; department: Text; fields: CatalogField[] }>;
  operators: Array<{
    name: string;
    label: Text;
    factTypes: string[];
    value: 'scalar' | 'list' | 'number' | 'wholeNumber' | 'date' | 'ageOn';
  }>;
  triggers: Array<{ type: string; subject: 'person' | 'enterprise'; label: Text; publisher: Text }>;
  /** The list of benefits a policy's benefit.code names (domain/benefit-codes.ts). */
  benefitCodes: Array<{ code: string; name: Text; kind: 'cash' | 'service' | 'card' | 'enrollment' }>;
  /** The code a shipped policy's versions have by its id when they name none. */
  benefitCodeByPolicy: Record<string, string>;
}

export interface LeafResult {
  name?: string;
  label?: Text;
  fact: string;
  operator: string;
  value: unknown;
  factValue: unknown;
  result: boolean | 'unknown';
}

export interface TestReport {
  policy: { id: string; version: number };
  passed: number;
  failed: number;
  results: Array<{
    name: string;
    asOf: string;
    passed: boolean;
    expected: PolicyTest['expect'];
    /** No outcome when the version is not in force on the case's date. */
    actual: { inForce: boolean; outcome?: string; amount?: number; missingFacts: string[] };
    problems: string[];
    /** The same problems in Chinese, in the same order. */
    problemsZh?: string[];
    conditions: LeafResult[];
  }>;
}

/** A count of a simulation, null where the API withholds it (below the minimum cell size: rules/simulate-suppress.ts). */
export type Cell = number | null;

export interface Counts {
  eligible: Cell;
  ineligible: Cell;
  undetermined: Cell;
}

export interface BreakdownRow extends Counts {
  key: string;
  label: Text;
  cost: Cell;
  baselineEligible?: Cell;
}

export interface SimulationResult {
  policyId: string;
  version: number;
  hash: string;
  asOf: string;
  subject: 'person' | 'enterprise';
  /** The grant period the cost is for: once, 2025 or 2025-06. */
  period?: string;
  /** The version is not in force on asOf: a what-if. */
  notInForceOnAsOf?: boolean;
  population: number;
  counts: Counts;
  totalCost: Cell;
  baseline?: { version: number; counts: Counts; totalCost: Cell };
  changes?: { winners: Cell; losers: Cell; amountUp: Cell; amountDown: Cell; unchanged: Cell };
  breakdowns: { district: BreakdownRow[]; ageBand?: BreakdownRow[]; enterpriseSize?: BreakdownRow[] };
  undeterminedCauses: Array<{ fact: string; source: string; label: Text; count: Cell }>;
  /** How many counts were withheld, and below what size. */
  suppression: { minimumCellSize: number; withheld: number };
  elapsedMs: number;
}

export interface SimulationView {
  status: 'running' | 'done' | 'failed';
  asOf: string;
  startedAt: string;
  progress: { processed: number; total: number };
  error?: { code: string; message: string; messageZh: string };
  result?: SimulationResult;
}

export interface HistoryEntry {
  version: number;
  action: string;
  actor: string;
  role: string;
  at: string;
  note?: string;
  changes: string[];
}

export type ObjectionStatus = 'filed' | 'correcting' | 're-evaluating' | 'resolved' | 'rejected';
export interface ObjectionPerson {
  /** The user ID (absent on records from before user IDs). */
  id?: string;
  name: string;
  role: string;
}

/** An objection as the API answers staff (services/objections/view.ts ObjectionView): sensitive values are '***'. */
export interface Objection {
  id: string;
  status: ObjectionStatus;
  subjectKey: string;
  subject: { kind: 'person' | 'enterprise'; subjectKey: string; maskedId?: string };
  policyId: string;
  policyTitle?: Text;
  caseId: string;
  kind: 'decision' | 'data';
  fact?: string;
  factLabel?: Text;
  claimedValue?: unknown;
  statement: string;
  filedBy: ObjectionPerson;
  filedAt: string;
  correction?: {
    fact: string;
    factLabel?: Text;
    department: string;
    departmentLabel?: Text;
    oldValue?: unknown;
    newValue: unknown;
    reason: string;
    by: ObjectionPerson;
    confirmedBy?: ObjectionPerson;
    at: string;
  };
  /** Recorded for the department, awaiting a second supervisor's confirmation. */
  pendingCorrection?: {
    fact: string;
    factLabel?: Text;
    value: unknown;
    reason: string;
    by: ObjectionPerson;
    at: string;
  };
  resolution?: { action: 'reevaluate' | 'reject'; reason: string; by: ObjectionPerson; at: string };
  outcome?: {
    outcome: string;
    previousOutcome: string;
    amountBefore?: number;
    amountAfter?: number;
    arrears?: number;
    overpayment?: number;
    periods: Array<{ period: string; paid: number; due: number }>;
    /** A benefit in kind now due: the grant, offer or pledge workflow started for it. */
    benefitWorkflowId?: string;
    /** Grants in kind no longer due, revoked. */
    revokedGrantKeys?: string[];
  };
  steps: Array<{ at: string; kind: string; actor: string; summary: Text }>;
}
