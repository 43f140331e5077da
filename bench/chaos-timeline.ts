/**
 * The fault timeline of `npm run chaos`: when each worker is killed, when the Temporal server
 * restarts, and when Redis and the database are down. Kills fall at random (a seeded generator,
 * so a campaign can be run again as it was); the server faults are spread evenly and never
 * overlap one another, so each recovery is seen on its own while the kills go on throughout.
 */

export type ServerFault =
  | { kind: 'restart'; server: 'temporal'; at: number }
  | { kind: 'outage'; server: 'redis' | 'mongodb'; at: number; seconds: number };

export interface Timeline {
  /** Seconds from the start at which a worker is killed with SIGKILL, ascending. */
  kills: number[];
  /** Server faults in the order they happen. */
  servers: ServerFault[];
  /** Seconds from the start to the end of the last fault. */
  seconds: number;
}

export interface TimelineOptions {
  /** Length of the campaign in seconds (the faults fall inside it). */
  seconds: number;
  kills: number;
  temporalRestarts: number;
  /** How long Redis and the database each stay down. */
  outageSeconds: number;
  seed: number;
}

/** mulberry32: a small, well-known 32-bit generator; the same seed gives the same campaign. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Time a restart of the Temporal server is given before the next server fault may begin. */
const RESTART_ROOM_SECONDS = 20;

/**
 * Builds the timeline, or throws naming the option at fault when the faults do not fit: the
 * server faults need their outages and a restart's room, one after another, inside `seconds`.
 */
export function buildTimeline(options: TimelineOptions): Timeline {
  const { seconds, kills, temporalRestarts, outageSeconds } = options;
  if (!(seconds > 0)) throw new RangeError(`seconds: expected a positive length, got ${seconds}`);
  const servers: Array<{ kind: 'restart' | 'outage'; server: 'temporal' | 'redis' | 'mongodb'; room: number }> = [];
  // Temporal restarts around the outages: restart, restart, Redis down, restart, database down, restart…
  const restarts = Array.from({ length: temporalRestarts }, () => ({
    kind: 'restart' as const,
    server: 'temporal' as const,
    room: RESTART_ROOM_SECONDS,
  }));
  const outages = (['redis', 'mongodb'] as const).map((server) => ({
    kind: 'outage' as const,
    server,
    room: outageSeconds + RESTART_ROOM_SECONDS,
  }));
  const half = Math.ceil(restarts.length / 2);
  servers.push(...restarts.slice(0, half - 1), outages[0], ...restarts.slice(half - 1, half), outages[1]);
  servers.push(...restarts.slice(half));
  const busy = servers.reduce((sum, fault) => sum + fault.room, 0);
  if (busy > seconds * 0.9)
    throw new RangeError(
      `${seconds} s is too short for ${temporalRestarts} Temporal restarts and two outages of ${outageSeconds} s; give at least ${Math.ceil(busy / 0.9)} s`,
    );
  // Even gaps between the faults, the first after a gap of its own: the feed and the sweep are under way by then.
  const gap = (seconds - busy) / (servers.length + 1);
  let at = gap;
  const placed: ServerFault[] = [];
  for (const fault of servers) {
    const start = Math.round(at);
    placed.push(
      fault.kind === 'restart'
        ? { kind: 'restart', server: 'temporal', at: start }
        : { kind: 'outage', server: fault.server as 'redis' | 'mongodb', at: start, seconds: outageSeconds },
    );
    at += fault.room + gap;
  }
  const random = seededRandom(options.seed);
  const killTimes = Array.from({ length: kills }, () => Math.round(random() * seconds * 10) / 10).sort((a, b) => a - b);
  return { kills: killTimes, servers: placed, seconds };
}
