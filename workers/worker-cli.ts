/**
 * `npm run worker`: a processing node alone — the Temporal worker and the notice workers,
 * no API and no servers of its own. Run more of these to scale out. It uses the servers
 * named by TEMPORAL_ADDRESS, MONGODB_URI and REDIS_URL, or else the embedded ones that
 * `npm start` or `npm run stack -- up` keep running on this machine.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { checkMongo, checkRedis, checkTemporal } from '../infra/checks.js';
import { DEV_PORTS, embeddedUrls, externalUrl } from '../infra/stack.js';
import { describeTemporalAccess } from '../infra/temporal-connection.js';
import { redactUrl } from './config.js';
import {
  DEVELOPMENT_KEY_NOTICE,
  openProcessing,
  serverConfigOrExit,
  stoppableProcess,
  type Servers,
} from './processing.js';

async function main(): Promise<void> {
  const config = serverConfigOrExit('applyfree worker');
  if (config.keys.development) console.error(`applyfree worker: ${DEVELOPMENT_KEY_NOTICE}`);
  const { cleanups, stop } = stoppableProcess('applyfree worker', (line) => console.error(line));
  Runtime.install({ logger: new DefaultLogger(config.logLevel === 'debug' ? 'DEBUG' : 'WARN') });

  try {
    const embedded = embeddedUrls(DEV_PORTS);
    const servers: Servers = {
      temporalAddress: externalUrl(config, 'temporal') ?? embedded.temporal,
      temporalNamespace: config.temporalNamespace,
      // Only with TEMPORAL_ADDRESS (workers/config.ts refuses TLS settings without it): the embedded server is plain.
      ...(config.temporalAccess ? { temporalAccess: config.temporalAccess } : {}),
      mongodbUri: externalUrl(config, 'mongodb') ?? embedded.mongodb,
      redisUrl: externalUrl(config, 'redis') ?? embedded.redis,
    };
    const checks = [
      {
        name: 'Temporal',
        variable: 'TEMPORAL_ADDRESS',
        url: servers.temporalAddress,
        check: () =>
          checkTemporal(servers.temporalAddress, servers.temporalNamespace, undefined, servers.temporalAccess),
      },
      {
        name: 'MongoDB',
        variable: 'MONGODB_URI',
        url: servers.mongodbUri,
        check: () => checkMongo(servers.mongodbUri),
      },
      { name: 'Redis', variable: 'REDIS_URL', url: servers.redisUrl, check: () => checkRedis(servers.redisUrl) },
    ];
    for (const { name, variable, url, check } of checks) {
      // The server's own error says what failed: a refused connection, or a TLS handshake (TEMPORAL_TLS*).
      const problem = await check().then(
        () => undefined,
        (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0],
      );
      if (problem !== undefined) {
        throw new Error(
          `${name} at ${redactUrl(url)} does not answer (${problem}): start the servers with \`npm run stack -- up\` (or \`npm start\`), or set ${variable}.`,
        );
      }
    }

    const { temporalWorker } = await openProcessing(config, servers, cleanups);
    temporalWorker.run().catch((error: unknown) => {
      console.error(`applyfree worker: the Temporal worker failed: ${String(error)}`);
      void stop(1);
    });
    console.log(
      `applyfree worker is running · 工作进程已启动 (task queue ${config.taskQueue}, Temporal ${servers.temporalAddress}, ${describeTemporalAccess(servers.temporalAccess)})`,
    );
  } catch (error) {
    console.error(`applyfree worker: ${error instanceof Error ? error.message : String(error)}`);
    await stop(1);
  }
}

void main();
