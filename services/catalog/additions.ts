/**
 * What an officer may add to the data catalog, checked before anything is written: a new fact in
 * a source already published, or a new source with its facts. Published facts are never removed
 * or retyped (additions only), so a policy published against one catalog version reads the same
 * facts under every later one. Every problem is an issue naming its field (`facts[0].unit`), in
 * English and Chinese; the first is the refusal's field.
 */
import type {
  Coverage,
  DataSource,
  FactField,
  FactType,
  Sensitivity,
  SubjectKind,
  SyntheticGenerator,
  Text,
  UpdateFrequency,
} from '../../domain/sources.js';
import { Refusal, type RefusalIssue } from '../../domain/refusal.js';

/** An addition as an officer drafts it: facts for a published source, or a new source with its facts. */
export type CatalogAddition = { sourceId: string; facts: FactField[] } | { source: DataSource };

export type CatalogErrorCode =
  | 'CATALOG_INVALID'
  | 'CATALOG_DRAFT_NOT_FOUND'
  | 'FORBIDDEN_ROLE'
  | 'FOUR_EYES'
  | 'WRONG_STATUS'
  | 'CATALOG_CONFLICT'
  | 'REASON_REQUIRED';

/** A refused catalog step: a stable code, both languages, the field at fault and every issue. */
export class CatalogError extends Refusal {
  declare readonly code: CatalogErrorCode;
  constructor(
    code: CatalogErrorCode,
    message: string,
    messageZh: string,
    field?: string,
    issues?: readonly RefusalIssue[],
  ) {
    super(code, message, messageZh, field, issues);
  }
}

const FACT_KEY = /^(person|enterprise)\.[a-z][A-Za-z0-9]*$/;
const SOURCE_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const COLLECTION = /^dp_[a-z0-9_]+$/;
const COLUMN = /^[a-z][A-Za-z0-9]*$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const TYPES: readonly FactType[] = ['date', 'number', 'boolean', 'string'];
const SENSITIVITIES: readonly Sensitivity[] = ['public', 'personal', 'sensitive'];
const COVERAGES: readonly Coverage[] = ['absent-means-no', 'absent-means-unknown'];
const FREQUENCIES: readonly UpdateFrequency[] = ['realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly'];
const SUBJECTS: readonly SubjectKind[] = ['person', 'enterprise'];
/** The generator kind each fact type takes (`seed` is the shipped city's own, never drafted). */
const GENERATOR_FOR: Record<FactType, SyntheticGenerator['kind']> = {
  boolean: 'bernoulli',
  number: 'integer',
  string: 'choice',
  date: 'date',
};
const FIELD_MEMBERS = ['key', 'column', 'type', 'sensitivity', 'label', 'values', 'unit', 'coverage', 'synthetic'];
const SOURCE_MEMBERS = ['id', 'subject', 'department', 'legalBasis', 'updateFrequency', 'collection', 'fields'];

class Issues {
  readonly list: Array<RefusalIssue & { messageZh: string }> = [];
  add(path: string, message: string, messageZh: string): void {
    this.list.push({ path, message, messageZh });
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is Text =>
  isRecord(value) &&
  typeof value.zh === 'string' &&
  value.zh.trim() !== '' &&
  typeof value.en === 'string' &&
  value.en.trim() !== '';
const isShare = (value: unknown) => typeof value === 'number' && value >= 0 && value <= 1;

function checkUnknownMembers(issues: Issues, path: string, value: Record<string, unknown>, allowed: string[]): void {
  for (const key of Object.keys(value))
    if (!allowed.includes(key))
      issues.add(
        `${path}.${key}`,
        `unknown member "${key}" (allowed: ${allowed.join(', ')})`,
        `未知字段 "${key}"（可用：${allowed.join('、')}）`,
      );
}

function checkText(issues: Issues, path: string, value: unknown, what: string, whatZh: string): void {
  if (!isText(value))
    issues.add(path, `${what} needs {zh, en}, both non-empty`, `${whatZh}须填写中文和英文（{zh, en}）`);
}

/** The generator's own checks: its kind fits the type, its numbers are in range. */
function checkGenerator(
  issues: Issues,
  path: string,
  type: FactType,
  value: unknown,
  values?: readonly string[],
): void {
  const wanted = GENERATOR_FOR[type];
  if (!isRecord(value) || value.kind !== wanted) {
    issues.add(
      `${path}.kind`,
      `a ${type} fact's synthetic generator is {kind: "${wanted}", …}`,
      `${type} 类型事实的合成数据生成器须为 {kind: "${wanted}", …}`,
    );
    return;
  }
  if (value.absentShare !== undefined && !isShare(value.absentShare))
    issues.add(`${path}.absentShare`, 'absentShare is a share between 0 and 1', 'absentShare 须为 0 到 1 之间的比例');
  if (value.kind === 'bernoulli' && !isShare(value.p))
    issues.add(`${path}.p`, 'p is a probability between 0 and 1', 'p 须为 0 到 1 之间的概率');
  if (value.kind === 'integer') {
    if (
      !Number.isSafeInteger(value.min) ||
      !Number.isSafeInteger(value.max) ||
      (value.min as number) > (value.max as number)
    )
      issues.add(`${path}.min`, 'min and max are whole numbers with min ≤ max', 'min 与 max 须为整数且 min ≤ max');
  }
  if (value.kind === 'choice') {
    const weights = value.weights;
    if (!isRecord(weights) || Object.keys(weights).length === 0)
      issues.add(`${path}.weights`, 'weights name each value with its weight', 'weights 须列出各取值及其权重');
    else
      for (const [choice, weight] of Object.entries(weights)) {
        if (typeof weight !== 'number' || !(weight > 0))
          issues.add(`${path}.weights.${choice}`, 'a weight is a number above 0', '权重须为大于 0 的数');
        if (values && !values.includes(choice))
          issues.add(
            `${path}.weights.${choice}`,
            `"${choice}" is not one of the fact's values (${values.join(', ')})`,
            `"${choice}" 不在该事实的取值范围内（${values.join('、')}）`,
          );
      }
  }
  if (value.kind === 'date') {
    const { from, to } = value;
    if (typeof from !== 'string' || !DATE.test(from))
      issues.add(`${path}.from`, 'from is a date YYYY-MM-DD', 'from 须为日期 YYYY-MM-DD');
    if (typeof to !== 'string' || !DATE.test(to) || (typeof from === 'string' && to < from))
      issues.add(`${path}.to`, 'to is a date YYYY-MM-DD, not before from', 'to 须为不早于 from 的日期 YYYY-MM-DD');
  }
}

/** Checks one drafted fact; answers it with its column filled in (the field's name by default). */
function checkField(
  issues: Issues,
  path: string,
  input: unknown,
  subject: SubjectKind,
  known: ReadonlySet<string>,
): FactField | undefined {
  if (!isRecord(input)) {
    issues.add(path, 'a fact is an object', '事实须为对象');
    return undefined;
  }
  checkUnknownMembers(issues, path, input, FIELD_MEMBERS);
  const { key, type, sensitivity, label, values, unit, coverage, synthetic } = input;
  if (typeof key !== 'string' || !FACT_KEY.test(key)) {
    issues.add(
      `${path}.key`,
      'a fact key is <subject>.<field>, e.g. person.birthDate (field: a letter then letters or digits)',
      '事实键格式为 <对象>.<字段>，例如 person.birthDate',
    );
  } else {
    if (!key.startsWith(`${subject}.`))
      issues.add(
        `${path}.key`,
        `the source is about ${subject}s: its fact keys start with "${subject}."`,
        `该数据源的对象为 ${subject}，事实键须以 "${subject}." 开头`,
      );
    if (known.has(key)) issues.add(`${path}.key`, `${key} is in the catalog already`, `${key} 已在数据目录中`);
  }
  const column = input.column ?? (typeof key === 'string' ? key.split('.')[1] : undefined);
  if (typeof column !== 'string' || !COLUMN.test(column))
    issues.add(`${path}.column`, 'a column is a letter then letters or digits', '列名须以字母开头，仅含字母和数字');
  if (!TYPES.includes(type as FactType))
    issues.add(`${path}.type`, `type is one of ${TYPES.join(', ')}`, `type 须为 ${TYPES.join('、')} 之一`);
  if (!SENSITIVITIES.includes(sensitivity as Sensitivity))
    issues.add(
      `${path}.sensitivity`,
      `sensitivity is one of ${SENSITIVITIES.join(', ')}`,
      `sensitivity 须为 ${SENSITIVITIES.join('、')} 之一`,
    );
  checkText(issues, `${path}.label`, label, 'a label', '名称');
  if (type === 'string') {
    if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'string' || v === ''))
      issues.add(
        `${path}.values`,
        'a string fact lists its closed set of values (a policy compares with them)',
        '文本类事实须列出封闭的取值集合',
      );
    else if (new Set(values).size !== values.length)
      issues.add(`${path}.values`, 'each value is listed once', '取值不得重复');
  } else if (values !== undefined)
    issues.add(`${path}.values`, 'only string facts have a set of values', '只有文本类事实才有取值集合');
  if (type === 'number') {
    if (unit === undefined)
      issues.add(`${path}.unit`, 'a number fact says its unit (元, 月, 人…)', '数值类事实须注明单位');
    else checkText(issues, `${path}.unit`, unit, 'a unit', '单位');
  } else if (unit !== undefined) issues.add(`${path}.unit`, 'only number facts have a unit', '只有数值类事实才有单位');
  if (!COVERAGES.includes(coverage as Coverage))
    issues.add(
      `${path}.coverage`,
      `coverage is one of ${COVERAGES.join(', ')}`,
      `coverage 须为 ${COVERAGES.join('、')} 之一`,
    );
  else if (coverage === 'absent-means-no' && type !== 'boolean' && type !== 'number')
    issues.add(
      `${path}.coverage`,
      'absent-means-no is for boolean and number facts only: no record of a date or a text is never an answer',
      '"无记录即否" 仅适用于是/否和数值类事实',
    );
  if (TYPES.includes(type as FactType))
    checkGenerator(
      issues,
      `${path}.synthetic`,
      type as FactType,
      synthetic,
      Array.isArray(values) ? values : undefined,
    );
  if (issues.list.length > 0) return undefined;
  return {
    key: key as string,
    column: column as string,
    type: type as FactType,
    sensitivity: sensitivity as Sensitivity,
    label: { zh: (label as Text).zh, en: (label as Text).en },
    ...(values ? { values: [...(values as string[])] } : {}),
    ...(unit ? { unit: { zh: (unit as Text).zh, en: (unit as Text).en } } : {}),
    coverage: coverage as Coverage,
    synthetic: structuredClone(synthetic) as SyntheticGenerator,
  };
}

function checkFields(
  issues: Issues,
  path: string,
  input: unknown,
  subject: SubjectKind,
  catalog: readonly DataSource[],
  takenColumns: ReadonlySet<string>,
): FactField[] {
  if (!Array.isArray(input) || input.length === 0) {
    issues.add(path, 'list at least one fact', '须至少列出一个事实');
    return [];
  }
  const known = new Set(catalog.flatMap((source) => source.fields.map((field) => field.key)));
  const columns = new Set(takenColumns);
  const fields: FactField[] = [];
  input.forEach((item, i) => {
    const before = issues.list.length;
    const field = checkField(issues, `${path}[${i}]`, item, subject, known);
    if (!field || issues.list.length > before) return;
    if (columns.has(field.column)) {
      issues.add(
        `${path}[${i}].column`,
        `the source has a column ${field.column} already`,
        `该数据源已有列 ${field.column}`,
      );
      return;
    }
    known.add(field.key);
    columns.add(field.column);
    fields.push(field);
  });
  return fields;
}

function checkSource(issues: Issues, input: unknown, catalog: readonly DataSource[]): DataSource | undefined {
  if (!isRecord(input)) {
    issues.add('source', 'a new source is an object', '新数据源须为对象');
    return undefined;
  }
  checkUnknownMembers(issues, 'source', input, SOURCE_MEMBERS);
  const { id, subject, department, legalBasis, updateFrequency, collection } = input;
  if (typeof id !== 'string' || !SOURCE_ID.test(id))
    issues.add(
      'source.id',
      'a source id is kebab-case, e.g. housing-fund',
      '数据源编号须为小写连字符格式，如 housing-fund',
    );
  else if (catalog.some((source) => source.id === id))
    issues.add(
      'source.id',
      `${id} is in the catalog already: add facts to it instead`,
      `${id} 已在数据目录中，请为其添加事实`,
    );
  if (!SUBJECTS.includes(subject as SubjectKind))
    issues.add('source.subject', 'subject is person or enterprise', 'subject 须为 person 或 enterprise');
  checkText(issues, 'source.department', department, 'the owning department', '责任部门');
  checkText(issues, 'source.legalBasis', legalBasis, 'the legal basis for sharing', '共享依据');
  if (!FREQUENCIES.includes(updateFrequency as UpdateFrequency))
    issues.add(
      'source.updateFrequency',
      `updateFrequency is one of ${FREQUENCIES.join(', ')}`,
      `updateFrequency 须为 ${FREQUENCIES.join('、')} 之一`,
    );
  if (typeof collection !== 'string' || !COLLECTION.test(collection))
    issues.add(
      'source.collection',
      'a collection is dp_ then lower-case letters, digits or _',
      '集合名须为 dp_ 加小写字母、数字或下划线',
    );
  else if (catalog.some((source) => source.collection === collection))
    issues.add('source.collection', `${collection} holds another source`, `${collection} 已用于其他数据源`);
  if (!SUBJECTS.includes(subject as SubjectKind)) return undefined;
  const fields = checkFields(issues, 'source.fields', input.fields, subject as SubjectKind, catalog, new Set());
  if (issues.list.length > 0) return undefined;
  return {
    id: id as string,
    subject: subject as SubjectKind,
    department: { ...(department as Text) },
    legalBasis: { ...(legalBasis as Text) },
    updateFrequency: updateFrequency as UpdateFrequency,
    collection: collection as string,
    fields,
  };
}

/** Refuses with every issue, the first naming the field. */
function refuse(issues: Issues): never {
  const [first] = issues.list;
  throw new CatalogError(
    'CATALOG_INVALID',
    `the catalog addition is invalid: ${issues.list
      .slice(0, 3)
      .map((i) => `${i.path}: ${i.message}`)
      .join('; ')}`,
    `数据目录新增内容有误：${first.path}：${first.messageZh}`,
    first.path,
    issues.list,
  );
}

/**
 * Checks an addition against the catalog it would join and answers it normalised (columns filled
 * in, only known members kept); throws CatalogError CATALOG_INVALID naming every field at fault.
 */
export function checkAddition(input: unknown, catalog: readonly DataSource[]): CatalogAddition {
  const issues = new Issues();
  if (!isRecord(input) || (input.source === undefined) === (input.sourceId === undefined)) {
    issues.add(
      'sourceId',
      'an addition is {sourceId, facts} (facts for a published source) or {source} (a new source with its facts)',
      '新增内容须为 {sourceId, facts}（为已发布数据源添加事实）或 {source}（新数据源及其事实）',
    );
    refuse(issues);
  }
  if (input.source !== undefined) {
    checkUnknownMembers(issues, '(addition)', input, ['source']);
    const source = checkSource(issues, input.source, catalog);
    if (!source || issues.list.length > 0) refuse(issues);
    return { source };
  }
  checkUnknownMembers(issues, '(addition)', input, ['sourceId', 'facts']);
  const source = catalog.find((s) => s.id === input.sourceId);
  if (!source) {
    issues.add(
      'sourceId',
      `${String(input.sourceId)} is not a published source (${catalog.map((s) => s.id).join(', ')})`,
      `${String(input.sourceId)} 不是已发布的数据源`,
    );
    refuse(issues);
  }
  const facts = checkFields(
    issues,
    'facts',
    input.facts,
    source.subject,
    catalog,
    new Set(source.fields.map((field) => field.column)),
  );
  if (issues.list.length > 0) refuse(issues);
  return { sourceId: source.id, facts };
}

/** The catalog with an addition joined: sources keep their order, a new source comes last. */
export function withAddition(catalog: readonly DataSource[], addition: CatalogAddition): DataSource[] {
  if ('source' in addition) return [...catalog, addition.source];
  return catalog.map((source) =>
    source.id === addition.sourceId ? { ...source, fields: [...source.fields, ...addition.facts] } : source,
  );
}

/** The fact keys an addition brings. */
export function factsOf(addition: CatalogAddition): string[] {
  return ('source' in addition ? addition.source.fields : addition.facts).map((field) => field.key);
}
