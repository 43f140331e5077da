/**
 * A hermetic stack for one test run: fresh state in a temporary folder, free ports,
 * the same provisioning and start-up code as `npm start`. Honors TEMPORAL_ADDRESS,
 * MONGODB_URI and REDIS_URL like everything else.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCjkFont } from '../../infra/fonts.js';
import { createProgress } from '../../infra/progress.js';
import { ensureTemporalCli, ensureTestServer } from '../../infra/provision.js';
import { startStack, stopRecordedServers, type RunningStack, type ServerName } from '../../infra/stack.js';
import { loadConfig } from '../../workers/config.js';
import { freePort } from './free-port.js';

export interface TestStackInfo {
  temporalAddress: string;
  temporalNamespace: string;
  mongodbUri: string;
  redisUrl: string;
  /** Launcher of Temporal's Java test server, for TestWorkflowEnvironment.createTimeSkipping. */
  testServerPath: string;
  /** The provisioned `temporal` CLI, for TestWorkflowEnvironment.createLocal. */
  temporalCliPath: string;
  cacheDir: string;
  /** FerretDB's SQLite directory, when this run embeds FerretDB (not with MONGODB_URI). */
  ferretdbDir?: string;
}

const STATE_PREFIX = 'applyfree-test-';
const OWNER_FILE = 'owner.pid';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Stops the servers of test runs that died without cleaning up (a killed `npm test`), and
 * removes their state. A run's folder names its owner process; a live owner is left alone,
 * so two runs on one machine never stop each other's servers. Returns the folders swept.
 */
export async function sweepAbandonedTestStacks(root: string = tmpdir()): Promise<string[]> {
  const swept: string[] = [];
  for (const name of readdirSync(root)) {
    if (!name.startsWith(STATE_PREFIX)) continue;
    const dir = join(root, name);
    const ownerFile = join(dir, OWNER_FILE);
    if (!existsSync(ownerFile)) continue;
    const owner = Number(readFileSync(ownerFile, 'utf8').trim());
    if (Number.isInteger(owner) && owner > 0 && alive(owner)) continue;
    await stopRecordedServers(dir);
    rmSync(dir, { recursive: true, force: true });
    swept.push(dir);
  }
  return swept;
}

export async function startTestStack(
  servers?: ServerName[],
): Promise<{ info: TestStackInfo; stack: RunningStack; stop(): Promise<void> }> {
  const config = loadConfig();
  const progress = createProgress({ interactive: false });
  for (const dir of await sweepAbandonedTestStacks())
    progress.info(`stopped the servers of an abandoned test run (${dir})`);
  const stateDir = mkdtempSync(join(tmpdir(), STATE_PREFIX));
  writeFileSync(join(stateDir, OWNER_FILE), String(process.pid));
  const ports = {
    temporal: await freePort(),
    temporalUi: await freePort(),
    mongodb: await freePort(),
    redis: await freePort(),
  };
  const stack = await startStack({ config, stateDir, ports, progress, servers });
  const testServer = await ensureTestServer(config.cacheDir, progress);
  const temporalCli = await ensureTemporalCli(config.cacheDir, progress);
  // As `npm start` does: the certificate PDFs embed Noto Sans CJK. Installed here, once, so that
  // no test (nor the `npm start` a test runs) waits on apt-get under another's feet.
  await ensureCjkFont(progress, config.cacheDir);
  return {
    stack,
    info: {
      temporalAddress: stack.temporalAddress,
      temporalNamespace: stack.temporalNamespace,
      mongodbUri: stack.mongodbUri,
      redisUrl: stack.redisUrl,
      testServerPath: testServer.path,
      temporalCliPath: temporalCli.path,
      cacheDir: config.cacheDir,
      ...(stack.ferretdbDir ? { ferretdbDir: stack.ferretdbDir } : {}),
    },
    async stop() {
      await stack.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
