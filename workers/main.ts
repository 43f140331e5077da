/**
 * `npm start`: provisions and starts the embedded stack (or uses the configured servers),
 * then the Temporal worker, the notice worker and the HTTP API, and (APPLYFREE_DEMO, on
 * by default) the demo: a seeded synthetic city, a registry feed of its life events and a
 * live summary. Ctrl-C or SIGTERM stops everything in reverse order, the servers it
 * started included.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { Redis } from 'ioredis';
import { ingestEvent } from '../services/events/ingest.js';
import type { Publisher } from '../domain/departments.js';
import { createDepartmentAuthenticator } from '../services/departments/authenticate.js';
import { redisNonceStore } from '../services/departments/nonces.js';
import { cityToday } from '../domain/calendar.js';
import { buildApi } from '../api/server.js';
import { pingMongo, pingRedis, pingTemporal } from '../infra/checks.js';
import { createProgress } from '../infra/progress.js';
import { describeTemporalAccess, temporalConnectOptions } from '../infra/temporal-connection.js';
import { DEV_PORTS, startStack } from '../infra/stack.js';
import { ensureCjkFont } from '../infra/fonts.js';
import { redactUrl } from './config.js';
import { startDemo } from '../demo/index.js';
import { startDemoSignatures } from '../demo/pledges.js';
import { countIngest } from '../services/events/ingest-tally.js';
import { countRunningCases, createSummarySource, type DemoStatus } from '../services/metrics/summary.js';
import { DEVELOPMENT_KEY_NOTICE, openProcessing, serverConfigOrExit, stoppableProcess } from './processing.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { createCatalogService, proposeFact } from '../services/catalog/service.js';
import { createMattersService } from '../services/matters/service.js';
import { createFactRequestService } from '../services/fact-requests/service.js';
import { createApplicationService } from '../services/applications/service.js';
import { createWindowVisits } from '../services/window/visits.js';
import { applicationResumer } from '../services/applications/resume.js';
import { createVerificationService } from '../services/verifications/service.js';
import { httpSourceConfigs } from './verification-sources.js';
import { fillSyntheticFacts } from '../services/catalog/synthetic.js';
import { catalogSources } from '../domain/sources.js';
import { createSimulationRunner } from '../services/policies/simulation.js';
import { createSweepService } from '../services/sweeps/service.js';
import { createPayrollService } from '../services/payroll/service.js';
import { createLedgerService } from '../services/ledger/service.js';
import { createEntitlementService } from '../services/payroll/entitlements.js';
import { createSessionService } from '../services/identity/sessions.js';
import { createOidcClient } from '../services/identity/oidc.js';
import { demoStaff, demoTokens } from '../demo/users.js';
import { createCaseService } from '../services/cases/service.js';
import { createObjectionService } from '../services/objections/service.js';
import { clientStarter, createOutreachService } from '../services/outreach/service.js';
import { createTaskService } from '../services/tasks/service.js';
import { storePolicySource } from '../store/policy-source.js';
import { createMetricsService } from '../services/metrics/service.js';
import { createCreditService } from '../services/credit/export.js';
import { createCitizenService } from '../services/citizen/service.js';
import { createWindowService } from '../services/window/service.js';
import { createCertificateService } from '../services/certificates/service.js';
import { createCodeService } from '../services/codes/service.js';
import { certificateWallet } from '../services/codes/wallet.js';
import { createVerifierAuthenticator } from '../services/verifiers/authenticate.js';
import { createAdapterRegistry } from '../activities/shared-data/adapters.js';
import { makeFetchFacts } from '../activities/shared-data/fetch-facts.js';
import { makeEnqueueNotice } from '../activities/notices.js';
import { join } from 'node:path';
import { pino } from 'pino';

async function main(): Promise<void> {
  const config = serverConfigOrExit('applyfree');
  const { keys } = config;
  const progress = createProgress({ interactive: process.stderr.isTTY === true && !config.ci });
  const { cleanups, stop } = stoppableProcess('applyfree', (line) => progress.info(line));

  Runtime.install({ logger: new DefaultLogger(config.logLevel === 'debug' ? 'DEBUG' : 'WARN') });
  if (keys.development) progress.info(`applyfree: ${DEVELOPMENT_KEY_NOTICE}`);
  try {
    progress.info('applyfree: starting the stack (the first run builds the servers; later runs reuse the cache)');
    const stack = await startStack({ config, stateDir: config.stateDir, ports: DEV_PORTS, progress });
    cleanups.push({ name: 'servers', run: () => stack.stop() });
    // The API renders certificate PDFs with Noto Sans CJK: installed now, with the servers, never at request time.
    // Without it (not root) the rest runs; a PDF asked for says what to install.
    await ensureCjkFont(progress, config.cacheDir).catch((error: unknown) =>
      progress.info(
        `applyfree: certificate PDFs are unavailable: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );

    const { store, catalog, noticeQueues, temporalWorker, seals } = await openProcessing(config, stack, cleanups);
    temporalWorker.run().catch((error: unknown) => {
      progress.info(`applyfree: the Temporal worker failed: ${String(error)}`);
      void stop(1);
    });

    const temporal = new Client({
      connection: await Connection.connect(temporalConnectOptions(stack.temporalAddress, stack.temporalAccess)),
      namespace: stack.temporalNamespace,
    });
    cleanups.push({ name: 'Temporal client', run: () => temporal.connection.close() });
    // The key ring, once: a subject keeps the key it was first registered under across rotations.
    const ring = { subjectKeySecret: keys.subjectKeySecret, previousSubjectKeySecrets: keys.previousSubjectKeySecrets };
    const ingestDeps = {
      store,
      temporal,
      taskQueue: config.taskQueue,
      ...ring,
      today: () => cityToday(),
    };
    // One ingestion for POST /events and the demo feed alike, each under its department, counted for the summary.
    const counted = countIngest((body: unknown, publisher: Publisher) => ingestEvent(ingestDeps, body, publisher));
    // Departments' nonces and rate limits live in Redis, shared by every API process of the deployment.
    const redis = new Redis(stack.redisUrl, { maxRetriesPerRequest: 2 });
    cleanups.push({ name: 'Redis (departments)', run: () => redis.quit() });
    let demoStatus: (() => DemoStatus) | undefined;
    const summary = createSummarySource({
      store,
      catalog,
      temporal,
      taskQueue: config.taskQueue,
      tally: counted.tally,
      demo: () => demoStatus?.(),
    });

    // Who is signed in: tokens and console cookies resolved to sessions with the configured limits;
    // staff through the city's identity provider when one is configured (then not with a token at the console).
    const sessions = createSessionService({
      store,
      limits: config.sessions,
      staffSignInWithProvider: config.oidc !== undefined,
    });
    const oidc = config.oidc
      ? createOidcClient({ store, settings: config.oidc, sessions, development: config.mode === 'development' })
      : undefined;

    const lifecycle = createPolicyLifecycle(store);
    // One payroll service for the API and the demo's monthly payroll alike.
    const payrollService = createPayrollService({
      store,
      temporal,
      taskQueue: config.taskQueue,
      debtor: config.payingBureau,
      policies: storePolicySource(store),
    });
    // Impact simulations run inside the API process, streaming the platform collections of this store.
    const simulation = createSimulationRunner({ store, lifecycle });
    cleanups.push({ name: 'simulations', run: () => simulation.stop() });
    // The access log: stdout in production (the platform ships it); in development a file beside the servers' logs,
    // since the terminal shows the demo's live summary.
    const apiLog = config.mode === 'production' ? undefined : join(config.stateDir, 'logs', 'api.log');
    const certificates = createCertificateService({ store, seals });
    // Shared data as the worker reads it: the platform's collections, and the sources a department's
    // verification service answers (APPLYFREE_VERIFICATION_SOURCES).
    const adapters = createAdapterRegistry({
      connection: store,
      http: httpSourceConfigs(config.verificationSources, {
        subjectKeySecret: keys.subjectKeySecret,
        development: config.mode === 'development',
      }),
    });
    // Objections: the correction is written here, the re-evaluation runs on the worker; titles and facts from the published versions.
    const objections = createObjectionService({
      store,
      temporal,
      taskQueue: config.taskQueue,
      ...ring,
      policies: storePolicySource(store),
      // Every correction applied is told to the citizen through the notice queues.
      notify: makeEnqueueNotice(store, noticeQueues),
    });
    const citizen = createCitizenService({ store, temporal });
    // The data catalog's drafts and versions; a publication here is in force here at once.
    // On the embedded stack's synthetic city (development mode only: production never invents data), a
    // published fact's generator fills the city's records in the background, progress at GET /catalog/synthetic.
    const fillSynthetic = (facts: readonly string[]) =>
      void fillSyntheticFacts(store, facts).catch((error: unknown) =>
        progress.info(`applyfree: the synthetic city's values of ${facts.join(', ')} failed: ${String(error)}`),
      );
    const dataCatalog = createCatalogService({
      store,
      ...(config.mode === 'development' ? { onPublished: (record) => fillSynthetic(record.added) } : {}),
    });
    // A fill a stop interrupted resumes (filled facts are skipped).
    if (config.mode === 'development') fillSynthetic(catalogSources().flatMap((s) => s.fields.map((f) => f.key)));
    const api = buildApi({
      logger: {
        level: config.logLevel,
        ...(apiLog ? { destination: pino.destination({ dest: apiLog, mkdir: true, mode: 0o600, sync: false }) } : {}),
      },
      // The edge: this API's host names, limits per user and per address (counted in Redis for every API process), HSTS.
      edge: {
        allowedHosts: config.allowedHosts,
        rateLimit: { user: config.userRateLimit, anonymous: config.anonymousRateLimit, timeWindowMs: 60_000 },
        https: config.https,
        trustProxy: config.trustProxy,
        redis,
        prefix: config.queuePrefix,
      },
      events: {
        ingest: counted.ingest,
        authenticate: createDepartmentAuthenticator({
          store,
          keys: ring,
          nonces: redisNonceStore(redis, config.queuePrefix),
        }),
        rateLimit: {
          max: config.departmentRateLimit,
          timeWindowMs: 60_000,
          redis,
          prefix: config.queuePrefix,
        },
      },
      summary: () => summary.get(),
      sessions,
      ...(oidc ? { oidc } : {}),
      policies: {
        lifecycle,
        simulation,
      },
      catalog: dataCatalog,
      // The list of matters (用证事项清单): public, its versions drafted and approved with four eyes.
      matters: createMattersService({ store }),
      // Fact requests (数据需求): a department's answer adds the fact as a catalog draft a reviewer publishes.
      // Verifications for other departments (证明核验): signed like events, rate-limited per department like them;
      // answers e-sealed by the certifying department's seal when it has one.
      verifications: {
        service: createVerificationService({
          store,
          adapters,
          ...ring,
          seals,
          resumeApplication: applicationResumer(temporal),
        }),
        rateLimit: { max: config.departmentRateLimit, timeWindowMs: 60_000 },
      },
      factRequests: createFactRequestService({
        store,
        proposeFact: (proposer, proposal) => proposeFact({ store }, proposer, proposal),
      }),
      objections,
      // Case supervision: Temporal visibility of this deployment's task queue and the records, linked to the Temporal UI.
      // Outreach (应享尽享): the worklist of the undetermined; a contact's notice through the notice queues and
      // its task's timers on this deployment's worker.
      outreach: createOutreachService({
        store,
        policies: storePolicySource(store),
        notify: makeEnqueueNotice(store, noticeQueues),
        workflows: clientStarter(temporal, config.taskQueue),
      }),
      // Proof-free applications (依申请 免提交): each submission's workflow runs on this deployment's worker;
      // window staff apply for the person present in their open visit.
      applications: createApplicationService({
        store,
        temporal,
        taskQueue: config.taskQueue,
        visits: createWindowVisits({ store, ...ring }),
      }),
      // Worklists: claims and releases are written here; a completion is its task workflow's update, run on the worker.
      tasks: createTaskService({ store, temporal, taskQueue: config.taskQueue }),
      cases: createCaseService({
        store,
        temporal,
        namespace: stack.temporalNamespace,
        taskQueue: config.taskQueue,
        ...ring,
        temporalUiUrl: stack.temporalUiUrl,
        // Explaining a case reads its subject's facts as cases do: platform collections, an access record per source.
        explain: {
          fetchFacts: makeFetchFacts({ connection: store, adapters }),
          policies: storePolicySource(store),
        },
      }),
      // Electronic certificates: the wallet, verification by anyone, the seal registry, revocation and rotation.
      certificates,
      // The resident and enterprise codes: holders show a certificate or a claim, registered verifiers scan
      // (signed like departments, their nonces beside the departments' in Redis).
      codes: {
        codes: createCodeService({ store, keys: ring, wallet: certificateWallet(store, certificates) }),
        authenticate: createVerifierAuthenticator({
          store,
          keys: ring,
          nonces: redisNonceStore(redis, config.queuePrefix),
        }),
      },
      // The citizen's own records (/me); answering an offer signals its workflow.
      citizen,
      // The service window (线下兜底): staff serve the person present through the citizen's own reads and answers.
      window: createWindowService({ store, ...ring, citizen, certificates, objections }),
      // False-pledge credit records, exported to the credit office by supervisors (docs/CREDIT.md).
      credit: createCreditService({ store }),
      // Sweeps run on this process's worker (and any `npm run worker`); the API starts and steers them.
      sweeps: createSweepService({ store, temporal, taskQueue: config.taskQueue, lifecycle }),
      // The payroll runs on this process's worker; officers start it and reviewers release its batches here.
      payroll: payrollService,
      // The ledger of every benefit's money: the programme per policy and period, the collection list.
      ledger: createLedgerService({ store, policies: storePolicySource(store) }),
      // Officers suspend, resume or end an entitlement; the citizen is told through the notice queues.
      entitlements: createEntitlementService({
        store,
        policies: storePolicySource(store),
        notify: makeEnqueueNotice(store, noticeQueues),
      }),
      // Programme metrics over this store, with running cases from Temporal visibility (/programme-metrics, /metrics).
      metrics: createMetricsService({ store, catalog, temporal, taskQueue: config.taskQueue }),
      // The bundle's source map only in development: it ships the sources.
      console: { sourceMap: config.mode === 'development' },
      // Readiness through the clients this process holds: a check opens no connection (security review S14).
      health: {
        temporal: () => pingTemporal(temporal.connection, stack.temporalNamespace),
        mongodb: () => pingMongo(store.db),
        redis: () => pingRedis(redis),
      },
    });
    await api.listen({ host: config.apiHost, port: config.apiPort });
    cleanups.push({ name: 'API', run: () => api.close() });

    const apiUrl = `http://${config.apiHost}:${config.apiPort}`;
    console.log('');
    console.log('applyfree is ready · 已就绪');
    console.log(`  API              ${apiUrl}`);
    console.log(`  health           ${apiUrl}/health`);
    console.log(`  live summary     ${apiUrl}/summary`);
    console.log(`  API docs         ${apiUrl}/docs (OpenAPI ${apiUrl}/openapi.json)`);
    console.log(`  console · 控制台 ${apiUrl}/console`);
    if (config.oidc) console.log(`  sign-in · 登录   staff through ${config.oidc.issuer} (统一身份认证)`);
    console.log(
      `  sweeps · 主动筛查 ${apiUrl}/sweeps (officer, reviewer or supervisor token) · applyfree sweep start <policy> <version>`,
    );
    console.log(
      `  cases · 案件督查  ${apiUrl}/cases · applyfree case search --subject <ID> --reason TEXT (supervisor token)`,
    );
    console.log(`  metrics · 监督指标 ${apiUrl}/programme-metrics (supervisor token) · Prometheus ${apiUrl}/metrics`);
    if (stack.temporalUiUrl) console.log(`  Temporal Web UI  ${stack.temporalUiUrl}`);
    console.log(
      `  Temporal         ${stack.temporalAddress} (namespace ${stack.temporalNamespace}, ${describeTemporalAccess(stack.temporalAccess)})`,
    );
    console.log(`  MongoDB wire     ${redactUrl(stack.mongodbUri)}`);
    console.log(`  Redis            ${redactUrl(stack.redisUrl)}`);
    console.log(`  state and logs   ${config.stateDir}`);
    console.log(`  access log       ${apiLog ?? 'stdout (JSON lines)'}`);
    const { demo } = config;
    let demoUsersFile: string | undefined;
    if (demo.enabled) {
      const count = (value: number) => value.toLocaleString('en');
      console.log(
        `  demo · 演示      a city of ${count(demo.residents)} residents and ${count(demo.enterprises)} enterprises, life events at ${demo.eventsPerSecond}/s`,
      );
      console.log(
        '                   (APPLYFREE_DEMO=off to skip; APPLYFREE_DEMO_RESIDENTS, _ENTERPRISES, _EVENTS_PER_SECOND to size it)',
      );
      demoUsersFile = await demoTokens(store, config.stateDir, undefined, config.sessions);
      console.log(
        `  policy API       ${apiUrl}/policies · demo officer, reviewer, supervisor, inspector (and, once seeded, citizen) tokens in ${demoUsersFile}`,
      );
    }
    console.log('Press Ctrl-C to stop everything · 按 Ctrl-C 停止');

    if (demo.enabled) {
      const staff = demoUsersFile ? demoStaff(demoUsersFile) : undefined;
      const running = startDemo({
        store,
        settings: demo,
        keys: ring,
        ingest: counted.ingest,
        summary,
        runningCases: () => countRunningCases(temporal, config.taskQueue),
        progress,
        // Once the feed is planned, the demo citizen is the first resident whose 60th birthday it reports (an offer to confirm).
        onPlanned: async (citizenKey) => {
          await demoTokens(store, config.stateDir, { subjectKey: citizenKey }, config.sessions);
          progress.info(
            `demo citizen · 演示群众 张秀英: a citizen token in ${join(config.stateDir, 'demo-users.json')} (console /console)`,
          );
        },
        out: process.stdout,
        interactive: process.stdout.isTTY === true && !config.ci,
        // The monthly payroll of the demo's monthly policies: its officer starts it, its reviewer releases it.
        ...(staff
          ? {
              payroll: {
                service: payrollService,
                ...staff,
                policies: [...new Set(catalog.policies.filter((p) => p.period === 'month').map((p) => p.id))],
              },
            }
          : {}),
      });
      demoStatus = running.status;
      cleanups.push({ name: 'demo', run: () => running.stop() });
      // The demo's firms sign their pledges' written notices, as a firm would in the app.
      const signatures = startDemoSignatures({ store, temporal, log: (line) => progress.info(line) });
      cleanups.push({ name: 'demo pledge signatures', run: () => signatures.stop() });
    }
  } catch (error) {
    progress.info(`applyfree: ${error instanceof Error ? error.message : String(error)}`);
    await stop(1);
  }
}

void main();
