/**
 * GET /catalog: what a policy may be written with — the data sources of the catalog in force
 * (department, legal basis, update frequency; each fact's type, unit, sensitivity, coverage and
 * synthetic generator) with its version, the whitelisted operators and the life events that can
 * trigger it — so the console's editor offers only what the validator accepts. Unauthenticated
 * and read-only: it holds no data. With a catalog service, also the catalog's published versions
 * (public) and its drafts: officers draft and submit additions, a second person (a reviewer)
 * approves, which publishes them (services/catalog/service.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { EVENT_TYPES } from '../domain/events.js';
import { BENEFIT_CODES, SHIPPED_BENEFIT_CODES } from '../domain/benefit-codes.js';
import { catalogSources, catalogVersion, type Text } from '../domain/sources.js';
import type { CatalogService } from '../services/catalog/service.js';
import type { CatalogDraftStatus } from '../store/catalog-versions.js';
import { actorOf } from './auth.js';
import { answerErrors } from './errors.js';
import { bearerSecurity, errorSchema } from './schemas.js';
import { OPERATOR_NAMES, OPERATOR_SPECS, type OperatorName } from '../rules/operators.js';

/** How each operator reads, in both languages (the names themselves stay json-rules-engine's). */
export const OPERATOR_LABELS: Record<OperatorName, Text> = {
  equal: { zh: '等于', en: 'equals' },
  notEqual: { zh: '不等于', en: 'does not equal' },
  lessThan: { zh: '小于', en: 'less than' },
  lessThanInclusive: { zh: '小于等于', en: 'at most' },
  greaterThan: { zh: '大于', en: 'greater than' },
  greaterThanInclusive: { zh: '大于等于', en: 'at least' },
  in: { zh: '属于其中之一', en: 'is one of' },
  notIn: { zh: '不属于其中任何一个', en: 'is none of' },
  contains: { zh: '包含', en: 'contains' },
  ageAtLeast: { zh: '截至判定日年龄满（周岁）', en: 'age on the as-of date at least (years)' },
  ageBelow: { zh: '截至判定日年龄未满（周岁）', en: 'age on the as-of date below (years)' },
  ageReachedBeforeMonth: { zh: '判定月之前已满（周岁）', en: 'reached the age before the as-of month (years)' },
  ageBelowDuringYear: { zh: '判定年度内曾未满（周岁）', en: 'below the age at some time in the as-of year (years)' },
  ageMonthsAtLeast: { zh: '截至判定日年龄满（足月数）', en: 'age on the as-of date at least (completed months)' },
  ageMonthsBelow: { zh: '截至判定日年龄未满（足月数）', en: 'age on the as-of date below (completed months)' },
  ageOnAtLeast: {
    zh: '判定年度某月日时年龄满（周岁，如 8月31日前满6周岁）',
    en: 'age on a month-day of the as-of year at least (years, e.g. six by 31 August)',
  },
  ageOnBelow: {
    zh: '判定年度某月日时年龄未满（周岁）',
    en: 'age on a month-day of the as-of year below (years)',
  },
  daysSinceAtLeast: { zh: '距今至少（天）', en: 'at least this many days ago' },
  daysSinceAtMost: { zh: '距今至多（天）', en: 'at most this many days ago' },
  monthsSinceAtLeast: { zh: '距今至少（月）', en: 'at least this many months ago' },
  monthsSinceAtMost: { zh: '距今至多（月）', en: 'at most this many months ago' },
  dateBefore: { zh: '早于日期（或判定年度的月日）', en: 'before the date (or a month-day of the as-of year)' },
  dateOnOrAfter: {
    zh: '不早于日期（或判定年度的月日）',
    en: 'on or after the date (or a month-day of the as-of year)',
  },
};

/** The catalog in force as the console reads it (rebuilt on each read: a publication changes it). */
export function catalogView() {
  return {
    version: catalogVersion(),
    sources: catalogSources().map((source) => ({
      id: source.id,
      subject: source.subject,
      department: source.department,
      legalBasis: source.legalBasis,
      updateFrequency: source.updateFrequency,
      collection: source.collection,
      fields: source.fields.map(({ key, column, type, sensitivity, label, values, unit, coverage, synthetic }) => ({
        key,
        column,
        type,
        sensitivity,
        label,
        ...(values ? { values: [...values] } : {}),
        ...(unit ? { unit } : {}),
        coverage,
        synthetic,
      })),
    })),
    operators: OPERATOR_NAMES.map((name) => ({
      name,
      label: OPERATOR_LABELS[name],
      factTypes: [...OPERATOR_SPECS[name].factTypes],
      value: OPERATOR_SPECS[name].value,
    })),
    triggers: EVENT_TYPES.map(({ type, subject, label, publisher }) => ({ type, subject, label, publisher })),
    // The list of benefits a policy's `benefit.code` names (the duplicate-benefit check compares codes).
    benefitCodes: BENEFIT_CODES.map(({ code, name, kind }) => ({ code, name, kind })),
    // The codes shipped policies have by their id, for their versions that name none.
    benefitCodeByPolicy: { ...SHIPPED_BENEFIT_CODES },
  };
}

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema } as const;
const draftParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 120, description: 'catalog draft ID' } },
} as const;
const noteBody = (required: boolean) =>
  ({
    type: 'object',
    ...(required ? { required: ['note'] } : {}),
    properties: {
      note: { type: 'string', maxLength: 2000, description: required ? 'why (required)' : 'optional remark' },
    },
    additionalProperties: false,
  }) as const;
const STATUSES: readonly CatalogDraftStatus[] = ['draft', 'submitted', 'approved', 'published', 'rejected'];

type DraftRequest = FastifyRequest<{ Params: { id: string }; Body: { note?: string } | undefined }>;

/**
 * Registers GET /catalog (no token: it lists what may be written, never data) and, with a catalog
 * service, the versions (public, the published record) and the drafts' routes.
 */
export async function catalogRoutes(app: FastifyInstance, deps: { catalog?: CatalogService } = {}): Promise<void> {
  const { catalog } = deps;
  app.setErrorHandler(answerErrors());
  app.get(
    '/catalog',
    {
      schema: {
        tags: ['catalog'],
        summary:
          'The data catalog in force (version; sources with department, legal basis, update frequency; facts with type, unit, sensitivity, coverage), operators and triggers · 数据目录与运算符',
      },
    },
    async (_request, reply) => {
      // Another process may have published since: read the store's newest first.
      if (catalog) await catalog.current();
      return reply.header('cache-control', 'no-cache').send(catalogView());
    },
  );
  if (!catalog) return;

  app.get(
    '/catalog/versions',
    {
      schema: {
        tags: ['catalog'],
        summary:
          'Every published version of the data catalog, newest first: what each added, who published it · 数据目录版本',
      },
    },
    async () => catalog.versions(),
  );

  app.get(
    '/catalog/synthetic',
    {
      schema: {
        tags: ['catalog'],
        summary:
          'On the embedded stack: how far the synthetic city has been given values of each added fact (subjects done of total) · 合成数据填充进度',
      },
    },
    async () => catalog.synthetic(),
  );

  app.get(
    '/catalog/drafts',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Catalog drafts, newest first (officers, reviewers, supervisors) · 数据目录草稿',
        querystring: { type: 'object', properties: { status: { type: 'string', enum: [...STATUSES] } } },
        security: bearerSecurity,
        response: { 401: errorSchema, 403: errorSchema },
      },
    },
    async (request: FastifyRequest<{ Querystring: { status?: CatalogDraftStatus } }>) =>
      catalog.drafts({ status: request.query.status }),
  );

  app.post(
    '/catalog/drafts',
    {
      schema: {
        tags: ['catalog'],
        summary:
          'Draft an addition (officer): {sourceId, facts} for a published source, or {source} with its facts; refused naming the field · 起草数据目录新增',
        body: { type: 'object', additionalProperties: true },
        security: bearerSecurity,
        response: errors,
      },
    },
    async (request: FastifyRequest<{ Body: unknown }>, reply) =>
      reply.code(201).send(await catalog.draft(actorOf(request), request.body)),
  );

  app.get(
    '/catalog/drafts/:id',
    {
      schema: {
        tags: ['catalog'],
        summary:
          'One catalog draft with its addition and history (officers, reviewers, supervisors) · 查看数据目录草稿',
        params: draftParams,
        security: bearerSecurity,
        response: { 401: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (request: DraftRequest) => catalog.get(request.params.id),
  );

  const step = (
    path: string,
    summary: string,
    run: (request: DraftRequest) => Promise<unknown>,
    body: ReturnType<typeof noteBody>,
  ) =>
    app.post(
      `/catalog/drafts/:id/${path}`,
      { schema: { tags: ['catalog'], summary, params: draftParams, body, security: bearerSecurity, response: errors } },
      async (request: DraftRequest) => run(request),
    );
  step(
    'submit',
    'Submit a draft for review (officer) · 提交审核',
    (r) => catalog.submit(actorOf(r), r.params.id, r.body?.note),
    noteBody(false),
  );
  step(
    'approve',
    'Approve and publish as the catalog’s next version (reviewer; not the drafter or submitter: FOUR_EYES); a retry publishes once · 批准并发布',
    (r) => catalog.approve(actorOf(r), r.params.id, r.body?.note),
    noteBody(false),
  );
  step(
    'reject',
    'Send a submitted draft back, saying why (reviewer) · 退回',
    (r) => catalog.reject(actorOf(r), r.params.id, r.body?.note ?? ''),
    noteBody(true),
  );
}
