/**
 * `applyfree sweep …` against the API on the real stack: start requests a sweep, which waits for
 * another reviewer; approve starts it and follows it to its end with plain progress lines on a
 * non-terminal stderr and prints the progress object with --json; status, list, pause and cancel
 * read and steer it; refusals are one line with their code and field (the requester approving
 * is FOUR_EYES, a day to come FUTURE_AS_OF), and a wrong command line exits 2.
 */
import { addDays, cityToday } from '../domain/calendar.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SweepView } from '../services/sweeps/service.js';
import { finished, runEntry } from './support/run-node.js';
import { openSweepApi, type SweepApi } from './support/sweep-api.js';

const stack = inject('stack');
// Sweep workflow IDs are per namespace: dates no other test file sweeps, so files can run side by side.
const RESIDENTS = 200;
let env: SweepApi;

beforeAll(async () => {
  env = await openSweepApi(stack, 'clisweep', { residents: RESIDENTS });
}, 120_000);

afterAll(async () => {
  await env?.close();
});

const cli = (args: string[], token: string = env.officer) =>
  finished(runEntry('cli/main.ts', ['sweep', ...args], { APPLYFREE_API_URL: env.url, APPLYFREE_TOKEN: token }));

describe('applyfree sweep', () => {
  it('requests a sweep, which another reviewer approves and follows to the end, with progress lines on stderr and the progress object on stdout', async () => {
    const requested = await cli([
      'start',
      'old-age-allowance',
      '1',
      '--as-of',
      '2026-11-05',
      '--slice',
      '50',
      '--parts',
      '2',
    ]);
    expect(requested.code).toBe(0);
    expect(
      await env.pipeline.store.db!.collection('sweep_requests').findOne({
        _id: 'sweep:old-age-allowance@1:2026-11-05',
      } as object),
    ).toMatchObject({ sliceSize: 50, parts: 2 });
    expect(requested.stdout).toContain('sweep:old-age-allowance@1:2026-11-05  awaiting approval · 待批准');
    expect(requested.stdout).toContain('back-dated: it pays grant periods before the current one');
    expect(requested.stdout).toContain(
      'awaiting approval by a reviewer other than 王芳: applyfree sweep approve sweep:old-age-allowance@1:2026-11-05',
    );
    const byOfficer = await cli(['approve', 'old-age-allowance@1:2026-11-05']);
    expect([byOfficer.code, byOfficer.stderr]).toEqual([1, expect.stringContaining('FORBIDDEN_ROLE')]);
    const run = await cli(['approve', 'old-age-allowance@1:2026-11-05', '--json'], env.reviewer);
    expect(run.code).toBe(0);
    const view = JSON.parse(run.stdout) as SweepView;
    const grants = await env.pipeline.models.Grant.countDocuments({ 'policy.id': 'old-age-allowance' });
    expect(view).toMatchObject({
      id: 'sweep:old-age-allowance@1:2026-11-05',
      status: 'done',
      total: RESIDENTS,
      processed: RESIDENTS,
      eligible: grants,
      granted: grants,
      requestedBy: '王芳',
      approval: { status: 'approved', decidedBy: '李明' },
    });
    expect(run.stderr).toMatch(
      /^sweep:old-age-allowance@1:2026-11-05 running: [\d,]+\/[\d,]+ \(\d+%\) · eligible 符合 \d+ · granted 已发放 \d+ · /m,
    );
    expect(run.stderr).not.toContain('\r');

    const status = await cli(['status', 'old-age-allowance@1:2026-11-05']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('sweep:old-age-allowance@1:2026-11-05  done · 已完成');
    expect(status.stdout).toContain(`screened 已筛查 ${RESIDENTS}/${RESIDENTS} · eligible 符合 ${grants} ·`);
    expect(status.stdout).toContain(`granted 已发放 ${grants} (new 新增 ${grants})`);
    // Two parts of 100 residents, each two slices of 50 and a last that finds no one left.
    expect(status.stdout).toMatch(/requested by 王芳, 6 slice\(s\)/);
    expect(status.stdout).toContain('approved 已批准 by 李明');

    const list = await cli(['list', '--policy', 'old-age-allowance']);
    expect(list.stdout).toMatch(
      /^sweep:old-age-allowance@1:2026-11-05\s+done · 已完成\s+200\/200\s+eligible \d+\s+王芳$/m,
    );
    const again = await cli(['start', 'old-age-allowance', '1', '--as-of', '2026-11-05']);
    expect([again.code, again.stderr]).toEqual([0, expect.stringContaining('was already started')]);
    expect(again.stdout).toContain('done · 已完成');
  }, 90_000);

  it('pauses and cancels a sweep approved without waiting; the requester does not approve it; only a reviewer cancels', async () => {
    const requested = await cli(
      ['start', 'old-age-allowance', '1', '--as-of', '2026-11-06', '--slice', '10', '--rate', '20'],
      env.reviewer,
    );
    expect(requested.code).toBe(0);
    const id = 'sweep:old-age-allowance@1:2026-11-06';
    const own = await cli(['approve', id], env.reviewer);
    expect([own.code, own.stderr]).toEqual([1, expect.stringMatching(/^applyfree: FOUR_EYES \[id\]: 李明 requested/)]);
    const started = await cli(['approve', id, '--no-wait'], env.secondReviewer);
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/^sweep:old-age-allowance@1:2026-11-06 {2}running · 进行中$/m);
    const paused = await cli(['pause', id]);
    expect([paused.code, paused.stdout]).toEqual([0, expect.stringContaining('pausing after the slice in flight')]);
    await expect.poll(async () => (await env.sweeps.progress(id)).status, { timeout: 30_000 }).toBe('paused');

    const refused = await cli(['cancel', id]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^applyfree: FORBIDDEN_ROLE: only a reviewer may cancel a sweep .* · 只有审核人可以取消筛查/,
    );
    expect((await cli(['cancel', id], env.reviewer)).code).toBe(0);
    const watched = await cli(['status', id, '--watch', '--json']);
    expect(watched.code).toBe(1);
    expect(JSON.parse(watched.stdout)).toMatchObject({ id, status: 'cancelled' });
    const late = await cli(['resume', id]);
    expect([late.code, late.stderr]).toEqual([1, expect.stringContaining('SWEEP_FINISHED [id]')]);
  }, 90_000);

  it('refuses a bad date with its field, and a wrong command line with the usage', async () => {
    const bad = await cli(['start', 'old-age-allowance', '1', '--as-of', '2026-13-01']);
    expect([bad.code, bad.stderr.trim()]).toEqual([
      1,
      expect.stringMatching(
        /^applyfree: INVALID_INPUT \[asOf\]: asOf: expected a date YYYY-MM-DD, got "2026-13-01" · /,
      ),
    ]);
    const tomorrow = addDays(cityToday(), 1);
    const future = await cli(['start', 'old-age-allowance', '1', '--as-of', tomorrow]);
    expect([future.code, future.stderr]).toEqual([1, expect.stringContaining('FUTURE_AS_OF [asOf]')]);
    const unpublished = await cli(['start', 'old-age-allowance', '9']);
    expect([unpublished.code, unpublished.stderr]).toEqual([1, expect.stringContaining('POLICY_NOT_FOUND [version]')]);
    const usage = await cli(['start', 'old-age-allowance']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('usage: applyfree sweep <command>');
    expect((await cli(['start', 'old-age-allowance', '1', '--slice', 'many'])).code).toBe(2);
    expect((await cli(['start', 'old-age-allowance', '1', '--parts', 'many'])).code).toBe(2);
    const tooMany = await cli(['start', 'old-age-allowance', '1', '--parts', '17']);
    expect([tooMany.code, tooMany.stderr]).toEqual([1, expect.stringContaining('[parts]')]);
    expect((await cli(['approve'])).code).toBe(2);
  }, 60_000);
});
