/**
 * The processing side of a deployment: the store, the policy catalog, the notice queues,
 * the Temporal worker and the notice workers, opened in order and closed in reverse.
 * `npm start` runs it next to the API; `npm run worker` runs it alone, to scale out.
 */
import { Client, Connection as TemporalConnection } from '@temporalio/client';
import { clientStarter } from '../activities/benefit-start.js';
import { createActivities } from '../activities/index.js';
import { httpSourceConfigs } from './verification-sources.js';
import { openNoticeQueues, type NoticeQueues } from '../notices/queues.js';
import { storePolicySource } from '../store/policy-source.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { openCatalog } from '../services/catalog/service.js';
import { followCatalog } from '../store/catalog-versions.js';
import { ensureSweepSchedules } from '../services/sweeps/schedules.js';
import { ensurePayrollSchedules } from '../services/payroll/schedules.js';
import { ensureRetentionSchedule } from '../services/retention/temporal-schedule.js';
import { loadPolicyCatalog, type PolicyCatalog } from '../rules/catalog.js';
import { connectStore } from '../store/connection.js';
import type { Connection } from 'mongoose';
import { ConfigError, loadServerConfig, type ServerConfig } from './config.js';
import { createNoticeWorkers } from '../notices/delivery.js';
import { webhookSigningKey } from '../notices/webhook.js';
import { createTemporalWorker, type TemporalWorker } from './temporal-worker.js';
import { temporalConnectOptions, type TemporalAccess } from '../infra/temporal-connection.js';
import { createSealKeeper, type SealKeeper } from '../services/certificates/seal-keeper.js';
import { fileSealKeyStore } from '../services/certificates/seal-keys.js';
import { migrateManualTasks } from '../services/tasks/migrate.js';

/** How often a process checks the store for a data-catalog version published elsewhere. */
const CATALOG_FOLLOW_MS = 5_000;

export interface Servers {
  temporalAddress: string;
  temporalNamespace: string;
  /** TLS and the API key to temporalAddress when it is external (Config.temporalAccess); absent, plain gRPC. */
  temporalAccess?: TemporalAccess;
  mongodbUri: string;
  redisUrl: string;
}

export interface Cleanup {
  name: string;
  run: () => Promise<unknown>;
}

export interface Processing {
  store: Connection;
  catalog: PolicyCatalog;
  noticeQueues: NoticeQueues;
  temporalWorker: TemporalWorker;
  /** The departments' seals: signs certificates (services/certificates/issue.ts) with the keys in config.sealKeyDir. */
  seals: SealKeeper;
}

/**
 * Opens everything and pushes a cleanup for each part onto `cleanups` as soon as it is
 * open, so a failure halfway leaves nothing behind once the caller runs them in reverse.
 */
export async function openProcessing(config: ServerConfig, servers: Servers, cleanups: Cleanup[]): Promise<Processing> {
  const store = await connectStore(servers.mongodbUri);
  cleanups.push({ name: 'store', run: () => store.close() });

  // The shipped catalog is published once into the store; from then on the store is the
  // source of truth, with versions officers publish through the lifecycle next to it.
  // The seals' private keys: files of mode 0600 under the key directory (an HSM-backed key store in its place in production).
  const seals = createSealKeeper({ store, keys: fileSealKeyStore(config.sealKeyDir) });

  // The data catalog likewise (services/catalog/service.ts): the shipped DATA_SOURCES published once
  // by its hash, what officers published since kept; then put in force, and followed while the
  // process runs, so a fact another process publishes is known here within seconds.
  await openCatalog({ store });
  const stopFollowing = followCatalog(store, CATALOG_FOLLOW_MS);
  cleanups.push({ name: 'catalog follower', run: async () => stopFollowing() });

  const catalog = await loadPolicyCatalog();
  await createPolicyLifecycle(store).importCatalog(catalog.policies);
  const noticeQueues = openNoticeQueues({
    redisUrl: servers.redisUrl,
    webhook: Boolean(config.noticeWebhookUrl),
    prefix: config.queuePrefix,
  });
  cleanups.push({ name: 'notice queues', run: () => noticeQueues.close() });

  // Sweeps and objections start benefit workflows from an activity, through a client of their own.
  const clientConnection = await TemporalConnection.connect(
    temporalConnectOptions(servers.temporalAddress, servers.temporalAccess),
  );
  cleanups.push({ name: 'Temporal client', run: () => clientConnection.close() });
  const client = new Client({ connection: clientConnection, namespace: servers.temporalNamespace });
  // The daily and yearly sweep schedules exist wherever a worker serves the task queue (idempotent).
  await ensureSweepSchedules(client, { taskQueue: config.taskQueue });
  // So does the daily retention purge (services/retention/schedule.ts says what it removes, and when).
  await ensureRetentionSchedule(client, { taskQueue: config.taskQueue });
  // And the payroll of every recurring policy in the shipped catalog (monthly on the 5th, yearly on 5 January).
  await ensurePayrollSchedules(client, catalog.policies, { taskQueue: config.taskQueue });
  const workflows = clientStarter(client, config.taskQueue);
  // The manual reviews opened before tasks existed become tasks with their timers, once (a second run finds none).
  await migrateManualTasks({ store, workflows, policies: storePolicySource(store) });
  const temporalWorker = await createTemporalWorker({
    address: servers.temporalAddress,
    access: servers.temporalAccess,
    namespace: servers.temporalNamespace,
    taskQueue: config.taskQueue,
    activities: createActivities({
      store,
      noticeQueues,
      policies: storePolicySource(store),
      subjectKeySecret: config.keys.subjectKeySecret,
      previousSubjectKeySecrets: config.keys.previousSubjectKeySecrets,
      workflows,
      seals,
      // Sources a department's verification service answers (APPLYFREE_VERIFICATION_SOURCES).
      verification: httpSourceConfigs(config.verificationSources, {
        subjectKeySecret: config.keys.subjectKeySecret,
        development: config.mode === 'development',
      }),
    }),
  });
  cleanups.push({ name: 'Temporal worker', run: () => temporalWorker.shutdown() });

  const noticeWorkers = createNoticeWorkers({
    redisUrl: servers.redisUrl,
    store,
    // Signed with the key derived for webhooks (not the pseudonym key); http only to loopback in development.
    ...(config.noticeWebhookUrl
      ? {
          webhook: {
            url: config.noticeWebhookUrl,
            signingKey: webhookSigningKey(config.keys.subjectKeySecret),
            development: config.mode === 'development',
          },
        }
      : {}),
    prefix: config.queuePrefix,
  });
  cleanups.push({ name: 'notice workers', run: () => noticeWorkers.close() });
  return { store, catalog, noticeQueues, temporalWorker, seals };
}

/**
 * The settings of a server process, or — before anything starts — one line naming the variable
 * at fault (a missing production key, a malformed URL) and exit 1.
 */
export function serverConfigOrExit(name: string): ServerConfig {
  try {
    return loadServerConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${name}: ${error.message}`);
    process.exit(1);
  }
}

/** The line a process prints once when it runs on the published development key. */
export const DEVELOPMENT_KEY_NOTICE =
  'development mode: APPLYFREE_SUBJECT_KEY_SECRET is not set, so the published development pseudonym key is used (never for real data)';

/**
 * A process that stops cleanly: cleanups pushed as parts open run newest first on stop, on
 * Ctrl-C or SIGTERM. The signal handlers stay installed: one Ctrl-C reaches npm, tsx and node
 * together, and the relayed copies must not kill the process halfway through stopping.
 */
export function stoppableProcess(
  name: string,
  report: (line: string) => void,
): { cleanups: Cleanup[]; stop: (exitCode: number) => Promise<void> } {
  const cleanups: Cleanup[] = [];
  let stopping: Promise<void> | undefined;
  const stop = (exitCode: number) => {
    stopping ??= (async () => {
      report(`${name}: stopping…`);
      await runCleanups(cleanups, report);
      report(`${name}: stopped.`);
      process.exit(exitCode);
    })();
    return stopping;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(0));
  return { cleanups, stop };
}

/** Runs the cleanups newest first, reporting (not throwing) each one that fails. */
export async function runCleanups(cleanups: Cleanup[], report: (line: string) => void): Promise<void> {
  for (const cleanup of [...cleanups].reverse()) {
    await cleanup.run().catch((error: unknown) => report(`  ${cleanup.name}: ${String(error)}`));
  }
  cleanups.length = 0;
}
