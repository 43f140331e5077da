/**
 * The per-worker cache of open population streams (activities/sweep-streams.ts): the next
 * slice of a sweep reads on from the cursor the last one parked, records read but not taken
 * come first, and any other start opens a fresh stream, so the cache never changes an answer.
 */
import { describe, expect, it } from 'vitest';
import { openStreams } from '../../activities/sweep-streams.js';

/** A stream of keys k01…kNN from `after`, in batches of 3, counting how often one is opened. */
function source(total: number) {
  const keys = Array.from({ length: total }, (_, i) => `k${String(i + 1).padStart(2, '0')}`);
  let opened = 0;
  return {
    get opened() {
      return opened;
    },
    open(after: string | undefined) {
      return () => {
        opened += 1;
        return (async function* () {
          const rest = keys.filter((k) => after === undefined || k > after);
          for (let i = 0; i < rest.length; i += 3) yield rest.slice(i, i + 3);
        })();
      };
    },
  };
}

/** Takes up to `limit` keys the way a slice does, parking what is left. */
async function slice(
  streams: ReturnType<typeof openStreams<string>>,
  src: ReturnType<typeof source>,
  after: string | undefined,
  limit: number,
): Promise<string[]> {
  const taken: string[] = [];
  for await (const batch of streams.resume('sweep:a', after, src.open(after))) {
    const part = batch.slice(0, limit - taken.length);
    if (part.length < batch.length) streams.keepRest('sweep:a', batch.slice(part.length));
    taken.push(...part);
    if (taken.length >= limit) break;
  }
  if (taken.length > 0) streams.park('sweep:a', taken.at(-1)!);
  return taken;
}

describe('open sweep streams', () => {
  it('reads on from the parked cursor, rest first, opening the stream once', async () => {
    const src = source(10);
    const streams = openStreams<string>();
    const first = await slice(streams, src, undefined, 4);
    const second = await slice(streams, src, first.at(-1), 4);
    const third = await slice(streams, src, second.at(-1), 4);
    expect([first, second, third]).toEqual([
      ['k01', 'k02', 'k03', 'k04'],
      ['k05', 'k06', 'k07', 'k08'],
      ['k09', 'k10'],
    ]);
    expect(src.opened).toBe(1);
    streams.close('sweep:a');
  });

  it('opens a fresh stream when a slice starts anywhere else (a retry, another worker), with the same answer', async () => {
    const src = source(10);
    const streams = openStreams<string>();
    await slice(streams, src, undefined, 4);
    // A retry of the first slice starts from the beginning again: the parked stream (at k04) is no use.
    const retried = await slice(streams, src, undefined, 4);
    expect(retried).toEqual(['k01', 'k02', 'k03', 'k04']);
    expect(src.opened).toBe(2);
    expect(await slice(streams, src, 'k04', 6)).toEqual(['k05', 'k06', 'k07', 'k08', 'k09', 'k10']);
    expect(src.opened).toBe(2);
  });
});
