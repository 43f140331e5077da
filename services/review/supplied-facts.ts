/**
 * The facts a reviewer supplies to close an undetermined case (人工审核补充事实), checked before
 * anything is recorded: each must be a fact the policy reads (declared in its manifest), given in
 * the catalog's type for it (a date as YYYY-MM-DD, a number in its range, a boolean, a string of
 * the field's closed set), once, never an identifier, with its provenance (what kind of document,
 * its reference). Pure (no store is read): the API
 * calls it before completing a review task, and the review resolution (activities/review.ts)
 * calls it again, since the task's update validator cannot see the policy.
 */
import { PROVENANCE_KINDS, type SuppliedFact } from '../../domain/tasks.js';
import { Refusal, type RefusalCode } from '../../domain/refusal.js';
import { findFact, type FactField } from '../../domain/sources.js';
import { checkFactValue, CorrectionError } from '../../store/corrections.js';
import type { Policy } from '../../rules/types.js';

/** One problem with the supplied facts: the code a refusal carries, the fact and the field path at fault. */
export interface SuppliedFactProblem {
  code: Extract<RefusalCode, 'UNKNOWN_FACT' | 'INVALID_FACTS'>;
  /** The fact at fault ('' when the list itself is wrong). */
  fact: string;
  /** e.g. `facts[0].value`, `facts[1].provenance.reference`. */
  path: string;
  message: string;
  messageZh: string;
}

const REFERENCE_MAX = 200;
const NOTE_MAX = 1000;

/**
 * Why `value` is not what the catalog types the fact as (store/corrections.ts checkFactValue: the
 * type, a closed set, a grade's range, an account's pattern), in both languages; undefined when it is.
 */
function typeProblem(fact: string, value: unknown): { en: string; zh: string } | undefined {
  try {
    checkFactValue(fact, value);
    return undefined;
  } catch (error) {
    if (error instanceof CorrectionError) return { en: error.message, zh: error.messageZh };
    throw error;
  }
}

/** An identifier (a guardian's resident ID): never typed into a review, where it would travel in a workflow's input. */
const isIdentifier = (field: FactField) => /(IdNumber|CreditCode)$/.test(field.column);

/** Problems with the provenance of the fact at `at`: a known kind, a reference of 1-200 characters, a note of at most 1000. */
function provenanceProblems(fact: string, at: string, provenance: unknown): SuppliedFactProblem[] {
  const problem = (path: string, message: string, messageZh: string): SuppliedFactProblem => ({
    code: 'INVALID_FACTS',
    fact,
    path: `${at}.provenance${path}`,
    message: `${fact}: ${message}`,
    messageZh: `${fact}：${messageZh}`,
  });
  if (typeof provenance !== 'object' || provenance === null)
    return [problem('', 'say where the fact comes from (provenance)', '请注明事实来源（provenance）')];
  const { kind, reference, note } = provenance as Record<string, unknown>;
  const problems: SuppliedFactProblem[] = [];
  if (!PROVENANCE_KINDS.includes(kind as never))
    problems.push(
      problem(
        '.kind',
        `the provenance is one of ${PROVENANCE_KINDS.join(', ')}`,
        `来源类型须为：${PROVENANCE_KINDS.join('、')}`,
      ),
    );
  if (typeof reference !== 'string' || reference.trim() === '' || reference.length > REFERENCE_MAX)
    problems.push(
      problem(
        '.reference',
        `the document's reference (文号, form number) is 1-${REFERENCE_MAX} characters`,
        `请填写材料或回复的文号、编号（1-${REFERENCE_MAX} 个字）`,
      ),
    );
  if (note !== undefined && (typeof note !== 'string' || note.length > NOTE_MAX))
    problems.push(problem('.note', `a note is text of at most ${NOTE_MAX} characters`, `备注最多 ${NOTE_MAX} 个字`));
  return problems;
}

/**
 * Every problem with `facts` for `policy`, in order; an empty list when all can be recorded. An
 * undeclared fact is UNKNOWN_FACT; a wrong type, a missing value, a fact given twice, or a
 * provenance without kind or reference is INVALID_FACTS. Each names the fact and its path.
 */
export function checkSuppliedFacts(
  policy: Pick<Policy, 'id' | 'version' | 'facts'>,
  facts: readonly SuppliedFact[] | unknown,
): SuppliedFactProblem[] {
  if (!Array.isArray(facts) || facts.length === 0)
    return [
      {
        code: 'INVALID_FACTS',
        fact: '',
        path: 'facts',
        message: 'supply at least one fact, with its provenance',
        messageZh: '请至少补充一项事实，并注明来源',
      },
    ];
  const problems: SuppliedFactProblem[] = [];
  const seen = new Set<string>();
  facts.forEach((supplied: unknown, index) => {
    const at = `facts[${index}]`;
    const { fact, value, provenance } = (typeof supplied === 'object' && supplied !== null ? supplied : {}) as Record<
      string,
      unknown
    >;
    const name = typeof fact === 'string' ? fact : '';
    const field = findFact(name)?.field;
    if (!name || !Object.hasOwn(policy.facts, name) || !field) {
      problems.push({
        code: 'UNKNOWN_FACT',
        fact: name,
        path: `${at}.fact`,
        message: `${name || '(no fact)'} is not a fact ${policy.id} v${policy.version} reads`,
        messageZh: `${name || '（未填写）'}不是 ${policy.id} 第${policy.version}版政策读取的事实`,
      });
      return;
    }
    if (seen.has(name))
      problems.push({
        code: 'INVALID_FACTS',
        fact: name,
        path: `${at}.fact`,
        message: `${name} is supplied twice`,
        messageZh: `${name} 重复填写`,
      });
    seen.add(name);
    if (isIdentifier(field)) {
      problems.push({
        code: 'INVALID_FACTS',
        fact: name,
        path: `${at}.fact`,
        message: `${name} (${field.label.en}) is an identifier: it is recorded at the registry, not typed into a review`,
        messageZh: `${name}（${field.label.zh}）为身份标识，须由登记机关登记，不能在审核中填写`,
      });
      return;
    }
    const wrong = typeProblem(name, value);
    if (wrong)
      problems.push({
        code: 'INVALID_FACTS',
        fact: name,
        path: `${at}.value`,
        message: `${wrong.en}, not ${JSON.stringify(value ?? null)}`,
        messageZh: wrong.zh,
      });
    problems.push(...provenanceProblems(name, at, provenance));
  });
  return problems;
}

/** The problems as one sentence per language, for a workflow failure or a one-line CLI error. */
export function suppliedFactsMessage(problems: readonly SuppliedFactProblem[]): { en: string; zh: string } {
  return {
    en: problems.map((p) => `${p.path}: ${p.message}`).join('; '),
    zh: problems.map((p) => `${p.path}：${p.messageZh}`).join('；'),
  };
}

/**
 * The problems as the one refusal the API answers (400): UNKNOWN_FACT when any fact is not the
 * policy's, else INVALID_FACTS; the field is the first problem's path, and every problem is an issue.
 */
export function suppliedFactsRefusal(problems: readonly SuppliedFactProblem[]): Refusal {
  const code = problems.some((p) => p.code === 'UNKNOWN_FACT') ? 'UNKNOWN_FACT' : 'INVALID_FACTS';
  const message = suppliedFactsMessage(problems);
  return new Refusal(
    code,
    message.en,
    message.zh,
    problems[0]?.path,
    problems.map((p) => ({ path: p.path, message: p.message, messageZh: p.messageZh })),
  );
}
