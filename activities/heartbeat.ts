/**
 * Liveness for every activity. Each activity heartbeats on a timer while it runs, a third
 * of the way into its heartbeat timeout, so when a worker process dies the server sees
 * the silence within that timeout and hands the activity to another worker, instead of
 * waiting out the whole start-to-close timeout. Outside a worker (tests calling an
 * activity directly) the functions run unwrapped.
 */
import { asyncLocalStorage } from '@temporalio/activity';

type AnyActivity = (...args: never[]) => Promise<unknown>;

function heartbeating<F extends AnyActivity>(activity: F): F {
  const wrapped = async (...args: Parameters<F>) => {
    const context = asyncLocalStorage.getStore();
    const timeoutMs = context?.info.heartbeatTimeoutMs;
    const timer = context && timeoutMs ? setInterval(() => context.heartbeat(), Math.max(100, Math.floor(timeoutMs / 3))) : undefined;
    try {
      return await activity(...args);
    } finally {
      if (timer) clearInterval(timer);
    }
  };
  return wrapped as F;
}

/** The same activities, each heartbeating while it runs. */
export function withHeartbeats<T extends Record<string, AnyActivity>>(activities: T): T {
  return Object.fromEntries(Object.entries(activities).map(([name, activity]) => [name, heartbeating(activity)])) as T;
}
