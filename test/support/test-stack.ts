/**
 * A hermetic stack for one test run: fresh state in a temporary folder, free ports,
 * the same provisioning and start-up code as `npm start`. Honors TEMPORAL_ADDRESS,
 * MONGODB_URI and REDIS_URL like everything else.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProgress } from '../../infra/progress.js';
import { ensureTemporalCli, ensureTestServer } from '../../infra/provision.js';
import { startStack, type RunningStack, type ServerName } from '../../infra/stack.js';
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
}

export async function startTestStack(servers?: ServerName[]): Promise<{ info: TestStackInfo; stack: RunningStack; stop(): Promise<void> }> {
  const config = loadConfig();
  const progress = createProgress({ interactive: false });
  const stateDir = mkdtempSync(join(tmpdir(), 'applyfree-test-'));
  const ports = { temporal: await freePort(), temporalUi: await freePort(), mongodb: await freePort(), redis: await freePort() };
  const stack = await startStack({ config, stateDir, ports, progress, servers });
  const testServer = await ensureTestServer(config.cacheDir, progress);
  const temporalCli = await ensureTemporalCli(config.cacheDir, progress);
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
    },
    async stop() {
      await stack.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
