import { randomUUID } from 'node:crypto';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { Summary } from '../services/metrics/summary.js';
import { cityToday } from '../domain/calendar.js';
import { DEVELOPMENT_SUBJECT_KEY_SECRET } from '../domain/pseudonym.js';
import { freePort } from './support/free-port.js';
import { finished, runEntry } from './support/run-node.js';
import { ownNamespace } from './support/temporal.js';

const stack = inject('stack');
const stateDir = mkdtempSync(join(tmpdir(), 'applyfree-main-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

/** The environment that points a process at this run's servers instead of embedded ones. */
function stackEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: stack.temporalAddress,
    MONGODB_URI: stack.mongodbUri,
    REDIS_URL: stack.redisUrl,
    APPLYFREE_STATE_DIR: stateDir,
    APPLYFREE_DEMO: 'off',
    // This run's own servers are a development stack (external servers alone would mean production).
    APPLYFREE_MODE: 'development',
    CI: '1',
    ...extra,
  };
}

/** A production environment whose servers do not exist: only the configuration can be checked. */
function productionEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: '127.0.0.1:9',
    MONGODB_URI: 'mongodb://127.0.0.1:9/applyfree',
    REDIS_URL: 'redis://127.0.0.1:9',
    APPLYFREE_STATE_DIR: stateDir,
    APPLYFREE_SUBJECT_KEY_SECRET: '',
    APPLYFREE_MODE: '',
    CI: '1',
    ...extra,
  };
}

/** Resolves when the process prints its ready banner; rejects if it exits first. */
function untilReady(child: ChildProcessWithoutNullStreams): Promise<void> {
  return new Promise<void>((resolvePromise, reject) => {
    let seen = '';
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('applyfree is ready')) resolvePromise();
    });
    child.on('close', (code) => reject(new Error(`main exited with ${code} before ready`)));
  });
}

describe('the main job (npm start)', () => {
  it('reaches ready, serves a healthy API and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const child = runEntry('workers/main.ts', [], stackEnv({ API_PORT: String(port) }));
    const result = finished(child);
    await untilReady(child);

    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('up');

    child.kill('SIGTERM');
    const { code, stdout, stderr } = await result;
    expect(code).toBe(0);
    expect(stdout).toContain(`http://127.0.0.1:${port}/health`);
    expect(stderr).toContain('applyfree: stopped.');
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });

  it('runs the demo: seeds a small city, streams its life events through ingestion and serves the live summary', async () => {
    const port = await freePort();
    const run = randomUUID().slice(0, 8);
    // Its own database, task queue and queue prefix: other test files share these servers. And its
    // own Temporal namespace: the demo's payroll of this month is `payroll:<policy>:<month>`, the ID
    // the payroll schedule test's run of this month takes too.
    const mongodbUri = stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_main_demo_${run}$1`);
    const namespace = await ownNamespace(stack.temporalAddress, `main-demo-${run}`);
    const child = runEntry(
      'workers/main.ts',
      [],
      stackEnv({
        API_PORT: String(port),
        MONGODB_URI: mongodbUri,
        TEMPORAL_NAMESPACE: namespace,
        APPLYFREE_TASK_QUEUE: `main-demo-${run}`,
        APPLYFREE_QUEUE_PREFIX: `main-demo-${run}`,
        APPLYFREE_DEMO: 'on',
        APPLYFREE_DEMO_RESIDENTS: '300',
        APPLYFREE_DEMO_ENTERPRISES: '30',
        APPLYFREE_DEMO_EVENTS_PER_SECOND: '200',
      }),
    );
    const result = finished(child);
    try {
      await untilReady(child);
      // Wait until the feed has delivered everything and every case and notice is worked off.
      const readSummary = async () => {
        const response = await fetch(`http://127.0.0.1:${port}/summary`);
        expect(response.status).toBe(200);
        return (await response.json()) as Summary;
      };
      await expect.poll(readSummary, { timeout: 200_000, interval: 1000 }).toMatchObject({
        demo: { state: 'done', payroll: { state: 'paid' } },
        events: { inProgress: 0 },
        notices: { queued: 0 },
      });
      // Settled figures stay as they are: what the demo did, read once more.
      const summary = await readSummary();

      const feed = summary.demo!.feed!;
      expect(feed.position).toBe(feed.planned);
      expect(feed.answers.rejected + feed.answers.failed).toBe(0);
      // Re-deliveries and second registries' reports were collapsed: one case per event,
      // fewer cases than the distinct source events delivered.
      expect(feed.sent.repeat).toBeGreaterThan(0);
      expect(summary.events.sourceEvents).toBe(feed.sent.first + feed.sent['second-registry']);
      expect(summary.events.cases).toBe(feed.events);
      expect(summary.events.cases).toBeLessThan(summary.events.sourceEvents);
      expect(summary.decisions.eligible).toBeGreaterThan(0);
      expect(summary.decisions.ineligible).toBeGreaterThan(0);
      expect(summary.grants.byPolicy.length).toBeGreaterThan(0);
      expect(summary.grants.byPolicy[0]).toMatchObject({
        count: expect.any(Number),
        title: { zh: expect.any(String), en: expect.any(String) },
      });
      expect(summary.grants.byPolicy[0].count).toBeGreaterThan(0);
      expect(summary.notices.delivered).toBeGreaterThan(0);
      // The monthly payroll: every batch started by the demo officer, released by the demo reviewer,
      // and the paid total is the sum of the payment lines released this month.
      const records = await mongoose.createConnection(mongodbUri).asPromise();
      try {
        const db = records.db!;
        const batches = await db
          .collection<{ _id: string; startedBy: string; releasedBy?: string; totalFen: number; status: string }>(
            'payment_batches',
          )
          .find({})
          .toArray();
        const entitled = await db.collection('entitlements').countDocuments({});
        if (entitled > 0) expect(batches.length).toBeGreaterThan(0);
        expect(summary.demo!.payroll!.batches.map((b) => b.id).sort()).toEqual(batches.map((b) => b._id).sort());
        for (const batch of batches) {
          expect(batch).toMatchObject({ status: 'released', startedBy: '王芳', releasedBy: '李明' });
          const lines = await db
            .collection<{ amountFen: number }>('payment_lines')
            .find({ batchId: batch._id, kind: 'payment', status: 'released' })
            .toArray();
          expect(lines.reduce((sum, line) => sum + line.amountFen, 0)).toBe(batch.totalFen);
        }
        const month = cityToday().slice(0, 7);
        const released = (
          await db
            .collection<{ amountFen: number; releasedAt: Date }>('payment_lines')
            .find({ kind: 'payment', status: 'released' })
            .toArray()
        ).filter((line) => cityToday(line.releasedAt).slice(0, 7) === month);
        expect(summary.payroll).toEqual({
          month,
          paidFen: released.reduce((sum, line) => sum + line.amountFen, 0),
          lines: released.length,
        });
      } finally {
        await records.close();
      }

      child.kill('SIGTERM');
      const { code, stdout, stderr } = await result;
      expect(code).toBe(0);
      expect(stdout).toContain('APPLYFREE_DEMO=off');
      expect(stdout).toContain('实时概况 live summary');
      expect(stdout).toContain('本月已发放 paid this month');
      expect(stderr).toContain('seeding the demo city');
      // Nothing printed carries a resident ID or credit code.
      expect(stdout + stderr).not.toMatch(/\d{17}[\dX]/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      const db = await mongoose.createConnection(mongodbUri).asPromise();
      await db.dropDatabase();
      await db.close();
    }
  }, 300_000);

  it("fails fast with the variable's name when the configuration is wrong", async () => {
    const { code, stderr } = await finished(
      runEntry('workers/main.ts', [], stackEnv({ REDIS_URL: 'http://cache:6379' })),
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/REDIS_URL: expected a redis or rediss URL/);
  });

  it.each([
    ['without a secret', {}, /^applyfree: APPLYFREE_SUBJECT_KEY_SECRET: required in production/],
    [
      'with the published development key',
      { APPLYFREE_SUBJECT_KEY_SECRET: DEVELOPMENT_SUBJECT_KEY_SECRET },
      /^applyfree: APPLYFREE_SUBJECT_KEY_SECRET: is the published development key/,
    ],
  ])(
    'refuses to start in production %s: one line and exit 1, before any server (abuse 17)',
    async (_, extra, message) => {
      // Production because servers are named; nothing listens there, and nothing is reached.
      const { code, stdout, stderr } = await finished(
        runEntry('workers/main.ts', [], productionEnv(extra as Record<string, string>)),
      );
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(message);
      expect(stdout).toBe('');
    },
  );
});

describe('npm run stack -- status', () => {
  it('reports every server up and exits 0', async () => {
    const { code, stdout } = await finished(runEntry('infra/stack-cli.ts', ['status'], stackEnv()));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^temporal\s+up/m);
    expect(stdout).toMatch(/^mongodb\s+up/m);
    expect(stdout).toMatch(/^redis\s+up/m);
  });

  it('reports a server that does not answer as down and exits 3', async () => {
    const closed = await freePort();
    const { code, stdout } = await finished(
      runEntry('infra/stack-cli.ts', ['status'], stackEnv({ REDIS_URL: `redis://127.0.0.1:${closed}` })),
    );
    expect(code).toBe(3);
    expect(stdout).toMatch(/^redis\s+down/m);
  });

  it('explains its usage for an unknown command', async () => {
    const { code, stderr } = await finished(runEntry('infra/stack-cli.ts', ['sideways'], stackEnv()));
    expect(code).toBe(2);
    expect(stderr).toContain('usage: npm run stack -- up|down|status');
  });
});
