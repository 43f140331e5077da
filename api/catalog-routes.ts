/**
 * GET /catalog: what a policy may be written with — the data sources and their facts, the
 * whitelisted operators and the life events that can trigger it — so the console's editor
 * offers only what the validator accepts. Unauthenticated and read-only: it holds no data.
 */
import type { FastifyInstance } from 'fastify';
import { EVENT_TYPES } from '../domain/events.js';
import { DATA_SOURCES, type Text } from '../domain/sources.js';
import { BENEFIT_CODES, SHIPPED_BENEFIT_CODES } from '../domain/benefit-codes.js';
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

/** The catalog as the console reads it; built once, it never changes while the process runs. */
export function catalogView() {
  return {
    sources: DATA_SOURCES.map((source) => ({
      id: source.id,
      subject: source.subject,
      department: source.department,
      fields: source.fields.map(({ key, type, sensitivity, label, values }) => ({
        key,
        type,
        sensitivity,
        label,
        ...(values ? { values: [...values] } : {}),
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

/** Registers GET /catalog (no token: it lists what may be written, never data). */
export async function catalogRoutes(app: FastifyInstance): Promise<void> {
  const catalog = catalogView();
  app.get(
    '/catalog',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Data sources, facts, operators and triggers a policy may use · 数据目录与运算符',
      },
    },
    async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(catalog),
  );
}
