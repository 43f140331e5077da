/**
 * Whether an outcome can close a task of a given type (domain/tasks.ts OUTCOMES_BY_TYPE), and its
 * shape: the first problem, naming the field at fault in both languages. One check for everyone
 * who takes an outcome: the task service refuses it before anything is sent, and the humanTask
 * workflow's update validator refuses it again (a client that bypasses the service), so a bad
 * outcome never reaches a workflow history. Pure: the workflow bundle imports it.
 */
import { FINDINGS, OUTCOMES_BY_TYPE, PROVENANCE_KINDS, type TaskOutcome, type TaskType } from './tasks.js';

/** What is wrong with an outcome: the field (a path such as `outcome.facts[0].provenance.reference`) and why. */
export interface OutcomeProblem {
  field: string;
  message: string;
  messageZh: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const KEYS: Readonly<Record<TaskOutcome['kind'], readonly string[]>> = {
  'facts-supplied': ['kind', 'facts'],
  decided: ['kind', 'outcome', 'reason'],
  finding: ['kind', 'finding', 'notes', 'evidence'],
  closed: ['kind', 'note'],
};

/** A string of `min` to `max` characters once trimmed, or the problem with it. */
function text(value: unknown, field: string, min: number, max: number): OutcomeProblem | undefined {
  if (typeof value === 'string' && value.trim().length >= min && value.length <= max) return undefined;
  return {
    field,
    message: `must be text of ${min} to ${max} characters`,
    messageZh: `须填写 ${min} 至 ${max} 个字`,
  };
}

function unknownKey(record: Record<string, unknown>, field: string, allowed: readonly string[]) {
  const extra = Object.keys(record).find((key) => !allowed.includes(key));
  return extra === undefined
    ? undefined
    : {
        field: `${field}.${extra}`,
        message: `unknown field (expected one of: ${allowed.join(', ')})`,
        messageZh: `未知字段（应为以下之一：${allowed.join('、')}）`,
      };
}

function checkFacts(facts: unknown, valuesKept: boolean): OutcomeProblem | undefined {
  if (!Array.isArray(facts) || facts.length === 0 || facts.length > 50)
    return {
      field: 'outcome.facts',
      message: 'must list 1 to 50 facts, each { fact, value, provenance }',
      messageZh: '须列出 1 至 50 项数据，每项含 fact、value、provenance',
    };
  for (const [i, item] of facts.entries()) {
    const at = `outcome.facts[${i}]`;
    if (!isRecord(item))
      return {
        field: at,
        message: 'must be { fact, value, provenance }',
        messageZh: '须为 { fact, value, provenance }',
      };
    const problem =
      unknownKey(item, at, ['fact', 'value', 'provenance']) ??
      text(item.fact, `${at}.fact`, 1, 100) ??
      (['string', 'number', 'boolean'].includes(typeof item.value) ||
      item.value === null ||
      (valuesKept && item.value === undefined)
        ? undefined
        : {
            field: `${at}.value`,
            message: 'must be a text, number, true/false or null value',
            messageZh: '须为文本、数字、是/否或空值',
          });
    if (problem) return problem;
    const provenance = item.provenance;
    if (!isRecord(provenance))
      return {
        field: `${at}.provenance`,
        message: 'must say where the fact came from: { kind, reference }',
        messageZh: '须注明数据来源：{ kind, reference }',
      };
    const where =
      unknownKey(provenance, `${at}.provenance`, ['kind', 'reference', 'note']) ??
      (PROVENANCE_KINDS.includes(provenance.kind as never)
        ? undefined
        : {
            field: `${at}.provenance.kind`,
            message: `must be one of ${PROVENANCE_KINDS.join(', ')}`,
            messageZh: `须为以下之一：${PROVENANCE_KINDS.join('、')}`,
          }) ??
      text(provenance.reference, `${at}.provenance.reference`, 1, 200) ??
      (provenance.note === undefined ? undefined : text(provenance.note, `${at}.provenance.note`, 0, 1000));
    if (where) return where;
  }
  return undefined;
}

/**
 * The first problem with `outcome` as the outcome of a task of `type`; undefined when it can close it.
 * `valuesKept`: supplied facts may come without their values, which the task record keeps (the
 * workflow's validator sees them so); the API's caller must give every value.
 */
export function outcomeProblem(
  type: TaskType,
  outcome: unknown,
  options: { valuesKept?: boolean } = {},
): OutcomeProblem | undefined {
  const allowed = OUTCOMES_BY_TYPE[type];
  if (!isRecord(outcome))
    return {
      field: 'outcome',
      message: `must be an object with a kind (${allowed.join(' or ')})`,
      messageZh: `须为含 kind（${allowed.join(' 或 ')}）的对象`,
    };
  const kind = outcome.kind as TaskOutcome['kind'];
  if (!allowed.includes(kind))
    return {
      field: 'outcome.kind',
      message: `a ${type} task is closed with ${allowed.join(' or ')}, not ${JSON.stringify(outcome.kind)}`,
      messageZh: `该类任务（${type}）须以 ${allowed.join(' 或 ')} 办结，不能为 ${JSON.stringify(outcome.kind)}`,
    };
  const extra = unknownKey(outcome, 'outcome', KEYS[kind]);
  if (extra) return extra;
  switch (kind) {
    case 'facts-supplied':
      return checkFacts(outcome.facts, options.valuesKept ?? false);
    case 'decided':
      return (
        (outcome.outcome === 'eligible' || outcome.outcome === 'ineligible'
          ? undefined
          : {
              field: 'outcome.outcome',
              message: 'must be eligible or ineligible',
              messageZh: '须为 eligible（符合）或 ineligible（不符合）',
            }) ?? text(outcome.reason, 'outcome.reason', 5, 2000)
      );
    case 'finding':
      return (
        (FINDINGS.includes(outcome.finding as never)
          ? undefined
          : {
              field: 'outcome.finding',
              message: `must be one of ${FINDINGS.join(', ')}`,
              messageZh: `须为以下之一：${FINDINGS.join('、')}`,
            }) ??
        text(outcome.notes, 'outcome.notes', 1, 2000) ??
        (Array.isArray(outcome.evidence) &&
        outcome.evidence.length <= 50 &&
        outcome.evidence.every((ref) => typeof ref === 'string' && ref.trim() !== '' && ref.length <= 300)
          ? undefined
          : {
              field: 'outcome.evidence',
              message: 'must list up to 50 evidence references (each 1 to 300 characters)',
              messageZh: '须列出证据材料编号（最多 50 项，每项 1 至 300 个字）',
            })
      );
    case 'closed':
      return text(outcome.note, 'outcome.note', 1, 2000);
  }
}
