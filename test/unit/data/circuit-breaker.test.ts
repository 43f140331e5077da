import { describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitOpenError } from '../../../activities/shared-data/circuit-breaker.js';

/** A hand-stepped clock: time moves only when the test says so. */
function manualClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

const fail = () => Promise.reject(new Error('department down'));
const succeed = () => Promise.resolve('ok');

describe('circuit breaker', () => {
  it('opens after the threshold of consecutive failures and then fails fast without calling', async () => {
    const clock = manualClock();
    const breaker = new CircuitBreaker('tax', { failureThreshold: 3, cooldownMs: 30_000, now: clock.now });
    for (let i = 0; i < 3; i += 1) await expect(breaker.execute(fail)).rejects.toThrow('department down');
    expect(breaker.state).toBe('open');

    let called = false;
    await expect(breaker.execute(async () => ((called = true), 'ok'))).rejects.toBeInstanceOf(CircuitOpenError);
    expect(called).toBe(false);
  });

  it('counts consecutive failures only: a success in between resets the count', async () => {
    const breaker = new CircuitBreaker('tax', { failureThreshold: 2, cooldownMs: 1_000, now: manualClock().now });
    await expect(breaker.execute(fail)).rejects.toThrow();
    await breaker.execute(succeed);
    await expect(breaker.execute(fail)).rejects.toThrow();
    expect(breaker.state).toBe('closed');
  });

  it('half-opens after the cooldown, lets one trial through, and closes when it succeeds', async () => {
    const clock = manualClock();
    const breaker = new CircuitBreaker('tax', { failureThreshold: 1, cooldownMs: 30_000, now: clock.now });
    await expect(breaker.execute(fail)).rejects.toThrow();
    clock.advance(29_999);
    expect(breaker.state).toBe('open');
    clock.advance(1);
    expect(breaker.state).toBe('half-open');

    let release!: () => void;
    const trial = breaker.execute(() => new Promise<string>((resolve) => (release = () => resolve('trial ok'))));
    await expect(breaker.execute(succeed)).rejects.toBeInstanceOf(CircuitOpenError);
    release();
    await expect(trial).resolves.toBe('trial ok');
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(succeed)).resolves.toBe('ok');
  });

  it('re-opens for a full cooldown when the half-open trial fails', async () => {
    const clock = manualClock();
    const breaker = new CircuitBreaker('tax', { failureThreshold: 2, cooldownMs: 10_000, now: clock.now });
    await expect(breaker.execute(fail)).rejects.toThrow();
    await expect(breaker.execute(fail)).rejects.toThrow();
    clock.advance(10_000);
    await expect(breaker.execute(fail)).rejects.toThrow('department down');
    expect(breaker.state).toBe('open');
    clock.advance(9_999);
    await expect(breaker.execute(succeed)).rejects.toBeInstanceOf(CircuitOpenError);
    clock.advance(1);
    await expect(breaker.execute(succeed)).resolves.toBe('ok');
  });

  it('does not count errors the classifier says are answers (e.g. a 4xx) as failures', async () => {
    const breaker = new CircuitBreaker('tax', {
      failureThreshold: 1,
      cooldownMs: 1_000,
      now: manualClock().now,
      isFailure: (error) => !(error instanceof Error && error.message === 'HTTP 400'),
    });
    await expect(breaker.execute(() => Promise.reject(new Error('HTTP 400')))).rejects.toThrow('HTTP 400');
    expect(breaker.state).toBe('closed');
  });
});
