/**
 * Provisions the embedded servers into a cache outside the repository, keyed by version:
 * the Temporal CLI and FerretDB (patched, infra/ferretdb/) built from the Go module proxy, Debian's redis-server,
 * and Temporal's Java test server from Maven Central. A second call finds the cache
 * and returns at once. Builds go to a temporary folder renamed into place, so an
 * interrupted build never leaves a broken cache entry; a lock keeps two processes from
 * building the same thing at once.
 */
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.js';
import { portOpen } from './processes.js';
import {
  FERRETDB_VERSION,
  SCHEMATHESIS_VERSION,
  SLF4J_VERSION,
  TEMPORAL_CLI_VERSION,
  TEST_SERVER_VERSION,
} from './versions.js';
import { withLock } from './lock.js';
import type { Progress } from './progress.js';
import { findExecutable, ProvisionError, requireExecutable, runTool } from './run-tool.js';

export interface Provisioned {
  path: string;
  /** True when the binary came from the cache (nothing was built or installed). */
  cached: boolean;
}

const GO_FALLBACKS = ['/usr/local/go/bin/go', '/usr/lib/go/bin/go'];
const GO_HINT = 'install Go 1.23 or later from your package manager or go.dev';

/** Builds into `<dir>.partial-<pid>` then renames, so the cache only ever holds complete builds. */
export async function buildInto(dir: string, build: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${dir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    await build(tmp);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function ensureCached(
  cacheDir: string,
  entry: string,
  file: string,
  label: string,
  progress: Progress,
  build: (tmp: string, step: ReturnType<Progress['step']>) => Promise<void>,
): Promise<Provisioned> {
  const dir = join(cacheDir, entry);
  const path = join(dir, file);
  if (existsSync(path)) return { path, cached: true };
  mkdirSync(cacheDir, { recursive: true });
  return withLock(join(cacheDir, `${entry}.lock`), async () => {
    if (existsSync(path)) return { path, cached: true };
    const step = progress.step(`${label}: first-time setup into ${dir}`);
    try {
      await buildInto(dir, (tmp) => build(tmp, step));
    } catch (error) {
      step.fail(error instanceof Error ? error.message : String(error));
      throw error;
    }
    step.done('cached for next time');
    return { path, cached: false };
  });
}

/** The `temporal` CLI (dev server and Web UI), `go install`ed at the pinned version. */
export function ensureTemporalCli(cacheDir: string, progress: Progress): Promise<Provisioned> {
  const purpose = `build the Temporal CLI ${TEMPORAL_CLI_VERSION}`;
  return ensureCached(
    cacheDir,
    `temporal-${TEMPORAL_CLI_VERSION}`,
    'temporal',
    `Temporal CLI ${TEMPORAL_CLI_VERSION}`,
    progress,
    async (tmp, step) => {
      const go = requireExecutable('go', purpose, GO_HINT, GO_FALLBACKS);
      // -v prints each package as it compiles: the progress line shows the build moving.
      await runTool(go, ['install', '-v', `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`], {
        env: { GOBIN: tmp, GOFLAGS: '-mod=mod' },
        step,
        purpose,
      });
    },
  );
}

/**
 * The project's own change to FerretDB's SQLite backend (docs/FERRETDB.md): its indexes serve the
 * filters it pushes down, and sorts and ranges on `_id` stream from an index. Re-applied on every
 * FerretDB upgrade.
 */
export const FERRETDB_PATCH = fileURLToPath(new URL('./ferretdb/applyfree.patch', import.meta.url));

/**
 * FerretDB with its SQLite backend, built from the pinned module version's source with
 * FERRETDB_PATCH applied.
 * Not `go install pkg@version`: that asks the proxy for the module's version list, which
 * the proxy refuses for FerretDB, and the binary would panic on its empty embedded
 * build/version/version.txt. So: download the exact version, copy it, write the
 * version file as FerretDB's own `task gen-version` does, and build.
 */
export function ensureFerretDb(
  cacheDir: string,
  progress: Progress,
  { patched = true }: { patched?: boolean } = {},
): Promise<Provisioned> {
  const purpose = `build FerretDB ${FERRETDB_VERSION}`;
  const patch = readFileSync(FERRETDB_PATCH);
  // A changed patch is a new cache entry: the binary built without it is never used again.
  const patchId = createHash('sha256').update(patch).digest('hex').slice(0, 12);
  return ensureCached(
    cacheDir,
    // Unpatched: only `npm run bench -- store`, for the figures before and after.
    patched ? `ferretdb-${FERRETDB_VERSION}-applyfree-${patchId}` : `ferretdb-${FERRETDB_VERSION}`,
    'ferretdb',
    `FerretDB ${FERRETDB_VERSION}`,
    progress,
    async (tmp, step) => {
      const go = requireExecutable('go', purpose, GO_HINT, GO_FALLBACKS);
      const downloaded = await runTool(
        go,
        ['mod', 'download', '-json', `github.com/FerretDB/FerretDB@v${FERRETDB_VERSION}`],
        {
          cwd: tmp,
          step,
          purpose,
        },
      );
      const moduleDir = (JSON.parse(downloaded) as { Dir?: string }).Dir;
      if (!moduleDir)
        throw new ProvisionError(`Cannot ${purpose}: go mod download did not report the module directory.`);
      const source = join(tmp, 'src');
      cpSync(moduleDir, source, { recursive: true });
      await runTool('chmod', ['-R', 'u+w', source], { step, purpose });
      // Outside any repository, `git apply` patches the folder it runs in, like patch(1).
      if (patched)
        await runTool('git', ['apply', '--whitespace=nowarn', FERRETDB_PATCH], {
          cwd: source,
          env: { GIT_CEILING_DIRECTORIES: tmp },
          step,
          purpose,
        });
      writeFileSync(join(source, 'build', 'version', 'version.txt'), `v${FERRETDB_VERSION}\n`);
      await runTool(go, ['build', '-v', '-o', join(tmp, 'ferretdb'), './cmd/ferretdb'], {
        cwd: source,
        env: { GOFLAGS: '-mod=mod' },
        step,
        purpose,
      });
      rmSync(source, { recursive: true, force: true });
    },
  );
}

/**
 * Temporal's Java test server (time skipping) with its dependencies from Maven Central,
 * behind a launcher script `temporal-test-server <port> [--enable-time-skipping]`.
 */
export async function ensureTestServer(cacheDir: string, progress: Progress): Promise<Provisioned> {
  const provisioned = await fetchTestServer(cacheDir, progress);
  await ensureClassArchive(dirname(provisioned.path), progress);
  return provisioned;
}

/**
 * A class-data-sharing archive of the test server's classes: the SDK gives the server
 * five seconds to listen, and the archive cuts the JVM's start from about a second to
 * about half that, which keeps a loaded machine inside the limit.
 */
async function ensureClassArchive(dir: string, progress: Progress): Promise<void> {
  const archive = join(dir, 'classes.jsa');
  if (existsSync(archive)) return;
  await withLock(`${dir}.cds.lock`, async () => {
    if (existsSync(archive)) return;
    const step = progress.step('Temporal test server: recording a class archive for fast start-up');
    const partial = `${archive}.partial-${process.pid}`;
    const port = await freePort();
    const java = spawn(
      'java',
      [
        `-XX:ArchiveClassesAtExit=${partial}`,
        '-XX:TieredStopAtLevel=1',
        '-XX:+UseSerialGC',
        '-cp',
        `${join(dir, 'lib')}/*`,
        'io.temporal.testserver.TestServer',
        String(port),
      ],
      { stdio: 'ignore' },
    );
    const exited = new Promise<void>((resolvePromise) => java.once('exit', () => resolvePromise()));
    try {
      const deadline = Date.now() + 60_000;
      while (!(await portOpen(port)) && Date.now() < deadline) await sleep(100);
    } finally {
      java.kill('SIGTERM');
      await exited;
    }
    // Without the archive the server still works, only slower: not a provisioning failure.
    if (existsSync(partial)) renameSync(partial, archive);
    step.done(existsSync(archive) ? 'done' : 'skipped (the JVM wrote no archive)');
  });
}

function fetchTestServer(cacheDir: string, progress: Progress): Promise<Provisioned> {
  const purpose = `fetch Temporal's Java test server ${TEST_SERVER_VERSION}`;
  return ensureCached(
    cacheDir,
    `temporal-test-server-${TEST_SERVER_VERSION}`,
    'temporal-test-server',
    `Temporal test server ${TEST_SERVER_VERSION}`,
    progress,
    async (tmp, step) => {
      requireExecutable('java', purpose, 'install a Java 11+ runtime, for example openjdk-17-jre-headless');
      const mvn = requireExecutable('mvn', purpose, 'install Maven, for example the Debian package maven');
      const dependency = (group: string, artifact: string, version: string) =>
        `<dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId><version>${version}</version></dependency>`;
      writeFileSync(
        join(tmp, 'pom.xml'),
        `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>applyfree.infra</groupId><artifactId>temporal-test-server-fetch</artifactId><version>1</version><packaging>pom</packaging>
<dependencies>${dependency('io.temporal', 'temporal-test-server', TEST_SERVER_VERSION)}${dependency('org.slf4j', 'slf4j-nop', SLF4J_VERSION)}</dependencies>
</project>\n`,
      );
      await runTool(
        mvn,
        ['-B', '-q', 'dependency:copy-dependencies', '-DoutputDirectory=lib', '-DincludeScope=runtime'],
        {
          cwd: tmp,
          step,
          purpose,
        },
      );
      const launcher = join(tmp, 'temporal-test-server');
      writeFileSync(
        launcher,
        '#!/bin/sh\n# Temporal Java test server (time skipping), provisioned by applyfree infra/provision.ts\n' +
          'DIR="$(cd "$(dirname "$0")" && pwd)"\n' +
          'CDS=""; [ -f "$DIR/classes.jsa" ] && CDS="-XX:SharedArchiveFile=$DIR/classes.jsa -Xshare:auto"\n' +
          'exec java $CDS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$DIR/lib/*" io.temporal.testserver.TestServer "$@"\n',
      );
      chmodSync(launcher, 0o755);
    },
  );
}

/**
 * Schemathesis from PyPI in a virtual environment of its own, for `npm run fuzz`. The path is the
 * environment's Python: the environment is built in a temporary folder and renamed into place,
 * which breaks the console scripts' absolute shebangs but not `python -c` (see runSchemathesis).
 */
export function ensureSchemathesis(cacheDir: string, progress: Progress): Promise<Provisioned> {
  const purpose = `install Schemathesis ${SCHEMATHESIS_VERSION}`;
  return ensureCached(
    cacheDir,
    `schemathesis-${SCHEMATHESIS_VERSION}`,
    join('bin', 'python'),
    `Schemathesis ${SCHEMATHESIS_VERSION}`,
    progress,
    async (tmp, step) => {
      const python = requireExecutable('python3', purpose, 'install Python 3.9 or later with its venv module');
      await runTool(python, ['-m', 'venv', tmp], { step, purpose });
      await runTool(
        join(tmp, 'bin', 'python'),
        ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', `schemathesis==${SCHEMATHESIS_VERSION}`],
        { step, purpose },
      );
    },
  );
}

/** The arguments that run Schemathesis's command line (`st …`) with a provisioned environment's Python. */
export function schemathesisArgs(args: readonly string[]): string[] {
  return [
    '-c',
    "import sys; from schemathesis.cli import schemathesis; sys.argv[0] = 'st'; sys.exit(schemathesis())",
    ...args,
  ];
}

/**
 * Debian's redis-server: found on PATH, or installed with apt-get when running as root
 * (services are not started by the package; the stack starts its own instance).
 */
export async function ensureRedisServer(progress: Progress): Promise<Provisioned> {
  const fallbacks = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'];
  const found = findExecutable('redis-server', fallbacks);
  if (found) return { path: found, cached: true };
  await aptInstall(['redis-server'], progress, 'or set REDIS_URL to an existing Redis');
  const path = findExecutable('redis-server', fallbacks);
  if (!path)
    throw new ProvisionError('Cannot install redis-server: apt-get succeeded but redis-server is still missing.');
  return { path, cached: false };
}

/**
 * Linux perf (Debian's linux-perf), which the benchmarks' `--perf 1` samples the servers with:
 * found on PATH, or installed with apt-get when running as root.
 */
export async function ensurePerf(progress: Progress): Promise<Provisioned> {
  const found = findExecutable('perf', ['/usr/bin/perf']);
  if (found) return { path: found, cached: true };
  await aptInstall(['linux-perf'], progress);
  const path = findExecutable('perf', ['/usr/bin/perf']);
  if (!path) throw new ProvisionError('Cannot install linux-perf: apt-get succeeded but perf is still missing.');
  return { path, cached: false };
}

/**
 * Installs Debian packages with apt-get when running as root, updating the package lists first
 * if the install fails on a fresh machine; otherwise a ProvisionError saying what to run
 * (and `alternative`, when there is one).
 */
export async function aptInstall(packages: string[], progress: Progress, alternative?: string): Promise<void> {
  const purpose = `install ${packages.join(' and ')}`;
  const aptGet = findExecutable('apt-get');
  if (!aptGet || process.getuid?.() !== 0) {
    throw new ProvisionError(
      `Cannot ${purpose}: not installed, and this process cannot apt-get it (run 'sudo apt-get install ${packages.join(' ')}'${alternative ? `, ${alternative}` : ''}).`,
    );
  }
  const step = progress.step(`${packages.join(', ')}: installing the Debian package${packages.length > 1 ? 's' : ''}`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    runTool(aptGet, ['install', '-y', '--no-install-recommends', ...packages], { env, step, purpose });
  try {
    await install().catch(async () => {
      // A fresh machine may have no package lists yet.
      await runTool(aptGet, ['update'], { env, step, purpose: 'update the package lists' });
      await install();
    });
  } catch (error) {
    step.fail(error instanceof Error ? error.message : String(error));
    throw error;
  }
  step.done(packages.join(', '));
}
