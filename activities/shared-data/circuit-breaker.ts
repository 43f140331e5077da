/**
 * A circuit breaker per data source: after `failureThreshold` consecutive failures the
 * circuit opens and calls fail fast with CircuitOpenError; after `cooldownMs` one trial
 * call is let through (half-open) and its outcome closes or re-opens the circuit.
 */

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before a trial call (ms). */
  cooldownMs: number;
  /** Milliseconds clock; injectable so tests step time instead of waiting. */
  now?: () => number;
  /** Which errors count as the remote side failing; others (e.g. a 4xx answer) count as it answering. */
  isFailure?: (error: unknown) => boolean;
}

/** Thrown without calling the remote side while the circuit is open or its trial is in flight. */
export class CircuitOpenError extends Error {
  readonly code = 'CircuitOpen';

  constructor(
    readonly circuit: string,
    readonly retryAt: number,
  ) {
    super(`circuit ${circuit} is open: failing fast until its cooldown ends`);
    this.name = 'CircuitOpenError';
  }
}

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private trialInFlight = false;
  private readonly now: () => number;
  private readonly isFailure: (error: unknown) => boolean;

  constructor(
    readonly name: string,
    private readonly options: CircuitBreakerOptions,
  ) {
    if (!(options.failureThreshold >= 1)) throw new RangeError(`circuit ${name}: failureThreshold must be at least 1`);
    if (!(options.cooldownMs >= 0)) throw new RangeError(`circuit ${name}: cooldownMs must not be negative`);
    this.now = options.now ?? Date.now;
    this.isFailure = options.isFailure ?? (() => true);
  }

  /** The state a call made now would meet. */
  get state(): CircuitState {
    if (this.openedAt === undefined) return 'closed';
    if (this.trialInFlight) return 'half-open';
    return this.now() - this.openedAt >= this.options.cooldownMs ? 'half-open' : 'open';
  }

  /** Runs `call` unless the circuit is open; records its outcome. */
  async execute<T>(call: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === 'open' || (state === 'half-open' && this.trialInFlight)) {
      throw new CircuitOpenError(this.name, (this.openedAt ?? 0) + this.options.cooldownMs);
    }
    const trial = state === 'half-open';
    if (trial) this.trialInFlight = true;
    try {
      const result = await call();
      this.close();
      return result;
    } catch (error) {
      if (this.isFailure(error)) this.recordFailure(trial);
      else this.close();
      throw error;
    } finally {
      if (trial) this.trialInFlight = false;
    }
  }

  private close(): void {
    this.failures = 0;
    this.openedAt = undefined;
  }

  private recordFailure(trial: boolean): void {
    this.failures += 1;
    if (trial || this.failures >= this.options.failureThreshold) this.openedAt = this.now();
  }
}
