/**
 * Explanations over HTTP (issue 4): why a real subject is eligible or not under a policy on a
 * date, read through the same shared-data path as cases (an access record per source, with the
 * officer's name as purpose), and the same for hypothetical facts on any version, drafts included.
 * Answers carry the subject key, never the resident ID or credit code.
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Connection } from 'mongoose';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FetchFactsInput, FetchFactsResult } from '../activities/shared-data/fetch-facts.js';
import { cityToday } from '../domain/calendar.js';
import { validateCreditCode, validateResidentId } from '../domain/identity.js';
import type { SubjectKeyRing } from '../domain/pseudonym.js';
import { resolveSubjectKey } from '../store/subjects.js';
import { isInForce } from '../rules/catalog.js';
import { isIsoDate } from '../rules/dates.js';
import { RulesError } from '../rules/errors.js';
import { checkFacts, defaultAsOf, explainPolicy } from '../rules/explain-subject.js';
import type { Policy } from '../rules/types.js';
import { ErrorType } from '../workflows/contracts/index.js';
import { PolicyLifecycleError, issuesOf, type PolicyLifecycle } from '../services/policies/lifecycle.js';
import { bearerSecurity, errorSchema, textSchema } from './schemas.js';
import { Refusal } from '../domain/refusal.js';
import { answerErrors } from './errors.js';
import { actorOf } from './auth.js';

/** What the subject explanation needs: the shared-data reader (fetch-facts.ts) and the subject-key ring. */
export interface ExplainApiDeps extends SubjectKeyRing {
  fetchFacts: (input: FetchFactsInput) => Promise<FetchFactsResult>;
  /** The subject register, where an ID is resolved to its key once the ring has previous keys. */
  store?: Connection;
  /** The default as-of date: today in the city. */
  today?: () => string;
}

/** A refused explanation: HTTP status, stable code, both languages, the field at fault. */
export class ExplainApiError extends Refusal {}

const DATE = '^\\d{4}-\\d{2}-\\d{2}$';
const policyId = {
  type: 'string',
  pattern: '^[a-z0-9]+(-[a-z0-9]+)*$',
  description: 'policy id, e.g. old-age-allowance',
} as const;
const explanationSchema = {
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
        'outcome, amount, period, missingFacts, conditions (each leaf with factLabel, masked factValue, result, actual)',
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
    summary: textSchema,
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
 * Registers GET /policies/:id/explain (a real subject; needs `explain` deps) and
 * POST /policies/:id/versions/:version/explain (hypothetical facts) in their own scope;
 * errors other than its own go on to the policy routes' handler.
 */
export async function explainRoutes(
  app: FastifyInstance,
  deps: { lifecycle: PolicyLifecycle; explain?: ExplainApiDeps },
): Promise<void> {
  const { lifecycle } = deps;
  const today = deps.explain?.today ?? (() => cityToday());

  app.setErrorHandler(
    answerErrors((error) =>
      error instanceof RulesError
        ? {
            status: 422,
            body: { code: error.code, message: error.message, messageZh: `该政策在此日期无法求值：${error.message}` },
          }
        : undefined,
    ),
  );

  /** The as-of date asked for, else today (moved into a named version's effective range). */
  const asOfOf = (asOf: string | undefined, policy?: Policy): string => {
    const date = asOf ?? (policy ? defaultAsOf(policy, today()) : today());
    if (!isIsoDate(date))
      throw new ExplainApiError('BAD_REQUEST', `asOf ${date} is not a calendar date`, `日期 ${date} 无效`, 'asOf');
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

  /** The latest published version of the policy in force on the date. */
  async function inForce(id: string, asOf: string): Promise<Policy> {
    const published = (await lifecycle.list({ status: 'published' }))
      .filter((view) => view.policyId === id)
      .map((view) => view.document as unknown as Policy);
    const found = published.filter((policy) => isInForce(policy, asOf)).sort((a, b) => b.version - a.version)[0];
    if (!found)
      throw new ExplainApiError(
        'NO_VERSION_IN_FORCE',
        `no published version of ${id} is in force on ${asOf}`,
        `${id} 在 ${asOf} 没有生效的已发布版本`,
        'asOf',
      );
    return found;
  }

  if (deps.explain) {
    const explain = deps.explain;
    app.get(
      '/policies/:id/explain',
      {
        // The query holds a resident ID: this route is never logged.
        logLevel: 'silent',
        schema: {
          tags: ['explain'],
          summary:
            'Explain a subject’s decision: each condition, the smallest flip, the next change · 资格解释（真实对象）',
          description:
            'Reads the subject’s facts through the shared-data platform and writes an access record naming the officer.',
          params: { type: 'object', required: ['id'], properties: { id: policyId } },
          querystring: {
            type: 'object',
            required: ['subject'],
            properties: {
              subject: {
                type: 'string',
                maxLength: 64,
                description: 'resident ID (person policies) or unified social credit code (enterprise policies)',
              },
              asOf: {
                type: 'string',
                pattern: DATE,
                description: 'YYYY-MM-DD; default today in the city (within the effective range of a named version)',
              },
              version: { type: 'integer', minimum: 1, description: 'default: the published version in force on asOf' },
            },
          },
          security: bearerSecurity,
          response: responses,
        },
      },
      async (
        request: FastifyRequest<{
          Params: { id: string };
          Querystring: { subject: string; asOf?: string; version?: number };
        }>,
      ) => {
        const actor = actorOf(request);
        const pinned = request.query.version ? await versionOf(request.params.id, request.query.version) : undefined;
        const asOf = asOfOf(request.query.asOf, pinned);
        const policy = pinned ?? (await inForce(request.params.id, asOf));
        const kind = policy.subject;
        const id =
          kind === 'person'
            ? validateResidentId(request.query.subject, { field: 'subject' }).id
            : validateCreditCode(request.query.subject, { field: 'subject' }).code;
        const key = await resolveSubjectKey(explain.store, explain, kind, id);
        const purpose = `policy explanation requested by ${actor.name} (${actor.id})`;
        const pull = `explain:${randomUUID()}`;
        let facts: FetchFactsResult;
        try {
          facts = await explain.fetchFacts({
            caseId: pull,
            subjectKey: key,
            policyId: policy.id,
            policyVersion: policy.version,
            facts: Object.fromEntries(
              Object.entries(policy.facts).map(([fact, declared]) => [fact, { source: declared.source, purpose }]),
            ),
            idempotencyKey: pull,
          });
        } catch (error) {
          throw fetchRefusal(error, kind);
        }
        return explainPolicy(policy, facts.values, asOf, { subjectKey: key });
      },
    );
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

/** fetchFacts' typed failures as answers: an unregistered subject is 404, a missing access record 503. */
function fetchRefusal(error: unknown, kind: Policy['subject']): Error {
  if (!(error instanceof ApplicationFailure)) return error instanceof Error ? error : new Error(String(error));
  if (error.type === ErrorType.UnknownSubject) {
    const what = kind === 'person' ? ['resident', '居民'] : ['enterprise', '企业'];
    return new ExplainApiError(
      'SUBJECT_NOT_FOUND',
      `no ${what[0]} with this ID is registered`,
      `未登记该${what[1]}`,
      'subject',
    );
  }
  if (error.type === ErrorType.AccessRecordWriteFailed) {
    return new ExplainApiError(
      'ACCESS_RECORD_FAILED',
      'the access record could not be written, so no data was read',
      '无法写入数据使用记录，未读取数据',
      'subject',
    );
  }
  return new ExplainApiError(
    'FACTS_UNAVAILABLE',
    `${error.type ? `${error.type}: ` : ''}${error.message}`,
    `无法读取该对象的数据：${error.message}`,
  );
}
