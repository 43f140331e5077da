/**
 * `npm run fuzz [-- --examples N] [--callers anonymous,officer,…]`: the OpenAPI-driven fuzz run.
 * Starts a stack of its own, then the real `applyfree start` against it (the production
 * composition of every route, with a small demo city so cases, decisions and grants exist), adds a
 * department with a key, and has Schemathesis (provisioned from PyPI into the cache) fuzz every
 * route of `/openapi.json` once per caller: nobody, each role's demo token, and the department.
 * A proxy per caller adds its credential and reads every answer: the run fails on any 5xx and on
 * any resident ID or credit code in an answer (only the logged unmask may show one). The access
 * log tells which routes each caller reached. Figures go to stdout and test-output/fuzz/report.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DepartmentCredential } from '../../domain/department-signature.js';
import { EVENT_TYPES } from '../../domain/events.js';
import { createProgress } from '../../infra/progress.js';
import { ensureSchemathesis, schemathesisArgs } from '../../infra/provision.js';
import { childEnv, loadConfig } from '../../workers/config.js';
import { freePort } from '../support/free-port.js';
import { pollUntil } from '../support/poll.js';
import { startTestStack } from '../support/test-stack.js';
import { startFuzzProxy, type FuzzCredential, type FuzzTally } from './proxy.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CALLERS = ['anonymous', 'officer', 'reviewer', 'supervisor', 'inspector', 'citizen', 'department'] as const;
type Caller = (typeof CALLERS)[number];
const SIGN_OUT = '/auth/sign-out';

/** Runs a command without blocking this process (the proxies answer its requests), collecting its output. */
function runAsync(
  command: string,
  args: string[],
  cwd: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at < 0 ? undefined : process.argv[at + 1];
}

async function main(): Promise<number> {
  const examples = Number(option('--examples') ?? 25);
  const callers = (option('--callers')?.split(',') ?? [...CALLERS]) as Caller[];
  const unknown = callers.filter((caller) => !(CALLERS as readonly string[]).includes(caller));
  if (!Number.isInteger(examples) || examples < 1 || unknown.length > 0) {
    console.error(`usage: npm run fuzz -- [--examples N] [--callers ${CALLERS.join(',')}]`);
    return 2;
  }
  const progress = createProgress({ interactive: false });
  const python = (await ensureSchemathesis(loadConfig().cacheDir, progress)).path;
  const { info, stop } = await startTestStack();
  const stateDir = mkdtempSync(join(tmpdir(), 'applyfree-fuzz-'));
  const outDir = join(ROOT, 'test-output', 'fuzz');
  mkdirSync(outDir, { recursive: true });
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  const run = `fuzz${Date.now().toString(36)}`;
  // The real API process, as npm start composes it, on this run's servers (development mode: a known key).
  const env = childEnv({
    TEMPORAL_ADDRESS: info.temporalAddress,
    TEMPORAL_NAMESPACE: info.temporalNamespace,
    MONGODB_URI: info.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_${run}$1`),
    REDIS_URL: info.redisUrl,
    APPLYFREE_MODE: 'development',
    APPLYFREE_STATE_DIR: stateDir,
    API_PORT: String(port),
    APPLYFREE_TASK_QUEUE: run,
    APPLYFREE_QUEUE_PREFIX: run,
    APPLYFREE_DEMO: 'on',
    APPLYFREE_DEMO_RESIDENTS: '400',
    APPLYFREE_DEMO_ENTERPRISES: '40',
    APPLYFREE_DEMO_EVENTS_PER_SECOND: '200',
    // Fuzzing is many requests from one person: the limits are not what is under test here.
    APPLYFREE_USER_RATE_LIMIT: '1000000',
    APPLYFREE_ANONYMOUS_RATE_LIMIT: '1000000',
    APPLYFREE_DEPARTMENT_RATE_LIMIT: '1000000',
    CI: '1',
  });
  const appLog = createWriteStream(join(outDir, 'applyfree-start.log'));
  const app = spawn(process.execPath, [join(ROOT, 'bin', 'applyfree.mjs'), 'start'], { env, cwd: ROOT });
  app.stdout.pipe(appLog);
  app.stderr.pipe(appLog);
  let code = 1;
  try {
    progress.info(
      `fuzz: applyfree start on ${api}, a demo city of 400 residents; log ${join(outDir, 'applyfree-start.log')}`,
    );
    const usersFile = join(stateDir, 'demo-users.json');
    type DemoUsers = Array<{ role: string; token: string }>;
    const planned = await pollUntil(
      'the demo city planned, with a citizen among the demo users',
      (): DemoUsers | 'exited' | undefined => {
        if (app.exitCode !== null) return 'exited';
        if (!existsSync(usersFile)) return undefined;
        const users = JSON.parse(readFileSync(usersFile, 'utf8')) as DemoUsers;
        return users.some((user) => user.role === 'citizen') ? users : undefined;
      },
      (value) => value !== undefined,
      { timeout: 600_000, interval: 1_000 },
    );
    if (planned === 'exited' || planned === undefined) throw new Error(`applyfree start exited with ${app.exitCode}`);
    const demoUsers = planned;
    await pollUntil(
      'the demo feed delivered',
      async () => ((await (await fetch(`${api}/summary`)).json()) as { demo?: { state?: string } }).demo?.state,
      (state) => state === 'done' || state === 'failed' || app.exitCode !== null,
      { timeout: 600_000, interval: 2_000 },
    );
    const added = spawnSync(
      process.execPath,
      [
        join(ROOT, 'bin', 'applyfree.mjs'),
        'department',
        'add',
        'fuzz-registry',
        '--name-zh',
        '模糊测试登记处',
        '--name-en',
        'Fuzz registry',
        '--sources',
        'fuzz-registry',
        '--event-types',
        EVENT_TYPES.map((type) => type.type).join(','),
        '--backdating-days',
        '3650',
        '--json',
      ],
      { env, cwd: ROOT, encoding: 'utf8' },
    );
    if (added.status !== 0) throw new Error(`applyfree department add failed: ${added.stderr}`);
    const department = (JSON.parse(added.stdout) as { credential: DepartmentCredential }).credential;
    const credentials: Record<Caller, FuzzCredential> = {
      anonymous: {},
      department: { department },
      ...(Object.fromEntries(demoUsers.map((user) => [user.role, { token: user.token }])) as Record<
        Exclude<Caller, 'anonymous' | 'department'>,
        FuzzCredential
      >),
    };

    const accessLog = join(stateDir, 'logs', 'api.log');
    const logLines = () =>
      existsSync(accessLog)
        ? readFileSync(accessLog, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as { time?: string; method?: string; route?: string; status?: number })
        : [];
    const schema = (await (await fetch(`${api}/openapi.json`)).json()) as { paths: Record<string, object> };
    const operations = Object.entries(schema.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const rows: Array<{ caller: Caller; routes: number; tally: FuzzTally }> = [];
    const reached = new Set<string>();
    for (const caller of callers) {
      const proxy = await startFuzzProxy(api, credentials[caller]);
      // The credential must open what it is for, or the run would fuzz only the refusals.
      const probe =
        caller === 'anonymous' || caller === 'department' ? undefined : await fetch(`${proxy.url}/console/session`);
      if (probe && probe.status !== 200)
        throw new Error(`the ${caller}'s demo token is refused (${probe.status}): ${await probe.text()}`);
      const from = Date.now();
      progress.info(`fuzz: ${caller}: Schemathesis over ${operations.length} operations, ${examples} examples each`);
      const schemathesis = (filter: string[]) =>
        runAsync(
          python,
          schemathesisArgs([
            'run',
            `${proxy.url}/openapi.json`,
            '--url',
            proxy.url,
            ...filter,
            '--checks',
            'not_a_server_error',
            '--max-examples',
            String(examples),
            '--seed',
            '20261205',
            '--workers',
            '2',
            '--request-timeout',
            '60',
            '--suppress-health-check',
            'all',
            '--continue-on-failure',
            '--no-color',
          ]),
          stateDir,
        );
      // Signing out ends the caller's session: that route goes last, or every request after it would be a 401.
      const outputs = [await schemathesis(['--exclude-path', SIGN_OUT])];
      if (probe) {
        const still = await fetch(`${proxy.url}/console/session`);
        if (still.status !== 200)
          throw new Error(`the ${caller}'s demo token stopped working during the run (${still.status})`);
      }
      outputs.push(await schemathesis(['--include-path', SIGN_OUT]));
      writeFileSync(
        join(outDir, `schemathesis-${caller}.txt`),
        outputs.map((fuzz) => `${fuzz.stdout}\n${fuzz.stderr}`).join('\n'),
      );
      await proxy.close();
      const routes = new Set(
        logLines()
          .filter((line) => Date.parse(line.time ?? '') >= from && line.route)
          .map((line) => `${line.method} ${line.route}`),
      );
      for (const route of routes) reached.add(route);
      // Schemathesis that could not load the document or reach the API tested nothing: that is a failure too.
      if (proxy.tally.requests < 2)
        throw new Error(`Schemathesis made no requests as ${caller}: see schemathesis-${caller}.txt`);
      rows.push({ caller, routes: routes.size, tally: proxy.tally });
    }

    const total = (pick: (tally: FuzzTally) => number) => rows.reduce((sum, row) => sum + pick(row.tally), 0);
    const report = {
      examplesPerOperation: examples,
      operations: operations.length,
      routesReached: reached.size,
      requests: total((tally) => tally.requests),
      serverErrors: total((tally) => tally.serverErrors),
      identifiersFound: total((tally) => tally.identifiers),
      callers: rows.map(({ caller, routes, tally }) => ({
        caller,
        requests: tally.requests,
        undelivered: tally.undelivered,
        undeliveredReasons: tally.undeliveredReasons,
        routes,
        statuses: tally.statuses,
        serverErrors: tally.serverErrors,
        identifiersFound: tally.identifiers,
        findings: tally.findings.slice(0, 50),
      })),
    };
    writeFileSync(join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log('');
    console.log('caller        requests  routes  5xx  raw IDs  unsent');
    const cell = (value: number, width: number) => String(value).padStart(width);
    for (const { caller, routes, tally } of rows)
      console.log(
        `${caller.padEnd(12)} ${cell(tally.requests, 9)} ${cell(routes, 7)} ${cell(tally.serverErrors, 4)} ${cell(tally.identifiers, 8)} ${cell(tally.undelivered, 7)}`,
      );
    console.log(
      `all          ${String(report.requests).padStart(9)} ${String(report.routesReached).padStart(7)} ${String(report.serverErrors).padStart(4)} ${String(report.identifiersFound).padStart(8)}   (${report.operations} operations in the OpenAPI document; report: test-output/fuzz/report.json)`,
    );
    for (const row of rows)
      for (const finding of row.tally.findings.slice(0, 10))
        console.log(`  ${row.caller}: ${finding.method} ${finding.path} → ${finding.status} ${finding.what}`);
    code = report.serverErrors === 0 && report.identifiersFound === 0 ? 0 : 1;
  } finally {
    app.kill('SIGTERM');
    await new Promise((resolve) => (app.exitCode === null ? app.once('exit', resolve) : resolve(undefined)));
    await stop();
    const accessLogFile = join(stateDir, 'logs', 'api.log');
    if (existsSync(accessLogFile)) writeFileSync(join(outDir, 'api.log'), readFileSync(accessLogFile));
    rmSync(stateDir, { recursive: true, force: true });
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`fuzz: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
