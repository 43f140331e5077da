/**
 * Checks a version of the list of matters (用证事项清单) before it is drafted, submitted or
 * published: every problem at once, each with a stable code, the JSON path of the field at fault
 * (`matters[3].proofs[1].replacement.claim`) and a message in Chinese and English, so the officer
 * fixes the whole list in one pass. It checks the list against the catalog in force (facts), the
 * claims (domain/verification-claims.ts) and the certificate types, and — given the version in
 * force — the seeds' 只增不减 rule:
 *
 * - a matter once listed is never dropped (MATTER_DROPPED);
 * - a proof once listed under a matter is never dropped either (PROOF_DROPPED): to stop asking
 *   for it, mark it `cancelled` with its basis, so the list keeps the record of what no longer has
 *   to be brought and why (and the indicators can count it);
 * - a proof replaced (by sharing, verification, certificate, pledge or cancellation) never goes
 *   back to paper (PROOF_BACK_TO_PAPER). Moving between replacement methods is allowed.
 *
 * The list must be updated at least twice a year: `listIsStale` says when the version in force is
 * older than six months. Pure: the console bundles it.
 */
import { certificateType } from './certificate-types.js';
import {
  JURISDICTION_LEVELS,
  REPLACEMENT_METHODS,
  type Matter,
  type MatterList,
  type MatterProof,
  type ReplacementMethod,
} from './matters.js';
import { findFact, type SubjectKind } from './sources.js';
import { verificationClaim } from './verification-claims.js';

export type MatterProblemCode =
  | 'BAD_SHAPE'
  | 'BAD_ID'
  | 'DUPLICATE_ID'
  | 'MISSING_TEXT'
  | 'BAD_LEVEL'
  | 'BAD_TIME_LIMIT'
  | 'BAD_METHOD'
  | 'UNKNOWN_FACT'
  | 'UNKNOWN_CLAIM'
  | 'UNKNOWN_CERTIFICATE_TYPE'
  | 'WRONG_SUBJECT'
  | 'FIELD_WITHOUT_SOURCE'
  | 'CLAIM_NOT_LISTED'
  | 'NO_FACTS'
  | 'MATTER_DROPPED'
  | 'PROOF_DROPPED'
  | 'PROOF_BACK_TO_PAPER';

export interface MatterProblem {
  code: MatterProblemCode;
  /** The JSON path of the field at fault, e.g. `matters[2].fields[0].fact`. */
  path: string;
  message: string;
  messageZh: string;
}

const KEBAB = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const INPUTS = ['text', 'number', 'date', 'boolean'];
const SUBJECT_ZH: Record<SubjectKind, string> = { person: '个人', enterprise: '企业' };

type Report = (code: MatterProblemCode, path: string, message: string, messageZh: string) => void;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const hasText = (value: unknown): boolean =>
  isObject(value) &&
  typeof value.zh === 'string' &&
  value.zh.trim() !== '' &&
  typeof value.en === 'string' &&
  value.en.trim() !== '';

function checkId(report: Report, path: string, id: unknown, what: string, whatZh: string): void {
  if (typeof id !== 'string' || !KEBAB.test(id) || id.length > 80)
    report(
      'BAD_ID',
      path,
      `the ${what} ID ${JSON.stringify(id)} must be kebab-case (a-z, 0-9, single hyphens; at most 80)`,
      `${whatZh}编号 ${JSON.stringify(id)} 须为小写字母、数字和单个连字符（kebab-case，至多80字符）`,
    );
}

function checkText(report: Report, path: string, value: unknown, what: string, whatZh: string): void {
  if (!hasText(value)) report('MISSING_TEXT', path, `the ${what} needs zh and en`, `${whatZh}须有中文和英文`);
}

/** IDs must be distinct within their list; reports each repeat at its path. */
function checkDistinct(report: Report, items: readonly unknown[], path: string, what: string, whatZh: string): void {
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const id = isObject(item) ? item.id : undefined;
    if (typeof id !== 'string') return;
    if (seen.has(id))
      report('DUPLICATE_ID', `${path}[${index}].id`, `${what} ${id} is listed twice`, `${whatZh} ${id} 重复`);
    seen.add(id);
  });
}

function checkFact(report: Report, path: string, key: unknown, subject: SubjectKind): void {
  const found = typeof key === 'string' ? findFact(key) : undefined;
  if (!found) {
    report(
      'UNKNOWN_FACT',
      path,
      `${JSON.stringify(key)} is not a fact of the catalog in force`,
      `${JSON.stringify(key)} 不是现行数据目录中的事实`,
    );
    return;
  }
  if (found.source.subject !== subject)
    report(
      'WRONG_SUBJECT',
      path,
      `${String(key)} is a fact about ${found.source.subject === 'person' ? 'people' : 'firms'}, but the matter is for ${subject === 'person' ? 'people' : 'firms'}`,
      `${String(key)} 是${SUBJECT_ZH[found.source.subject]}事实，而该事项面向${SUBJECT_ZH[subject]}`,
    );
}

function checkClaim(report: Report, path: string, id: unknown, subject: SubjectKind): void {
  const claim = typeof id === 'string' ? verificationClaim(id) : undefined;
  if (!claim) {
    report(
      'UNKNOWN_CLAIM',
      path,
      `${JSON.stringify(id)} is not a verification claim (domain/verification-claims.ts)`,
      `${JSON.stringify(id)} 不是核验事项（证明核验清单中没有）`,
    );
    return;
  }
  if (claim.subject !== subject)
    report(
      'WRONG_SUBJECT',
      path,
      `claim ${claim.id} is about ${claim.subject === 'person' ? 'people' : 'firms'}, but the matter is for ${subject === 'person' ? 'people' : 'firms'}`,
      `核验事项 ${claim.id} 针对${SUBJECT_ZH[claim.subject]}，而该事项面向${SUBJECT_ZH[subject]}`,
    );
}

function checkField(report: Report, path: string, field: unknown, subject: SubjectKind): void {
  if (!isObject(field)) return report('BAD_SHAPE', path, 'a field is an object', '表单字段须为对象');
  checkId(report, `${path}.id`, field.id, 'field', '字段');
  checkText(report, `${path}.label`, field.label, 'field label', '字段名称');
  if (typeof field.required !== 'boolean')
    report('BAD_SHAPE', `${path}.required`, 'say whether the field is required', '须说明字段是否必填');
  if (field.fact !== undefined) checkFact(report, `${path}.fact`, field.fact, subject);
  if (field.input !== undefined && !INPUTS.includes(field.input as string))
    report(
      'BAD_SHAPE',
      `${path}.input`,
      `input must be one of ${INPUTS.join(', ')}`,
      `输入类型须为 ${INPUTS.join('、')} 之一`,
    );
  if (field.fact === undefined && field.input === undefined)
    report(
      'FIELD_WITHOUT_SOURCE',
      path,
      'the field names neither a catalog fact that fills it nor what the applicant types',
      '该字段既未指明由哪个共享事实填写，也未指明申请人填写的类型',
    );
}

function checkReplacement(report: Report, path: string, replacement: unknown, matter: Record<string, unknown>): void {
  const subject = matter.subject as SubjectKind;
  if (!isObject(replacement) || !REPLACEMENT_METHODS.includes(replacement.method as ReplacementMethod))
    return report(
      'BAD_METHOD',
      `${path}.method`,
      `the replacement method must be one of ${REPLACEMENT_METHODS.join(', ')}`,
      `替代方式须为 ${REPLACEMENT_METHODS.join('、')} 之一`,
    );
  switch (replacement.method) {
    case 'sharing': {
      const facts = replacement.facts;
      if (!Array.isArray(facts) || facts.length === 0)
        return report(
          'NO_FACTS',
          `${path}.facts`,
          'name the catalog facts that replace the proof',
          '须列出替代该证明的共享事实',
        );
      facts.forEach((fact, index) => checkFact(report, `${path}.facts[${index}]`, fact, subject));
      return;
    }
    case 'verification': {
      checkClaim(report, `${path}.claim`, replacement.claim, subject);
      const claims = Array.isArray(matter.claims) ? matter.claims : [];
      if (
        typeof replacement.claim === 'string' &&
        verificationClaim(replacement.claim) &&
        !claims.includes(replacement.claim)
      )
        report(
          'CLAIM_NOT_LISTED',
          `${path}.claim`,
          `claim ${replacement.claim} verifies this proof but is not among the matter's claims`,
          `核验事项 ${replacement.claim} 用于替代该证明，但未列入本事项的可核验事项`,
        );
      return;
    }
    case 'certificate': {
      const type =
        typeof replacement.certificateType === 'string' ? certificateType(replacement.certificateType) : undefined;
      if (!type)
        return report(
          'UNKNOWN_CERTIFICATE_TYPE',
          `${path}.certificateType`,
          `${JSON.stringify(replacement.certificateType)} is not a certificate type (domain/certificate-types.ts)`,
          `${JSON.stringify(replacement.certificateType)} 不是电子证照类型`,
        );
      if (type.holderKind !== 'any' && type.holderKind !== subject)
        report(
          'WRONG_SUBJECT',
          `${path}.certificateType`,
          `certificate type ${type.id} is held by ${type.holderKind === 'person' ? 'people' : 'firms'}, but the matter is for ${subject === 'person' ? 'people' : 'firms'}`,
          `电子证照 ${type.id} 由${SUBJECT_ZH[type.holderKind]}持有，而该事项面向${SUBJECT_ZH[subject]}`,
        );
      return;
    }
    case 'pledge':
      return checkText(report, `${path}.statement`, replacement.statement, 'pledge statement', '承诺内容');
    case 'cancelled':
      return checkText(report, `${path}.basis`, replacement.basis, 'basis of the cancellation', '取消依据');
  }
}

function checkProof(report: Report, path: string, proof: unknown, matter: Record<string, unknown>): void {
  if (!isObject(proof)) return report('BAD_SHAPE', path, 'a proof is an object', '证明材料须为对象');
  checkId(report, `${path}.id`, proof.id, 'proof', '证明材料');
  checkText(report, `${path}.title`, proof.title, 'proof title', '证明名称');
  checkText(report, `${path}.issuedBy`, proof.issuedBy, 'issuer', '出具单位');
  checkReplacement(report, `${path}.replacement`, proof.replacement, matter);
}

/** Matter IDs the API's paths take for themselves (/matters/versions, /matters/drafts). */
const RESERVED_MATTER_IDS = ['versions', 'drafts'];

function checkMatter(report: Report, path: string, matter: unknown): void {
  if (!isObject(matter)) return report('BAD_SHAPE', path, 'a matter is an object', '事项须为对象');
  checkId(report, `${path}.id`, matter.id, 'matter', '事项');
  if (RESERVED_MATTER_IDS.includes(matter.id as string))
    report(
      'BAD_ID',
      `${path}.id`,
      `"${String(matter.id)}" names a page of the list (/matters/${String(matter.id)}), not a matter`,
      `“${String(matter.id)}”为清单接口保留字，不能用作事项编号`,
    );
  if (matter.subject !== 'person' && matter.subject !== 'enterprise')
    return report(
      'BAD_SHAPE',
      `${path}.subject`,
      'subject must be person or enterprise',
      '服务对象须为 person 或 enterprise',
    );
  checkText(report, `${path}.title`, matter.title, 'title', '事项名称');
  const department = matter.department;
  if (!isObject(department))
    report('BAD_SHAPE', `${path}.department`, 'name the handling department', '须写明办理部门');
  else {
    checkId(report, `${path}.department.id`, department.id, 'department', '部门');
    checkText(report, `${path}.department.name`, department.name, 'department name', '部门名称');
  }
  checkText(report, `${path}.legalBasis`, matter.legalBasis, 'legal basis', '设定依据');
  if (!JURISDICTION_LEVELS.includes(matter.level as never))
    report(
      'BAD_LEVEL',
      `${path}.level`,
      'level must be city, county or township',
      '办理层级须为市、县或乡（city/county/township）',
    );
  const days = matter.timeLimitWorkingDays;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1)
    report(
      'BAD_TIME_LIMIT',
      `${path}.timeLimitWorkingDays`,
      'the statutory time limit must be a whole number of working days, 1 or more',
      '法定办结时限须为不少于1的整数个工作日',
    );
  const fields = Array.isArray(matter.fields) ? matter.fields : [];
  const proofs = Array.isArray(matter.proofs) ? matter.proofs : [];
  const claims = Array.isArray(matter.claims) ? matter.claims : [];
  if (!Array.isArray(matter.fields)) report('BAD_SHAPE', `${path}.fields`, 'fields is a list', '表单字段须为列表');
  if (!Array.isArray(matter.proofs)) report('BAD_SHAPE', `${path}.proofs`, 'proofs is a list', '证明材料须为列表');
  if (!Array.isArray(matter.claims)) report('BAD_SHAPE', `${path}.claims`, 'claims is a list', '可核验事项须为列表');
  fields.forEach((field, index) =>
    checkField(report, `${path}.fields[${index}]`, field, matter.subject as SubjectKind),
  );
  checkDistinct(report, fields, `${path}.fields`, 'field', '字段');
  proofs.forEach((proof, index) => checkProof(report, `${path}.proofs[${index}]`, proof, matter));
  checkDistinct(report, proofs, `${path}.proofs`, 'proof', '证明材料');
  claims.forEach((claim, index) =>
    checkClaim(report, `${path}.claims[${index}]`, claim, matter.subject as SubjectKind),
  );
  claims.forEach((claim, index) => {
    if (claims.indexOf(claim) !== index)
      report(
        'DUPLICATE_ID',
        `${path}.claims[${index}]`,
        `claim ${String(claim)} is listed twice`,
        `核验事项 ${String(claim)} 重复`,
      );
  });
}

/** 只增不减 against the version in force: no matter or proof dropped, no replaced proof back to paper. */
function checkAgainstPrevious(report: Report, matters: readonly unknown[], previous: MatterList): void {
  const next = new Map<string, { index: number; matter: Record<string, unknown> }>();
  matters.forEach((matter, index) => {
    if (isObject(matter) && typeof matter.id === 'string' && !next.has(matter.id))
      next.set(matter.id, { index, matter });
  });
  for (const before of previous.matters) {
    const now = next.get(before.id);
    if (!now) {
      report(
        'MATTER_DROPPED',
        'matters',
        `matter ${before.id} (${before.title.en}) of version ${previous.version} is missing: a matter once listed is never dropped (只增不减)`,
        `事项 ${before.id}（${before.title.zh}）在第 ${previous.version} 版中已列入，新版本不得删除（只增不减）`,
      );
      continue;
    }
    const proofs = Array.isArray(now.matter.proofs) ? (now.matter.proofs as unknown[]) : [];
    for (const proof of before.proofs) checkProofKept(report, `matters[${now.index}]`, before, proof, proofs);
  }
}

function checkProofKept(
  report: Report,
  matterPath: string,
  matter: Matter,
  before: MatterProof,
  proofs: readonly unknown[],
): void {
  const index = proofs.findIndex((p) => isObject(p) && p.id === before.id);
  if (index < 0) {
    report(
      'PROOF_DROPPED',
      `${matterPath}.proofs`,
      `proof ${before.id} (${before.title.en}) of matter ${matter.id} is missing: a proof once listed stays; mark it cancelled with its basis instead`,
      `事项 ${matter.id} 的证明材料 ${before.id}（${before.title.zh}）不得删除；如不再需要，请标为“直接取消”并写明依据`,
    );
    return;
  }
  const now = proofs[index] as Record<string, unknown>;
  const method = isObject(now.replacement) ? now.replacement.method : undefined;
  if (before.replacement.method !== 'paper' && method === 'paper')
    report(
      'PROOF_BACK_TO_PAPER',
      `${matterPath}.proofs[${index}].replacement.method`,
      `proof ${before.id} (${before.title.en}) of matter ${matter.id} was replaced (${before.replacement.method}): it may not go back to paper (只增不减)`,
      `事项 ${matter.id} 的证明材料 ${before.id}（${before.title.zh}）已实现替代（${before.replacement.method}），不得恢复为提交纸质材料（只增不减）`,
    );
}

/**
 * Every problem of a list version (`list`: parsed JSON, not yet trusted), checked against the
 * version in force when `previous` is given. Empty: the version may be published.
 */
export function validateMatterList(list: unknown, previous?: MatterList): MatterProblem[] {
  const problems: MatterProblem[] = [];
  const report: Report = (code, path, message, messageZh) => problems.push({ code, path, message, messageZh });
  if (!isObject(list) || !Array.isArray(list.matters)) {
    report('BAD_SHAPE', 'matters', 'the list is an object with its matters', '清单须为包含 matters 的对象');
    return problems;
  }
  if (list.publishedOn !== undefined && (typeof list.publishedOn !== 'string' || !ISO_DATE.test(list.publishedOn)))
    report('BAD_SHAPE', 'publishedOn', 'publishedOn is an ISO date (YYYY-MM-DD)', '发布日期须为 YYYY-MM-DD');
  const matters = list.matters as unknown[];
  if (matters.length === 0) report('BAD_SHAPE', 'matters', 'the list has no matters', '清单中没有事项');
  matters.forEach((matter, index) => checkMatter(report, `matters[${index}]`, matter));
  checkDistinct(report, matters, 'matters', 'matter', '事项');
  if (previous) checkAgainstPrevious(report, matters, previous);
  return problems;
}

/** The day six months after an ISO date (the day clamped to the month's end: 08-31 → 02-28/29). */
export function sixMonthsAfter(isoDate: string): string {
  const [year, month, day] = isoDate.split('-').map(Number);
  const total = year * 12 + (month - 1) + 6;
  const y = Math.floor(total / 12);
  const m = (total % 12) + 1;
  const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(Math.min(day, lastDay)).padStart(2, '0')}`;
}

/**
 * Whether a list published on `publishedOn` is stale on `today` (both ISO dates): older than six
 * months, so the twice-a-year update is overdue. A list with no date (a draft) is not stale.
 */
export function listIsStale(publishedOn: string | undefined, today: string): boolean {
  if (!publishedOn) return false;
  return today > sixMonthsAfter(publishedOn);
}
