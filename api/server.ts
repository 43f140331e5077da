/**
 * The HTTP API. Errors are JSON with a stable `code`, a message and, where it applies,
 * the field at fault.
 */
import { creditRoutes } from './credit-routes.js';
import type { CreditService } from '../services/credit/export.js';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import fastifyPlugin from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { answerErrors, shown } from './errors.js';
import {
  BODY_LIMIT,
  registerHostCheck,
  registerJsonBody,
  registerOpenRouteCaller,
  registerQueryCheck,
  registerSecurityHeaders,
  userRateLimitSettings,
  type EdgeOptions,
} from './edge.js';
import { createRequestLogger, registerRequestLog, type RequestLogOptions } from './request-log.js';
import { createHealthReader, publicHealth, type HealthChecks } from '../services/health/service.js';
import type { IngestResult } from '../services/events/ingest.js';
import { POLICY_SCHEMA } from '../rules/policy-schema.js';
import { registerOpenApi } from './openapi.js';
import { policyRoutes, type PolicyApiDeps } from './policy-routes.js';
import {
  ApiRefusal,
  departmentOf,
  guardRoutes,
  type AuthenticateDepartment,
  type AuthenticateVerifier,
} from './auth.js';
import { codeRoutes } from './code-routes.js';
import type { CodeService } from '../services/codes/service.js';
import type { Publisher } from '../domain/departments.js';
import { sweepRoutes } from './sweep-routes.js';
import { payrollRoutes } from './payroll-routes.js';
import { ledgerRoutes } from './ledger-routes.js';
import { entitlementRoutes } from './entitlement-routes.js';
import type { PayrollService } from '../services/payroll/service.js';
import type { LedgerService } from '../services/ledger/service.js';
import type { EntitlementService } from '../services/payroll/entitlements.js';
import type { SweepService } from '../services/sweeps/service.js';
import { catalogRoutes } from './catalog-routes.js';
import type { CatalogService } from '../services/catalog/service.js';
import { matterRoutes } from './matter-routes.js';
import type { MattersService } from '../services/matters/service.js';
import { consoleRoutes, type ConsoleOptions } from './console-routes.js';
import { caseRoutes } from './case-routes.js';
import type { CaseService } from '../services/cases/service.js';
import { objectionRoutes } from './objection-routes.js';
import type { ObjectionService } from '../services/objections/service.js';
import { outreachRoutes } from './outreach-routes.js';
import type { OutreachService } from '../services/outreach/service.js';
import { taskRoutes } from './task-routes.js';
import { factRequestRoutes } from './fact-request-routes.js';
import { applicationRoutes } from './application-routes.js';
import type { ApplicationService } from '../services/applications/service.js';
import { verificationRoutes } from './verification-routes.js';
import type { VerificationService } from '../services/verifications/service.js';
import type { FactRequestService } from '../services/fact-requests/service.js';
import type { TaskService } from '../services/tasks/service.js';
import { metricsRoutes } from './metrics-routes.js';
import type { MetricsService } from '../services/metrics/service.js';
import { citizenRoutes } from './citizen-routes.js';
import type { CitizenService } from '../services/citizen/service.js';
import { windowRoutes } from './window-routes.js';
import type { WindowService } from '../services/window/service.js';
import { authRoutes } from './auth-routes.js';
import { certificateRoutes } from './certificate-routes.js';
import type { CertificateService } from '../services/certificates/service.js';
import type { SessionService } from '../services/identity/sessions.js';
import type { OidcClient } from '../services/identity/oidc.js';

/** POST /events: ingestion under the signing department, and who signed. */
export interface EventApiDeps {
  /** Accepts a life event published by a department (services/events/ingest.ts). */
  ingest: (body: unknown, publisher: Publisher) => Promise<IngestResult>;
  /** Verifies a department's signed request (services/departments/authenticate.ts). */
  authenticate: AuthenticateDepartment;
  /** Requests per department and window: shared through Redis across API processes, else per process. */
  rateLimit: DepartmentRateLimit;
}

export interface DepartmentRateLimit {
  /** Requests one department may make per window (APPLYFREE_DEPARTMENT_RATE_LIMIT per minute). */
  max: number;
  timeWindowMs: number;
  /** Where the counts are kept (every API process of a deployment shares them); in memory without. */
  redis?: Redis;
  /** Key prefix in Redis (the deployment's queue prefix). */
  prefix?: string;
}

/** The resident and enterprise codes: issued to signed-in holders, scanned by verifiers who sign their requests. */
export interface CodeApiDeps {
  codes: CodeService;
  /** Verifies a verifier's signed request (services/verifiers/authenticate.ts). */
  authenticate: AuthenticateVerifier;
}

export interface ApiDeps {
  health: HealthChecks;
  /** How long a readiness result is reused (default 5 s): GET /health never checks the servers more often. */
  healthCacheMs?: number;
  /** Who is signed in: every person's token or console cookie resolved to its session (and /auth to sign in and out); absent, nobody is. */
  sessions?: SessionService;
  /** Staff sign-in through the city's identity provider (GET /auth/login, /auth/callback; needs `sessions`). */
  oidc?: OidcClient;
  /** Life events from departments (POST /events); absent in a health-only API. */
  events?: EventApiDeps;
  /** The live programme summary (GET /summary): cases, decisions, grants, notices; absent in a health-only API. */
  summary?: () => Promise<object>;
  /** The policy authoring routes (/policies); absent in a health-only API. */
  policies?: PolicyApiDeps;
  /** Sweeps (/sweeps): launched and steered by signed-in officers and reviewers (needs `policies`). */
  sweeps?: SweepService;
  /** The payroll (/payroll): officers start it, reviewers release its batches (needs `policies`). */
  payroll?: PayrollService;
  /** The ledger (/ledger): the programme's money per policy and period, the collection list (needs `policies`). */
  ledger?: LedgerService;
  /** Entitlements (/entitlements): listed by staff, suspended, resumed or ended by an officer (needs `policies`). */
  entitlements?: EntitlementService;
  /** Case supervision (/cases): search, timelines, logged unmasking (needs `policies`). */
  cases?: CaseService;
  /** Credit records (GET /credit-records/export): false pledges exported to the credit office by supervisors. */
  credit?: CreditService;
  /** The citizen's own records (/me): inbox, benefits, offers to answer, pledges, data access; citizens only (needs `policies`). */
  citizen?: CitizenService;
  /**
   * Electronic certificates and seals: the citizen's wallet (/me/certificates), verification and the
   * seal registry open to anyone, revocation and seal rotation by staff.
   */
  certificates?: CertificateService;
  /** Programme metrics: GET /metrics (Prometheus, unauthenticated) and, with `policies`, GET /programme-metrics. */
  metrics?: MetricsService;
  /** The resident and enterprise codes: POST /me/codes (holders, needs `sessions`) and POST /codes/scan (verifiers). */
  codes?: CodeApiDeps;
  /** Objections (/objections): filing, correction by the owning department, re-evaluation (needs `policies`). */
  objections?: ObjectionService;
  /** The service window (/window, 线下兜底): window staff serve the person present; the printed notices' check. */
  window?: WindowService;
  /** Outreach (/outreach, 应享尽享): the worklist of the undetermined, data requests and contacts (needs `policies`). */
  outreach?: OutreachService;
  /**
   * Fact requests (/fact-requests, 数据需求): officers file them, staff follow them; departments
   * answer at /department/fact-requests with the signed request `events.authenticate` verifies.
   */
  factRequests?: FactRequestService;
  /** Proof-free applications (/applications, 依申请 免提交): the pre-filled form, submission, uploads asked for, the reads. */
  applications?: ApplicationService;
  /**
   * Verifications for other departments (/verifications, 证明核验): departments ask with the signed
   * request `events.authenticate` verifies, rate-limited per department; staff read the log.
   */
  verifications?: { service: VerificationService; rateLimit?: { max: number; timeWindowMs: number } };
  /** Worklists (/tasks): staff see, claim, release and complete the tasks of the types they handle; supervisors reassign. */
  tasks?: TaskService;
  /** The data catalog's versions and drafts (/catalog/…); absent, GET /catalog shows the catalog in force and nothing else. */
  catalog?: CatalogService;
  /** The list of matters (/matters, 用证事项清单): public, with its versions and drafts. */
  matters?: MattersService;
  /** Serve the web console at /console (needs `policies`; people sign in with `sessions`); a source map only when asked. */
  console?: boolean | ConsoleOptions;
  /** The HTTP edge (api/edge.ts): allowed Host names, limits per user, HSTS; loopback and no limits without. */
  edge?: EdgeOptions;
  /** The access log (api/request-log.ts): one JSON line per request; none without it (tests). */
  logger?: RequestLogOptions;
  temporalUiUrl?: string;
}

export interface ApiError {
  code: string;
  message: string;
  /** The message in Chinese, where one exists. */
  messageZh?: string;
  field?: string;
}

export function buildApi(deps: ApiDeps): FastifyInstance {
  const edge = deps.edge ?? {};
  // Fastify's own request lines carry URLs with their query strings: ours (registerRequestLog) carry route patterns.
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: createRequestLogger(deps.logger) } : { logger: false }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    trustProxy: edge.trustProxy ?? false,
  }) as unknown as FastifyInstance;
  registerRequestLog(app);
  // JSON bodies: Fastify's own parser, its refusal of a prototype key naming the key and where (abuse test 20).
  registerJsonBody(app);
  // Headers first, so every answer has them, refusals included (helmet's hooks run before those below).
  registerSecurityHeaders(app, edge);
  // Then, before any route: the Host check, and the permission guard — a route without a row in
  // api/route-permissions.ts does not start, and every request is authorised from its row.
  void app.register(
    fastifyPlugin(async (root) => {
      registerHostCheck(root, edge.allowedHosts ?? []);
      guardRoutes(root, deps.sessions?.authenticate, {
        department: deps.events?.authenticate,
        verifier: deps.codes?.authenticate,
      });
      registerOpenRouteCaller(root);
      registerQueryCheck(root);
    }),
  );
  // Limits per user (every route, once the person is known) and per department (POST /events, once it is verified).
  const redis = edge.redis ?? deps.events?.rateLimit.redis;
  const prefix = edge.prefix ?? deps.events?.rateLimit.prefix ?? 'applyfree';
  if (deps.events || deps.verifications?.rateLimit || edge.rateLimit) {
    void app.register(rateLimit, {
      ...(edge.rateLimit ? userRateLimitSettings(edge.rateLimit) : { global: false }),
      ...(redis ? { redis, nameSpace: `${prefix}:rate-limit:` } : {}),
    });
  }
  // Then the OpenAPI document lists only routes registered after it, so every route below sits in a plugin.
  registerOpenApi(app);
  void app.register(async (scope) => serviceRoutes(scope, deps));

  const sessions = deps.sessions;
  if (sessions) void app.register(async (scope) => authRoutes(scope, { sessions, oidc: deps.oidc }));
  // Its own error handler (lifecycle refusals, 401) stays inside the plugin's scope.
  if (deps.policies) {
    const policies = deps.policies;
    void app.register(async (scope) => policyRoutes(scope, policies));
    const consoleOptions = deps.console;
    if (consoleOptions)
      void app.register(async (scope) => consoleRoutes(scope, consoleOptions === true ? {} : consoleOptions));
    const sweeps = deps.sweeps;
    if (sweeps) void app.register(async (scope) => sweepRoutes(scope, { sweeps }));
    const payroll = deps.payroll;
    if (payroll) void app.register(async (scope) => payrollRoutes(scope, { payroll }));
    const ledger = deps.ledger;
    if (ledger) void app.register(async (scope) => ledgerRoutes(scope, { ledger }));
    const entitlements = deps.entitlements;
    if (entitlements) void app.register(async (scope) => entitlementRoutes(scope, { entitlements }));
    const cases = deps.cases;
    if (cases) void app.register(async (scope) => caseRoutes(scope, { cases }));
    const objections = deps.objections;
    if (objections) void app.register(async (scope) => objectionRoutes(scope, { objections }));
    const outreach = deps.outreach;
    if (outreach) void app.register(async (scope) => outreachRoutes(scope, { outreach }));
    const citizen = deps.citizen;
    if (citizen) void app.register(async (scope) => citizenRoutes(scope, { citizen }));
    const window = deps.window;
    if (window) void app.register(async (scope) => windowRoutes(scope, { window }));
    const credit = deps.credit;
    if (credit) void app.register(async (scope) => creditRoutes(scope, { credit }));
  }
  const factRequests = deps.factRequests;
  if (factRequests) void app.register(async (scope) => factRequestRoutes(scope, { factRequests }));
  const applications = deps.applications;
  if (applications) void app.register(async (scope) => applicationRoutes(scope, { applications }));
  const verifications = deps.verifications;
  if (verifications)
    void app.register(async (scope) =>
      verificationRoutes(scope, {
        verifications: verifications.service,
        ...(verifications.rateLimit ? { rateLimit: verifications.rateLimit } : {}),
      }),
    );
  const tasks = deps.tasks;
  if (tasks) void app.register(async (scope) => taskRoutes(scope, { tasks }));
  const certificates = deps.certificates;
  if (certificates) void app.register(async (scope) => certificateRoutes(scope, { certificates }));
  const codes = deps.codes;
  if (codes) void app.register(async (scope) => codeRoutes(scope, { codes: codes.codes }));
  const metrics = deps.metrics;
  if (metrics)
    void app.register(async (scope) => metricsRoutes(scope, { metrics, programme: deps.policies !== undefined }));
  const catalog = deps.catalog;
  void app.register(async (scope) => catalogRoutes(scope, { catalog }));
  const matters = deps.matters;
  if (matters) void app.register(async (scope) => matterRoutes(scope, { matters }));

  app.setNotFoundHandler((request, reply) => {
    // The path only: a query string may hold what does not belong in an answer or a log.
    const body: ApiError = { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` };
    return reply.code(404).send(shown(body));
  });

  // Every refusal (an event's bad field, an identity, a policy step…) is answered alike.
  app.setErrorHandler(answerErrors());

  return app;
}

/** The service's own routes: index, health, events, summary, and the published policy schema. */
async function serviceRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.get('/', { schema: { tags: ['health'], summary: 'What this service is, with links · 服务简介' } }, async () => ({
    name: 'applyfree',
    description: { zh: '免申即享 主动服务引擎', en: 'Apply-free proactive public services engine' },
    links: {
      health: '/health',
      docs: '/docs',
      openapi: '/openapi.json',
      ...(deps.summary ? { summary: '/summary' } : {}),
    },
  }));

  /** The policy format as JSON Schema (draft-07), for editors and tools outside applyfree. */
  app.get(
    '/schemas/policy.json',
    { schema: { tags: ['policies'], summary: 'JSON Schema of the policy format · 政策格式的 JSON Schema' } },
    async (_request, reply) => reply.type('application/schema+json; charset=utf-8').send(POLICY_SCHEMA),
  );

  // Liveness for a load balancer: the process answers; no server is asked, so it costs nothing.
  app.get(
    '/health/live',
    {
      schema: { tags: ['health'], summary: 'Whether this API process answers (liveness) · 进程存活' },
      config: { rateLimit: false },
    },
    async () => ({ status: 'up' }),
  );

  // Readiness: each server's status, checked at most every few seconds through the process's own clients.
  const readHealth = createHealthReader(deps.health, { cacheMs: deps.healthCacheMs });
  const logged = new WeakSet<object>();
  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Whether Temporal, the store and Redis answer (readiness, re-checked every few seconds) · 服务状态',
      },
    },
    async (request, reply) => {
      const report = await readHealth();
      const down = Object.entries(report.servers).filter(([, server]) => server.status === 'down');
      // The servers' own errors go to the log (once per check), not to whoever asked.
      if (down.length && !logged.has(report)) {
        logged.add(report);
        request.log.warn(
          { servers: Object.fromEntries(down.map(([name, server]) => [name, server.error ?? 'down'])) },
          'health check failed',
        );
      }
      return reply.code(report.status === 'up' ? 200 : 503).send(publicHealth(report));
    },
  );

  if (deps.events) {
    const { ingest, rateLimit: limit } = deps.events;
    /**
     * A department publishes a life event with its signed request, for its own sources and event
     * types; 202 with the case, also for a repeated delivery. No subject key in the answer.
     */
    app.post(
      '/events',
      {
        schema: {
          tags: ['events'],
          summary:
            'Publish a life event as a registered department (signed request); 202 with its case, also for a repeated delivery · 部门上报生活事件（签名请求）',
          security: [{ department: [] }],
        },
        config: {
          rateLimit: {
            max: limit.max,
            timeWindow: limit.timeWindowMs,
            // After the signature is verified (preParsing): only a department's own requests count against it.
            hook: 'preHandler',
            keyGenerator: (request) => `department:${departmentOf(request).department}`,
            errorResponseBuilder: (request, context) => {
              const department = departmentOf(request).department;
              const seconds = Math.ceil(context.ttl / 1000);
              request.log.warn({ department, max: context.max }, 'department rate limit reached');
              return new ApiRefusal(
                'RATE_LIMITED',
                `department ${department} may send ${context.max} requests per ${limit.timeWindowMs / 1000} s: retry in ${seconds} s`,
                `部门 ${department} 每 ${limit.timeWindowMs / 1000} 秒最多 ${context.max} 次请求：请 ${seconds} 秒后重试`,
              );
            },
          },
        },
      },
      async (request, reply) => {
        const result = await ingest(request.body, departmentOf(request));
        return reply.code(202).send({ caseId: result.caseId, status: result.status });
      },
    );
  }

  if (deps.summary) {
    const summary = deps.summary;
    /** The live summary as JSON; 503 SUMMARY_UNAVAILABLE when the store does not answer. */
    app.get(
      '/summary',
      { schema: { tags: ['health'], summary: 'Live programme summary: cases, decisions, grants, notices · 实时概况' } },
      async (request, reply) => {
        try {
          return reply.send(await summary());
        } catch (error) {
          // The store's own error text goes to the log, not to whoever asked (security review S14).
          request.log.error({ err: error }, 'summary unavailable');
          const body: ApiError = {
            code: 'SUMMARY_UNAVAILABLE',
            message: 'the summary could not be read: the store did not answer',
            messageZh: '暂时无法读取实时概况',
          };
          return reply.code(503).send(body);
        }
      },
    );
  }
}
