/**
 * Fact requests (数据需求): an officer whose policy needs a fact the catalog lacks asks the department
 * that owns it, and the department answers with its own signed request — it adds the fact (through
 * the catalog's four-eyes publication) or refuses with a reason. The time it takes feeds the plan's
 * indicator 数据共享有效需求满足率: requests answered with the fact within one working day ÷ requests
 * due, per department and month (德州市“无证明城市”建设实施方案: 99 %, and 1 working day for
 * frequent needs). Pure: the checks of what is filed, the request's key and ID, and the indicator
 * counted from records; store/fact-requests.ts keeps them, services/fact-requests/ acts.
 */
import { createHash } from 'node:crypto';
import { base32 } from './base32.js';
import { cityDateOf, workingDaysAfter } from './calendar.js';
import { Refusal } from './refusal.js';
import type { FactType, Text } from './sources.js';

export type FactRequestStatus = 'open' | 'answered' | 'refused' | 'withdrawn';
export const FACT_REQUEST_STATUSES: readonly FactRequestStatus[] = ['open', 'answered', 'refused', 'withdrawn'];

/** How long a department has to answer: one working day (the plan's 数据响应时间压缩至1个工作日). */
export const ANSWER_WITHIN_WORKING_DAYS = 1;

/** The plan's target for 数据共享有效需求满足率 and where it is written. */
export const DEMAND_SATISFACTION_TARGET = {
  rate: 0.99,
  source: {
    zh: '《德州市“无证明城市”建设实施方案》（二）工作目标：数据共享有效需求满足率达到99%',
    en: 'Dezhou certificate-free city plan, section (2) objectives: effective data-sharing demand satisfaction of 99 %',
  },
} as const;

/** A fact key as the catalog writes it: `<person|enterprise>.<camelCase field>`. */
export const FACT_KEY_PATTERN = /^(person|enterprise)\.[a-z][A-Za-z0-9]{0,63}$/;
const POLICY_ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const FACT_TYPES: readonly FactType[] = ['date', 'number', 'boolean', 'string'];
/** A client's key for one filing, so a retried filing files once: 8 to 100 of letters, digits, `_`, `-`, `.`, `:`. */
export const REQUEST_KEY_PATTERN = /^[A-Za-z0-9_.:-]{8,100}$/;

/** What an officer files. */
export interface FactRequestFiling {
  /** The fact wanted: described, with its proposed key and type when the officer knows them. */
  fact: { description: string; key?: string; type?: FactType };
  /** Why the policy needs it. */
  why: string;
  /** The policy that needs it: its ID, and the draft's or version's number when there is one. */
  policy: { id: string; version?: number };
  /** The law under which the department may share it with the policy's department. */
  legalBasis: string;
  /** The registered department asked (domain/departments.ts), or the catalog source it keeps — one at least. */
  department?: string;
  sourceId?: string;
  /** The client's key for this filing: the same key files once (default: the content, per filer and city day). */
  requestKey?: string;
}

/** What a department answers: the fact added (the catalog draft that adds it), or a refusal with a reason. */
export type FactRequestAnswer =
  { kind: 'fact-added'; sourceId: string; factKey: string; draftId: string } | { kind: 'refused'; reason: string };

/** A refused fact request step, naming the field at fault. */
export class FactRequestRefusal extends Refusal {
  declare readonly code:
    | 'BAD_REQUEST'
    | 'BAD_VALUE'
    | 'REASON_REQUIRED'
    | 'FACT_REQUEST_NOT_FOUND'
    | 'FACT_REQUEST_CLOSED'
    | 'SOURCE_NOT_ALLOWED'
    | 'FORBIDDEN_ROLE'
    | 'NOT_FILER';
}

const bad = (field: string, message: string, messageZh: string) =>
  new FactRequestRefusal('BAD_VALUE', `${field}: ${message}`, `${field}：${messageZh}`, field);

/** A text field: trimmed, 1 to `max` characters. */
function textOf(value: unknown, field: string, max: number, zh: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!text)
    throw bad(field, `say ${zh === '用途' ? 'why' : 'what'} (1 to ${max} characters)`, `请填写${zh}（1 至 ${max} 字）`);
  if (text.length > max) throw bad(field, `at most ${max} characters`, `最多 ${max} 字`);
  return text;
}

/** Checks a filing and answers it trimmed; throws FactRequestRefusal naming the field. */
export function checkFiling(filing: FactRequestFiling): FactRequestFiling {
  const description = textOf(filing.fact?.description, 'fact.description', 500, '所需数据项的说明');
  const key = filing.fact?.key?.trim() || undefined;
  if (key !== undefined && !FACT_KEY_PATTERN.test(key))
    throw bad(
      'fact.key',
      `"${key}" is not a fact key: person.<field> or enterprise.<field>, the field in camelCase`,
      `“${key}”不是数据项键名，应为 person.<字段> 或 enterprise.<字段>（驼峰式）`,
    );
  const type = filing.fact?.type;
  if (type !== undefined && !FACT_TYPES.includes(type))
    throw bad('fact.type', `expected one of ${FACT_TYPES.join(', ')}`, `应为 ${FACT_TYPES.join('、')} 之一`);
  const why = textOf(filing.why, 'why', 1000, '用途');
  const policyId = filing.policy?.id?.trim() ?? '';
  if (!POLICY_ID_PATTERN.test(policyId) || policyId.length > 100)
    throw bad('policy.id', 'name the policy by its ID (kebab-case)', '请填写政策编号（小写字母、数字和连字符）');
  const version = filing.policy?.version;
  if (version !== undefined && (!Number.isInteger(version) || version < 1))
    throw bad('policy.version', 'a version is a whole number from 1', '版本号应为从 1 起的整数');
  const legalBasis = textOf(filing.legalBasis, 'legalBasis', 500, '共享的法律依据');
  if (!filing.department && !filing.sourceId)
    throw bad(
      'department',
      'name the department asked, or the catalog source it keeps',
      '请指定数据提供部门或其数据源',
    );
  if (filing.requestKey !== undefined && !REQUEST_KEY_PATTERN.test(filing.requestKey))
    throw bad('requestKey', '8 to 100 letters, digits, _, -, . or :', '应为 8 至 100 个字母、数字或 _ - . :');
  return {
    fact: { description, ...(key ? { key } : {}), ...(type ? { type } : {}) },
    why,
    policy: { id: policyId, ...(version !== undefined ? { version } : {}) },
    legalBasis,
    ...(filing.department ? { department: filing.department } : {}),
    ...(filing.sourceId ? { sourceId: filing.sourceId } : {}),
    ...(filing.requestKey ? { requestKey: filing.requestKey } : {}),
  };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * The business key of a filing: the filer and the client's key, or, without one, the filer, the
 * city day and what is asked of whom (the same filing twice that day files once).
 */
export function filingKey(filerId: string, filing: FactRequestFiling, at: Date): string {
  if (filing.requestKey) return `fact-request:${filerId}:${filing.requestKey}`;
  const content = JSON.stringify([
    filing.department ?? '',
    filing.sourceId ?? '',
    filing.policy.id,
    filing.policy.version ?? 0,
    filing.fact.key ?? '',
    filing.fact.description,
  ]);
  return `fact-request:${filerId}:${cityDateOf(at)}:${base32(sha256(content)).slice(0, 26)}`;
}

/** The request's ID, from its key (nothing personal in it): `fr_` and 26 base32 characters, lower-case. */
export const factRequestId = (key: string): string => `fr_${base32(sha256(key)).slice(0, 26).toLowerCase()}`;
export const FACT_REQUEST_ID_PATTERN = /^fr_[a-z2-7]{26}$/;

/** When a request filed at `filedAt` must be answered. */
export const answerDueAt = (filedAt: Date): Date => workingDaysAfter(filedAt, ANSWER_WITHIN_WORKING_DAYS);

/** The parts of a request the indicator reads. */
export interface RequestTimes {
  department: string;
  departmentName: Text;
  status: FactRequestStatus;
  filedAt: Date;
  dueAt: Date;
  /** When the department answered (added the fact or refused). */
  answeredAt?: Date;
  withdrawnAt?: Date;
}

/** One department's (or the city's) figure for one month. */
export interface DemandSatisfactionRow {
  /** The month filed, city time (YYYY-MM). */
  month: string;
  department: string;
  departmentName: Text;
  /** Requests due: past their due time, or answered, or refused (withdrawn before due: not counted). */
  due: number;
  /** Of those, answered with the fact added by their due time. */
  satisfied: number;
  /** Answered with the fact added, but late. */
  late: number;
  refused: number;
  /** Past due with no answer yet. */
  unanswered: number;
  rate: number | null;
}

export interface DemandSatisfaction {
  target: typeof DEMAND_SATISFACTION_TARGET;
  total: Omit<DemandSatisfactionRow, 'month' | 'department' | 'departmentName'>;
  rows: DemandSatisfactionRow[];
}

/** Whether a request is due at `now`, and if so how it stands. */
function standing(request: RequestTimes, now: Date): 'satisfied' | 'late' | 'refused' | 'unanswered' | undefined {
  if (request.status === 'answered')
    return request.answeredAt && request.answeredAt.getTime() <= request.dueAt.getTime() ? 'satisfied' : 'late';
  if (request.status === 'refused') return 'refused';
  const closedAt = request.status === 'withdrawn' ? request.withdrawnAt : undefined;
  const until = closedAt ?? now;
  return until.getTime() > request.dueAt.getTime() ? 'unanswered' : undefined;
}

const emptyCounts = () => ({ due: 0, satisfied: 0, late: 0, refused: 0, unanswered: 0, rate: null as number | null });

/**
 * 数据共享有效需求满足率 from the records, per department and month filed, and in total: requests
 * answered with the fact within one working day ÷ requests due. A request still open before its due
 * time is not due yet; one withdrawn before its due time is not counted; a refusal counts as unmet.
 */
export function demandSatisfaction(requests: Iterable<RequestTimes>, now: Date): DemandSatisfaction {
  const rows = new Map<string, DemandSatisfactionRow>();
  const total = emptyCounts();
  for (const request of requests) {
    const stands = standing(request, now);
    if (!stands) continue;
    const month = cityDateOf(request.filedAt).slice(0, 7);
    const id = `${month}|${request.department}`;
    let row = rows.get(id);
    if (!row) {
      row = { month, department: request.department, departmentName: request.departmentName, ...emptyCounts() };
      rows.set(id, row);
    }
    for (const counts of [row, total]) {
      counts.due += 1;
      counts[stands] += 1;
    }
  }
  for (const counts of [...rows.values(), total]) counts.rate = counts.due > 0 ? counts.satisfied / counts.due : null;
  return {
    target: DEMAND_SATISFACTION_TARGET,
    total,
    rows: [...rows.values()].sort((a, b) => a.month.localeCompare(b.month) || a.department.localeCompare(b.department)),
  };
}
