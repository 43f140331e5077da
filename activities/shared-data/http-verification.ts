/**
 * The verification-service adapter (证明核验接口). Contract with a department:
 *
 *   POST {baseUrl}/verify   content-type: application/json
 *   { "source": "<source id>", "subject": { "idNumber": "…" } | { "creditCode": "…" }, "fields": ["<column>", …] }
 *
 *   200 { "found": true, "values": { "<column>": value, … } }   the record's requested columns
 *   200 { "found": false }                                      the department holds no record
 *   4xx                                                         the request is wrong: not retried
 *   5xx, timeout, network error                                 retried with backoff, then failed
 *
 * Columns the department returns beyond `fields` are dropped. Error messages never carry
 * the subject's ID or the response body.
 *
 * The request carries a raw ID, so it goes over https only (plain http to loopback in
 * development, for a local stub), never follows a redirect, and, with `auth`, is signed per
 * department: `x-applyfree-client: <client ID>` and `x-applyfree-signature: t=<unix>,v1=<hex
 * HMAC-SHA256(department key, "<t>.<raw body>")>` (domain/signature.ts), so the department can
 * refuse callers that are not applyfree, changed bodies and replays. The department key is
 * HKDF-derived per department (domain/keys.ts, purpose departmentCredential, context = its ID).
 * Client certificates (mTLS) are a deployment concern and not configured here yet.
 */
import type { DataSourceAdapter, SourceAnswer, SourceRequest } from './types.js';
import { CircuitBreaker, CircuitOpenError, type CircuitBreakerOptions, type CircuitState } from './circuit-breaker.js';
import { DataSourceError } from './errors.js';
import { signBody } from '../../domain/signature.js';
import { outboundUrlProblem } from '../../domain/transport.js';
import { idFieldOf, pickColumns } from './source-keys.js';

/** One verification-backed source, as configured by workers/config.ts. */
export interface HttpSourceConfig {
  baseUrl: string;
  /** Per-attempt limit, covering the response body too (ms). */
  timeoutMs: number;
  /** Extra attempts after the first on network errors, 5xx and timeouts. */
  retries: number;
  breaker: Pick<CircuitBreakerOptions, 'failureThreshold' | 'cooldownMs'>;
  /** Exponential backoff with full jitter: delay = random() × min(maxMs, baseMs × 2^attempt). */
  backoff?: { baseMs: number; maxMs: number };
  /** Development allows plain http to loopback (a local stub); otherwise the service must be https. */
  development?: boolean;
  /** Signs every request for the department: who applyfree is to it, and the key it shares with it. */
  auth?: { clientId: string; key: Buffer };
}

/** Headers of a signed verification request. */
export const VERIFICATION_CLIENT_HEADER = 'x-applyfree-client';
export const VERIFICATION_SIGNATURE_HEADER = 'x-applyfree-signature';

/** What the adapter needs from its surroundings; each defaults to the real thing, injectable for tests. */
export interface HttpRuntime {
  fetch: typeof globalThis.fetch;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /** Milliseconds clock of the circuit breaker. */
  now: () => number;
}

const DEFAULT_BACKOFF = { baseMs: 100, maxMs: 2_000 };

/**
 * Calls one source's verification service with a per-attempt timeout, retries with
 * backoff, and its own circuit breaker (only timeouts, network errors, 5xx and malformed
 * answers count against it). Throws DataSourceError; CircuitOpen while the circuit is open.
 */
export class HttpVerificationAdapter implements DataSourceAdapter {
  private readonly url: string;
  private readonly breaker: CircuitBreaker;
  private readonly runtime: Omit<HttpRuntime, 'now'>;

  constructor(
    sourceId: string,
    private readonly config: HttpSourceConfig,
    runtime: Partial<HttpRuntime> = {},
  ) {
    this.url = `${config.baseUrl.replace(/\/+$/, '')}/verify`;
    // A raw ID travels in the body: refuse a service it may not go to when the adapter is built, before any call.
    const problem = outboundUrlProblem(this.url, { development: config.development === true });
    if (problem) throw new RangeError(`verification service of ${sourceId}: ${problem}`);
    this.runtime = {
      fetch: runtime.fetch ?? globalThis.fetch,
      sleep: runtime.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      random: runtime.random ?? Math.random,
    };
    this.breaker = new CircuitBreaker(sourceId, {
      ...config.breaker,
      now: runtime.now,
      isFailure: (error) => !(error instanceof DataSourceError) || error.tripsCircuit,
    });
  }

  /** The breaker's state, for health pages and tests. */
  get circuitState(): CircuitState {
    return this.breaker.state;
  }

  async fetch(request: SourceRequest): Promise<SourceAnswer> {
    const backoff = this.config.backoff ?? DEFAULT_BACKOFF;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.breaker.execute(() => this.attempt(request));
      } catch (error) {
        const failure = asSourceError(error, request.source.id);
        if (!failure.retryable || attempt >= this.config.retries) throw failure;
        const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** attempt);
        await this.runtime.sleep(Math.floor(this.runtime.random() * ceiling));
      }
    }
  }

  private async attempt({ source, idValue, columns }: SourceRequest): Promise<SourceAnswer> {
    const body = JSON.stringify({ source: source.id, subject: { [idFieldOf(source)]: idValue }, fields: columns });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.config.timeoutMs);
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
      const { auth } = this.config;
      if (auth) {
        headers[VERIFICATION_CLIENT_HEADER] = auth.clientId;
        headers[VERIFICATION_SIGNATURE_HEADER] = signBody(auth.key, Math.floor(Date.now() / 1000), body);
      }
      const response = await this.runtime.fetch(this.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'error',
        signal: controller.signal,
      });
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        const code = response.status >= 500 ? 'ServerError' : 'ClientError';
        throw new DataSourceError(code, source.id, `verification service answered HTTP ${response.status}`);
      }
      let payload: unknown;
      try {
        payload = await response.json();
      } catch (error) {
        if (controller.signal.aborted) throw error;
      }
      return parseAnswer(payload, columns, source.id);
    } catch (error) {
      if (error instanceof DataSourceError) throw error;
      if (controller.signal.aborted) {
        throw new DataSourceError(
          'Timeout',
          source.id,
          `verification service did not answer within ${this.config.timeoutMs} ms`,
        );
      }
      throw new DataSourceError(
        'Network',
        source.id,
        `verification service unreachable (${error instanceof Error ? error.name : 'error'})`,
      );
    } finally {
      clearTimeout(timer);
    }
  }
}

function asSourceError(error: unknown, sourceId: string): DataSourceError {
  if (error instanceof DataSourceError) return error;
  if (error instanceof CircuitOpenError) return new DataSourceError('CircuitOpen', sourceId, error.message);
  return new DataSourceError(
    'Network',
    sourceId,
    `verification call failed (${error instanceof Error ? error.name : 'error'})`,
  );
}

function parseAnswer(payload: unknown, columns: readonly string[], sourceId: string): SourceAnswer {
  if (typeof payload !== 'object' || payload === null || typeof (payload as { found?: unknown }).found !== 'boolean') {
    throw new DataSourceError('BadResponse', sourceId, 'verification service answered without a boolean "found"');
  }
  const { found, values } = payload as { found: boolean; values?: unknown };
  if (!found) return { found: false, values: {} };
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new DataSourceError('BadResponse', sourceId, 'verification service answered found without a "values" object');
  }
  return { found: true, values: pickColumns(values as Record<string, unknown>, columns) };
}
