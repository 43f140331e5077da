/**
 * A clock for code that takes its time as a dependency (the demo feed's pace, the live display's
 * redraws): nothing is due until the test advances it; then each timer falls due in order and the
 * code it wakes runs before the next one. Exact and instant, where a real sleep is slow and only
 * bounds the time from below.
 */
export interface FakeClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Runs `next` after `ms`; answers how to call it off. */
  schedule(next: () => void, ms: number): () => void;
  /** Moves time on by `ms`, running each timer due on the way, in order, and what it wakes. */
  advance(ms: number): Promise<void>;
}

/** Lets every promise chain and stream event already under way run to where it waits on a timer. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export function fakeClock(start = 0): FakeClock {
  let now = start;
  let order = 0;
  const timers: Array<{ at: number; order: number; run: () => void }> = [];
  const schedule = (run: () => void, ms: number) => {
    const timer = { at: now + Math.max(0, ms), order: order++, run };
    timers.push(timer);
    return () => {
      const index = timers.indexOf(timer);
      if (index >= 0) timers.splice(index, 1);
    };
  };
  return {
    now: () => now,
    sleep: (ms) => new Promise<void>((resolve) => void schedule(resolve, ms)),
    schedule,
    async advance(ms) {
      const end = now + ms;
      await settle();
      for (;;) {
        timers.sort((a, b) => a.at - b.at || a.order - b.order);
        const next = timers[0];
        if (next === undefined || next.at > end) break;
        timers.shift();
        now = next.at;
        next.run();
        await settle();
      }
      now = end;
    },
  };
}
