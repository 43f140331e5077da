/**
 * `npm start`: provisions and starts the embedded stack (or uses the configured servers),
 * then the Temporal worker, the notice worker and the HTTP API. Ctrl-C or SIGTERM stops
 * everything in reverse order, the servers it started included.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { buildApi } from '../client/api/server.js';
import { checkMongo, checkRedis, checkTemporal } from '../infra/checks.js';
import { createProgress } from '../infra/progress.js';
import { DEV_PORTS, startStack } from '../infra/stack.js';
import { connectStore } from '../store/connection.js';
import { loadConfig, redactUrl } from './config.js';
import { createNoticeWorker } from './notice-worker.js';
import { createTemporalWorker } from './temporal-worker.js';

type Cleanup = { name: string; run: () => Promise<unknown> };

async function main(): Promise<void> {
  const config = loadConfig();
  const progress = createProgress({ interactive: process.stderr.isTTY === true && !config.ci });
  const cleanups: Cleanup[] = [];
  let stopping: Promise<void> | undefined;
  const stop = (exitCode: number) => {
    stopping ??= (async () => {
      progress.info('applyfree: stopping…');
      for (const cleanup of cleanups.reverse()) {
        await cleanup.run().catch((error: unknown) => progress.info(`  ${cleanup.name}: ${String(error)}`));
      }
      progress.info('applyfree: stopped.');
      process.exit(exitCode);
    })();
    return stopping;
  };
  // Persistent handlers: one Ctrl-C reaches npm, tsx and node together, and the relayed
  // copies must not kill the process halfway through stopping the servers.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(0));

  Runtime.install({ logger: new DefaultLogger(config.logLevel === 'debug' ? 'DEBUG' : 'WARN') });
  try {
    progress.info('applyfree: starting the stack (the first run builds the servers; later runs reuse the cache)');
    const stack = await startStack({ config, stateDir: config.stateDir, ports: DEV_PORTS, progress });
    cleanups.push({ name: 'servers', run: () => stack.stop() });

    const store = await connectStore(stack.mongodbUri);
    cleanups.push({ name: 'store', run: () => store.close() });

    const temporalWorker = await createTemporalWorker({
      address: stack.temporalAddress,
      namespace: stack.temporalNamespace,
      activities: createActivities({ store }),
    });
    cleanups.push({ name: 'Temporal worker', run: () => temporalWorker.shutdown() });
    temporalWorker.run().catch((error: unknown) => {
      progress.info(`applyfree: the Temporal worker failed: ${String(error)}`);
      void stop(1);
    });

    const noticeWorker = createNoticeWorker({ redisUrl: stack.redisUrl, store });
    cleanups.push({ name: 'notice worker', run: () => noticeWorker.close() });

    const api = buildApi({
      temporalUiUrl: stack.temporalUiUrl,
      health: {
        temporal: () => checkTemporal(stack.temporalAddress, stack.temporalNamespace),
        mongodb: () => checkMongo(stack.mongodbUri),
        redis: () => checkRedis(stack.redisUrl),
      },
    });
    await api.listen({ host: config.apiHost, port: config.apiPort });
    cleanups.push({ name: 'API', run: () => api.close() });

    const apiUrl = `http://${config.apiHost}:${config.apiPort}`;
    console.log('');
    console.log('applyfree is ready · 已就绪');
    console.log(`  API              ${apiUrl}`);
    console.log(`  health           ${apiUrl}/health`);
    if (stack.temporalUiUrl) console.log(`  Temporal Web UI  ${stack.temporalUiUrl}`);
    console.log(`  Temporal         ${stack.temporalAddress} (namespace ${stack.temporalNamespace})`);
    console.log(`  MongoDB wire     ${redactUrl(stack.mongodbUri)}`);
    console.log(`  Redis            ${redactUrl(stack.redisUrl)}`);
    console.log(`  state and logs   ${config.stateDir}`);
    console.log('Press Ctrl-C to stop everything · 按 Ctrl-C 停止');
  } catch (error) {
    progress.info(`applyfree: ${error instanceof Error ? error.message : String(error)}`);
    await stop(1);
  }
}

void main();
