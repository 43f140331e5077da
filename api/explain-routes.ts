/**
 * Explanations on hypothetical facts over HTTP (issue 4): why made-up facts are eligible or not
 * under any version, drafts included — they read no one's data. A real person's decision is
 * explained from their case, with a logged reason (POST /cases/:caseId/explain, services/cases/explain.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { cityToday } from '../domain/calendar.js';
import { isIsoDate } from '../rules/dates.js';
import { RulesError } from '../rules/errors.js';
import { checkFacts, defaultAsOf, explainPolicy, outsideEffective } from '../rules/explain-subject.js';
import type { Policy } from '../rules/types.js';
import { PolicyLifecycleError, issuesOf, type PolicyLifecycle } from '../services/policies/lifecycle.js';
import { bearerSecurity, errorSchema, textSchema } from './schemas.js';
import { Refusal } from '../domain/refusal.js';
import { answerErrors, type ErrorBody } from './errors.js';

/** A policy that cannot be evaluated on the date (a parameter not in force, an amount unresolved): 422 with its code. */
export const rulesErrorAnswer = (error: unknown): { status: number; body: ErrorBody } | undefined =>
  error instanceof RulesError
    ? {
        status: 422,
        body: { code: error.code, message: error.message, messageZh: `该政策在此日期无法求值：${error.message}` },
      }
    : undefined;

/** A refused explanation: HTTP status, stable code, both languages, the field at fault. */
export class ExplainApiError extends Refusal {}

const DATE = '^\\d{4}-\\d{2}-\\d{2}$';
const policyId = {
  type: 'string',
  pattern: '^[a-z0-9]+(-[a-z0-9]+)*$',
  description: 'policy id, e.g. old-age-allowance',
} as const;
/** The Explanation (rules/explain-subject.ts) as JSON Schema: the hypothetical route's and the case route's answer. */
export const explanationSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    policyId: { type: 'string' },
    version: { type: 'integer' },
    title: textSchema,
    asOf: { type: 'string' },
    subjectKey: { type: 'string', description: 'pseudonymous subject key (never the raw ID)' },
    inForce: { type: 'boolean' },
    decision: {
      type: 'object',
      additionalProperties: true,
      description:
        'outcome, amount, period, missingFacts, conditions (each leaf with factLabel, masked factValue, result, actual; a real person’s sensitive leaves only {name, label, fact, factLabel, withheld: true})',
    },
    groups: {
      type: 'object',
      additionalProperties: true,
      description:
        'the decision grouped by named condition (rules/explain-groups.ts): {name, label, kind, met, facts: {fact: {label, actual}}, leaves, groups, collapsed} — each label once, only the conditions that decided each group, the rest counted in collapsed',
    },
    flips: {
      type: 'array',
      items: { type: 'object', additionalProperties: true },
      description:
        'smallest changes of facts that flip the outcome: [{changes: [{fact, factLabel, from, to}], outcome}]',
    },
    nextChange: {
      type: ['object', 'null'],
      properties: { date: { type: 'string' }, outcome: { type: 'string' } },
      description: 'when the outcome next changes by itself',
    },
    withheld: {
      type: 'object',
      description:
        'a real person’s explanation: the sensitive facts withheld whole, and whether the flips and the next change were withheld with them',
      properties: {
        facts: { type: 'array', items: { type: 'string' } },
        flips: { type: 'boolean' },
        nextChange: { type: 'boolean' },
      },
    },
    summary: textSchema,
    suppliedFacts: {
      type: 'array',
      description:
        'a case decided on review (人工审核): the facts a reviewer supplied, each with its provenance (kind, reference, note) and who recorded it when',
      items: { type: 'object', additionalProperties: true },
    },
  },
} as const;
const responses = {
  200: explanationSchema,
  400: errorSchema,
  401: errorSchema,
  404: errorSchema,
  422: errorSchema,
  503: errorSchema,
} as const;

/**
 * Registers POST /policies/:id/versions/:version/explain (hypothetical facts) in its own scope;
 * errors other than its own go on to the policy routes' handler.
 */
export async function explainRoutes(app: FastifyInstance, deps: { lifecycle: PolicyLifecycle }): Promise<void> {
  const { lifecycle } = deps;
  const today = () => cityToday();

  app.setErrorHandler(answerErrors(rulesErrorAnswer));

  /** The as-of date asked for, else today (moved into the version's effective range). */
  const asOfOf = (asOf: string | undefined, policy: Policy): string => {
    const date = asOf ?? defaultAsOf(policy, today());
    if (!isIsoDate(date))
      throw new ExplainApiError('BAD_REQUEST', `asOf ${date} is not a calendar date`, `日期 ${date} 无效`, 'asOf');
    const outside = outsideEffective(policy, date);
    if (outside) throw new ExplainApiError('POLICY_NOT_IN_FORCE', outside.en, outside.zh, 'asOf');
    return date;
  };

  /** A stored version as a policy; an invalid draft cannot be explained. */
  async function versionOf(id: string, version: number): Promise<Policy> {
    const { document } = await lifecycle.get(id, version);
    const issues = issuesOf(document);
    if (issues.length > 0) {
      throw new PolicyLifecycleError(
        'POLICY_INVALID',
        `${id} v${version} has ${issues.length} validation issue(s): fix them before explaining`,
        `${id} 第 ${version} 版有 ${issues.length} 个校验问题，请先修正`,
        issues[0].path,
        issues,
      );
    }
    return document as unknown as Policy;
  }

  app.post(
    '/policies/:id/versions/:version/explain',
    {
      schema: {
        tags: ['explain'],
        summary: 'Explain a decision on hypothetical facts, for any version including drafts · 资格解释（假设事实）',
        params: {
          type: 'object',
          required: ['id', 'version'],
          properties: { id: policyId, version: { type: 'integer', minimum: 1 } },
        },
        body: {
          type: 'object',
          required: ['facts'],
          properties: {
            facts: {
              type: 'object',
              additionalProperties: true,
              description: 'flat facts the policy reads, e.g. {"person.birthDate": "1946-05-17"}; null means missing',
            },
            asOf: {
              type: 'string',
              pattern: DATE,
              description:
                'YYYY-MM-DD; default today in the city, or the version’s first or last day when today is outside its effective range',
            },
          },
          additionalProperties: false,
        },
        security: bearerSecurity,
        response: responses,
      },
    },
    async (
      request: FastifyRequest<{
        Params: { id: string; version: number };
        Body: { facts: Record<string, unknown>; asOf?: string };
      }>,
    ) => {
      const policy = await versionOf(request.params.id, request.params.version);
      const asOf = asOfOf(request.body.asOf, policy);
      const issues = checkFacts(policy, request.body.facts);
      if (issues.length > 0) {
        const [first] = issues;
        throw new ExplainApiError(
          'INVALID_FACTS',
          first.message,
          first.messageZh,
          first.field,
          issues.map((issue) => ({ path: issue.field, message: issue.message })),
        );
      }
      return explainPolicy(policy, request.body.facts, asOf);
    },
  );
}
