/**
 * The policy authoring API (/policies): officers draft, validate, test and submit;
 * reviewers approve, send back and retire; either publishes an approved version. Who may take
 * each step is domain/permissions.ts, checked for every route before it runs (api/auth.ts);
 * the lifecycle refuses the same, and the answer says why in English and Chinese, with the field at fault.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PolicyLifecycleError, type PolicyLifecycle } from '../services/policies/lifecycle.js';
import type { SimulationRunner } from '../services/policies/simulation.js';
import { simulationRoutes } from './simulation-routes.js';
import { explainRoutes } from './explain-routes.js';
import { checkRoutes } from './check-routes.js';
import { actorOf, identityOf } from './auth.js';
import { allows } from '../domain/permissions.js';
import { bearerSecurity, errorSchema } from './schemas.js';
import { answerErrors } from './errors.js';
import { diffPolicies, formatDiff } from '../rules/policy-diff.js';
import { staffNamesFor } from './staff-names.js';
import { POLICY_BODY_LIMIT } from './edge.js';
import type { User } from '../store/users.js';

export interface PolicyApiDeps {
  lifecycle: PolicyLifecycle;
  /** Impact simulations (POST …/simulate, GET …/simulation); absent, the routes are not served. */
  simulation?: SimulationRunner;
}

const versionParams = {
  type: 'object',
  required: ['id', 'version'],
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', description: 'policy id, e.g. childcare-subsidy' },
    version: { type: 'integer', minimum: 1 },
  },
} as const;
const idParams = { type: 'object', required: ['id'], properties: { id: versionParams.properties.id } } as const;
const noteBody = (required: boolean) =>
  ({
    type: 'object',
    ...(required ? { required: ['note'] } : {}),
    properties: {
      note: { type: 'string', maxLength: 2000, description: required ? 'why (required)' : 'optional remark' },
    },
    additionalProperties: false,
  }) as const;
const anyObject = { type: 'object', additionalProperties: true } as const;
const errors = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
  422: errorSchema,
} as const;
const security = bearerSecurity;

/** Published and retired versions: the public record. */
const isPublic = (status: string) => status === 'published' || status === 'retired';

type VersionRequest = FastifyRequest<{ Params: { id: string; version: number }; Body: { note?: string } }>;

export async function policyRoutes(app: FastifyInstance, deps: PolicyApiDeps): Promise<void> {
  const { lifecycle } = deps;

  // Anyone reads the public record; drafts and versions under review need policy.read-drafts, so
  // these open routes read the session themselves, once they know what they show.
  const readsDrafts = async (request: FastifyRequest) =>
    allows((await identityOf(request))?.role, 'policy.read-drafts');
  /** A draft or a version under review answers whoever may not read it as a version that does not exist (S21). */
  const hideFromOthers = async (request: FastifyRequest, id: string, version: number) => {
    if (!(await readsDrafts(request)))
      throw new PolicyLifecycleError(
        'POLICY_NOT_FOUND',
        `no version ${version} of policy ${id}`,
        `政策 ${id} 没有第 ${version} 版`,
      );
  };
  const names = staffNamesFor(identityOf);

  app.setErrorHandler(answerErrors());

  await checkRoutes(app, lifecycle);

  app.get(
    '/policies',
    {
      schema: {
        tags: ['policies'],
        summary:
          'Every policy version, newest first per policy; without an officer’s, reviewer’s or supervisor’s token only published and retired ones · 全部政策版本',
        querystring: {
          type: 'object',
          properties: { status: { type: 'string', enum: ['draft', 'submitted', 'approved', 'published', 'retired'] } },
        },
        response: { 401: errorSchema },
      },
    },
    async (
      request: FastifyRequest<{
        Querystring: { status?: 'draft' | 'submitted' | 'approved' | 'published' | 'retired' };
      }>,
    ) => {
      const all = await readsDrafts(request);
      const shown = await names(request);
      const versions = await lifecycle.list({ status: request.query.status });
      return versions
        .filter((v) => all || isPublic(v.status))
        .map(({ document: _document, ...summary }) => shown(summary));
    },
  );

  app.post(
    '/policies',
    {
      schema: {
        tags: ['policies'],
        summary: 'Start a draft (officer): the next version of a policy, or a new policy · 起草',
        body: anyObject,
        security,
        response: { ...errors },
      },
      // A policy document may be larger than any other body (api/edge.ts); the validator bounds its depth and nodes.
      bodyLimit: POLICY_BODY_LIMIT,
    },
    async (request: FastifyRequest<{ Body: unknown }>, reply) =>
      reply.code(201).send(await lifecycle.createDraft(actorOf(request), request.body)),
  );

  app.get(
    '/policies/:id/versions/:version',
    {
      schema: {
        tags: ['policies'],
        summary:
          'One version with its document and check results (drafts and versions under review: officers, reviewers, supervisors) · 查看版本',
        params: versionParams,
        response: { 401: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (request: VersionRequest) => {
      const version = await lifecycle.get(request.params.id, request.params.version);
      if (!isPublic(version.status)) await hideFromOthers(request, request.params.id, request.params.version);
      return (await names(request))(version);
    },
  );

  app.put(
    '/policies/:id/versions/:version',
    {
      schema: {
        tags: ['policies'],
        summary: 'Replace a draft’s document (officer) · 修改草稿',
        params: versionParams,
        body: anyObject,
        security,
        response: { ...errors },
      },
      bodyLimit: POLICY_BODY_LIMIT,
    },
    async (request: FastifyRequest<{ Params: { id: string; version: number }; Body: unknown }>) =>
      lifecycle.updateDraft(actorOf(request), request.params.id, request.params.version, request.body),
  );

  const step = (
    path: string,
    summary: string,
    run: (actor: User, request: VersionRequest) => Promise<unknown>,
    body?: ReturnType<typeof noteBody>,
  ) =>
    app.post(
      `/policies/:id/versions/:version/${path}`,
      {
        schema: {
          tags: ['policies'],
          summary,
          params: versionParams,
          ...(body ? { body } : {}),
          security,
          response: { ...errors },
        },
      },
      async (request: VersionRequest) => run(actorOf(request), request),
    );

  step(
    'validate',
    'Validate against the policy format and the data catalog, every issue with its path · 校验',
    (actor, r) => lifecycle.validate(actor, r.params.id, r.params.version),
  );
  step('test', 'Run the version’s own test cases · 运行测试', (actor, r) =>
    lifecycle.test(actor, r.params.id, r.params.version),
  );
  step(
    'submit',
    'Submit a valid, tested draft for review (officer) · 提交审核',
    (actor, r) => lifecycle.submit(actor, r.params.id, r.params.version, r.body?.note),
    noteBody(false),
  );
  step(
    'approve',
    'Approve (reviewer; not the author or submitter) · 批准',
    (actor, r) => lifecycle.approve(actor, r.params.id, r.params.version, r.body?.note),
    noteBody(false),
  );
  step(
    'reject',
    'Send back to draft, saying why (reviewer) · 退回',
    (actor, r) => lifecycle.reject(actor, r.params.id, r.params.version, r.body.note ?? ''),
    noteBody(true),
  );
  step('publish', 'Publish an approved version: immutable, in force from its effective date · 发布', (actor, r) =>
    lifecycle.publish(actor, r.params.id, r.params.version),
  );
  step(
    'retire',
    'Take a published version out of force for new cases, saying why (reviewer) · 停用',
    (actor, r) => lifecycle.retire(actor, r.params.id, r.params.version, r.body.note ?? ''),
    noteBody(true),
  );

  if (deps.simulation) simulationRoutes(app, deps.simulation);

  app.get(
    '/policies/:id/history',
    {
      schema: {
        tags: ['policies'],
        summary: 'Who did what, when, and what changed (officers, reviewers, supervisors) · 变更记录',
        params: idParams,
        security,
        response: { 401: errorSchema, 403: errorSchema },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>) => lifecycle.history(request.params.id),
  );

  app.get(
    '/policies/:id/diff',
    {
      schema: {
        tags: ['policies'],
        summary:
          'What changed between two versions, field by field (a draft or a version under review: officers, reviewers, supervisors) · 版本差异',
        params: idParams,
        querystring: {
          type: 'object',
          required: ['from', 'to'],
          properties: { from: { type: 'integer', minimum: 1 }, to: { type: 'integer', minimum: 1 } },
        },
        response: { 401: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Querystring: { from: number; to: number } }>) => {
      const { id } = request.params;
      const [from, to] = await Promise.all([
        lifecycle.get(id, request.query.from),
        lifecycle.get(id, request.query.to),
      ]);
      for (const [version, asked] of [
        [from, request.query.from],
        [to, request.query.to],
      ] as const)
        if (!isPublic(version.status)) await hideFromOthers(request, id, asked);
      // The two versions were read once, for the access check: diff them as read.
      return { changes: formatDiff(diffPolicies(from.document, to.document)) };
    },
  );

  // Explanations (explain-routes.ts): their own scope for their errors, the same tokens.
  void app.register(async (scope) => explainRoutes(scope, { lifecycle }));
}
