/**
 * `npm run stack -- up|down|status`: manage the embedded servers alone.
 * up starts (or reuses) them and leaves them running; down stops what up started;
 * status reports each server and whether it answers (exit 3 when any is down).
 */
import { exitWhenDone } from './exit.js';
import { loadConfig, type Config } from '../workers/config.js';
import { answers, checkMongo, checkRedis, checkTemporal } from './checks.js';
import { createProgress } from './progress.js';
import { isOurProcess, readPidFile } from './processes.js';
import {
  DEV_PORTS,
  embeddedUrls,
  externalUrl,
  SERVER_NAMES,
  serverFiles,
  startStack,
  stopRecordedServers,
  type ServerName,
} from './stack.js';

const USAGE = 'usage: npm run stack -- up|down|status';

async function up(config: Config): Promise<number> {
  const stack = await startStack({
    config,
    stateDir: config.stateDir,
    ports: DEV_PORTS,
    progress: createProgress({ interactive: process.stderr.isTTY === true && !config.ci }),
  });
  for (const server of stack.servers) {
    console.log(
      `${server.name.padEnd(9)} ${server.origin.padEnd(9)} ${server.url}${server.pid ? `  pid ${server.pid}` : ''}`,
    );
  }
  if (stack.temporalUiUrl) console.log(`Temporal Web UI  ${stack.temporalUiUrl}`);
  console.log(`state and logs   ${config.stateDir}`);
  return 0;
}

async function status(config: Config): Promise<number> {
  const embedded = embeddedUrls(DEV_PORTS);
  const urls = Object.fromEntries(
    SERVER_NAMES.map((name) => [name, externalUrl(config, name) ?? embedded[name]]),
  ) as Record<ServerName, string>;
  const checks: Record<ServerName, () => Promise<void>> = {
    temporal: () =>
      checkTemporal(
        urls.temporal,
        config.temporalNamespace,
        undefined,
        externalUrl(config, 'temporal') ? config.temporalAccess : undefined,
      ),
    mongodb: () => checkMongo(urls.mongodb),
    redis: () => checkRedis(urls.redis),
  };
  let down = 0;
  for (const name of SERVER_NAMES) {
    const record = readPidFile(serverFiles(config.stateDir, name).pidFile);
    const origin = externalUrl(config, name)
      ? 'external'
      : record && isOurProcess(record)
        ? `embedded pid ${record.pid}`
        : 'not running';
    const up = await answers(checks[name]);
    if (!up) down++;
    console.log(`${name.padEnd(9)} ${(up ? 'up' : 'down').padEnd(5)} ${urls[name]}  (${origin})`);
  }
  return down === 0 ? 0 : 3;
}

async function main(): Promise<number> {
  const command = process.argv[2];
  const config = loadConfig();
  switch (command) {
    case 'up':
      return up(config);
    case 'down': {
      const stopped = await stopRecordedServers(config.stateDir);
      console.log(stopped.length ? `stopped: ${stopped.join(', ')}` : 'no embedded server was running');
      return 0;
    }
    case 'status':
      return status(config);
    default:
      console.error(USAGE);
      return 2;
  }
}

exitWhenDone('stack', main);
