/**
 * Open population streams kept between the slices of a sweep, per worker. FerretDB on SQLite
 * answers a sorted `find` by reading and sorting the whole collection before its first batch
 * (about a minute for a million residents), whatever `_id` range is asked for; a cursor per
 * slice would pay that on every slice. So a slice leaves its stream parked under the position
 * it reached, and the next slice of the same sweep that starts from exactly that position on
 * this worker reads on. Any other start (another worker, a retry from an earlier position)
 * opens a fresh stream from the position, so correctness never depends on the cache.
 */

/** How long a parked stream waits for its next slice before its cursors are closed. */
const IDLE_MS = 120_000;

interface Parked<T> {
  /** The position (last key) the stream stopped after. */
  position: string;
  batches: AsyncGenerator<T[]>;
  /** Records read from the stream but not yet screened: the next slice starts with them. */
  rest: T[];
  timer?: NodeJS.Timeout;
}

export function openStreams<T>() {
  const parked = new Map<string, Parked<T>>();
  const live = new Map<string, Parked<T>>();

  const drop = (entry: Parked<T> | undefined) => {
    if (!entry) return;
    clearTimeout(entry.timer);
    void entry.batches.return(undefined).catch(() => undefined);
  };

  return {
    /** The batches of a sweep from `after`: the parked stream when it stopped exactly there, else a new one. */
    resume(sweepId: string, after: string | undefined, open: () => AsyncGenerator<T[]>): AsyncGenerator<T[]> {
      // A slice that failed halfway left its stream live: it is of no use now.
      drop(live.get(sweepId));
      live.delete(sweepId);
      const previous = parked.get(sweepId);
      parked.delete(sweepId);
      let entry: Parked<T>;
      if (previous && previous.position === after) {
        clearTimeout(previous.timer);
        entry = previous;
      } else {
        drop(previous);
        entry = { position: after ?? '', batches: open(), rest: [] };
      }
      live.set(sweepId, entry);
      return (async function* () {
        if (entry.rest.length > 0) {
          const rest = entry.rest;
          entry.rest = [];
          yield rest;
        }
        // Not `yield*`: leaving this loop early must not close the underlying stream.
        for (;;) {
          const next = await entry.batches.next();
          if (next.done) return;
          yield next.value;
        }
      })();
    },

    /** Records of the current batch the slice did not take; they open the next slice. */
    keepRest(sweepId: string, rest: T[]): void {
      const entry = live.get(sweepId);
      if (entry) entry.rest = rest;
    },

    /** Parks the sweep's stream after `position` for its next slice. */
    park(sweepId: string, position: string): void {
      const entry = live.get(sweepId);
      live.delete(sweepId);
      if (!entry) return;
      entry.position = position;
      entry.timer = setTimeout(() => {
        if (parked.get(sweepId) === entry) parked.delete(sweepId);
        drop(entry);
      }, IDLE_MS);
      entry.timer.unref();
      parked.set(sweepId, entry);
    },

    /** Closes the sweep's stream (it ended, or the slice failed). */
    close(sweepId: string): void {
      drop(live.get(sweepId));
      live.delete(sweepId);
    },
  };
}
