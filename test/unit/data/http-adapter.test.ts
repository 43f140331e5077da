import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpVerificationAdapter, type HttpSourceConfig } from '../../../activities/shared-data/adapters.js';
import {
  VERIFICATION_CLIENT_HEADER,
  VERIFICATION_SIGNATURE_HEADER,
} from '../../../activities/shared-data/http-verification.js';
import { DataSourceError } from '../../../activities/shared-data/errors.js';
import { findSource, type DataSource } from '../../../domain/sources.js';
import { deriveKey } from '../../../domain/keys.js';
import { verifySignedBody } from '../../../domain/signature.js';

const ID = '371402195003101234';
const socialInsurance = findSource('social-insurance') as DataSource;
const tax = findSource('tax') as DataSource;
const columns = ['employmentStatus', 'retiredOn'];

/** What the department's server does next: one scripted behaviour per request, then `fallback`. */
type Behaviour = 'hang' | { status: number; body?: unknown };
let script: Behaviour[] = [];
let fallback: Behaviour = {
  status: 200,
  body: { found: true, values: { employmentStatus: 'retired', retiredOn: '2010-03-31' } },
};
let received: Array<{ url?: string; body: unknown }> = [];
/** The raw body and headers of each request, for the signature checks; where /verify redirects to, when set. */
let redirectTo: string | undefined;
let rawRequests: Array<{ body: string; headers: IncomingMessage['headers'] }> = [];
let server: Server;
let baseUrl: string;

function handle(req: IncomingMessage, res: ServerResponse): void {
  let raw = '';
  req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
  req.on('end', () => {
    received.push({ url: req.url, body: JSON.parse(raw) });
    rawRequests.push({ body: raw, headers: req.headers });
    if (req.url === '/verify' && redirectTo) {
      res.writeHead(307, { location: `${baseUrl}${redirectTo}` }).end();
      return;
    }
    const behaviour = script.shift() ?? fallback;
    if (behaviour === 'hang') return; // never answers; the client's timeout must fire
    res.writeHead(behaviour.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(behaviour.body ?? { error: `echo of ${raw}` }));
  });
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  script = [];
  received = [];
  rawRequests = [];
  redirectTo = undefined;
});

/** An adapter whose backoff sleeps are recorded instead of waited, with a hand-stepped clock. */
function adapterFor(overrides: Partial<HttpSourceConfig> = {}, clock = { t: 0 }) {
  const sleeps: number[] = [];
  const config: HttpSourceConfig = {
    baseUrl,
    timeoutMs: 2_000,
    retries: 2,
    breaker: { failureThreshold: 50, cooldownMs: 60_000 },
    backoff: { baseMs: 100, maxMs: 1_000 },
    // The department's stub runs on loopback over plain http: allowed in development only.
    development: true,
    ...overrides,
  };
  const adapter = new HttpVerificationAdapter('social-insurance', config, {
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    now: () => clock.t,
  });
  return { adapter, sleeps, clock };
}

describe('HTTP verification adapter (证明核验接口) against a real HTTP server', () => {
  it('posts the documented contract to /verify and keeps only the requested columns', async () => {
    fallback = {
      status: 200,
      body: { found: true, values: { employmentStatus: 'retired', retiredOn: '2010-03-31', salary: 9000 } },
    };
    const { adapter } = adapterFor();
    const answer = await adapter.fetch({ source: socialInsurance, idValue: ID, columns });
    expect(answer).toEqual({ found: true, values: { employmentStatus: 'retired', retiredOn: '2010-03-31' } });
    expect(received).toEqual([
      { url: '/verify', body: { source: 'social-insurance', subject: { idNumber: ID }, fields: columns } },
    ]);
  });

  it('sends a credit code for enterprise sources and passes on a "no record" answer', async () => {
    script = [{ status: 200, body: { found: false } }];
    const { adapter } = adapterFor();
    const answer = await adapter.fetch({ source: tax, idValue: '91371400MA3C1234XY', columns: ['taxCreditRating'] });
    expect(answer).toEqual({ found: false, values: {} });
    expect(received[0].body).toMatchObject({ subject: { creditCode: '91371400MA3C1234XY' } });
  });

  it('times out a request that hangs, retries after a backoff, and succeeds', async () => {
    fallback = { status: 200, body: { found: true, values: { employmentStatus: 'employed' } } };
    script = ['hang'];
    const { adapter, sleeps } = adapterFor({ timeoutMs: 200 });
    const answer = await adapter.fetch({ source: socialInsurance, idValue: ID, columns });
    expect(answer).toEqual({ found: true, values: { employmentStatus: 'employed' } });
    expect(received).toHaveLength(2);
    expect(sleeps).toEqual([50]);
  });

  it('retries 5xx with exponential backoff and full jitter, then fails with ServerError', async () => {
    script = [{ status: 503 }, { status: 502 }, { status: 500 }];
    const { adapter, sleeps } = adapterFor({ retries: 2 });
    const failure = await adapter.fetch({ source: socialInsurance, idValue: ID, columns }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DataSourceError);
    expect(failure).toMatchObject({ code: 'ServerError', sourceId: 'social-insurance' });
    expect(received).toHaveLength(3);
    expect(sleeps).toEqual([50, 100]); // random 0.5 × 100·2^0, 0.5 × 100·2^1
  });

  it('does not retry a 4xx, and never puts the ID or the echoed body into the error', async () => {
    script = [{ status: 422 }];
    const { adapter, sleeps } = adapterFor({ retries: 3 });
    const failure = await adapter.fetch({ source: socialInsurance, idValue: ID, columns }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'ClientError', retryable: false });
    expect(received).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(String((failure as Error).message)).not.toContain(ID);
  });

  it('fails a malformed answer as BadResponse', async () => {
    script = [{ status: 200, body: { ok: true } }];
    const { adapter } = adapterFor({ retries: 0 });
    await expect(adapter.fetch({ source: socialInsurance, idValue: ID, columns })).rejects.toMatchObject({
      code: 'BadResponse',
    });
  });

  it('fails with Network when nothing listens, without retrying forever', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { adapter, sleeps } = adapterFor({ baseUrl: `http://127.0.0.1:${port}`, retries: 1 });
    await expect(adapter.fetch({ source: socialInsurance, idValue: ID, columns })).rejects.toMatchObject({
      code: 'Network',
    });
    expect(sleeps).toHaveLength(1);
  });

  it('opens the circuit after N failures, fails fast without calling, half-opens after the cooldown', async () => {
    fallback = { status: 200, body: { found: true, values: { employmentStatus: 'employed' } } };
    script = [{ status: 500 }, { status: 500 }, { status: 500 }];
    const { adapter, clock } = adapterFor({ retries: 0, breaker: { failureThreshold: 3, cooldownMs: 30_000 } });
    const request = { source: socialInsurance, idValue: ID, columns };
    for (let i = 0; i < 3; i += 1) await expect(adapter.fetch(request)).rejects.toMatchObject({ code: 'ServerError' });
    expect(adapter.circuitState).toBe('open');

    await expect(adapter.fetch(request)).rejects.toMatchObject({ code: 'CircuitOpen', retryable: false });
    expect(received).toHaveLength(3); // the open circuit did not call the department

    clock.t += 30_000;
    expect(adapter.circuitState).toBe('half-open');
    await expect(adapter.fetch(request)).resolves.toEqual({ found: true, values: { employmentStatus: 'employed' } });
    expect(adapter.circuitState).toBe('closed');
    expect(received).toHaveLength(4);
  });

  it('does not let 4xx answers open the circuit: the department is up', async () => {
    script = [{ status: 400 }, { status: 400 }, { status: 400 }];
    const { adapter } = adapterFor({ retries: 0, breaker: { failureThreshold: 2, cooldownMs: 30_000 } });
    for (let i = 0; i < 3; i += 1) {
      await expect(adapter.fetch({ source: socialInsurance, idValue: ID, columns })).rejects.toMatchObject({
        code: 'ClientError',
      });
    }
    expect(adapter.circuitState).toBe('closed');
  });
});

describe('HTTP verification adapter: transport and caller authentication (S23)', () => {
  const departmentKey = deriveKey(
    'the-deployment-master-secret-of-40-chars',
    'departmentCredential',
    'social-insurance',
  );

  it('refuses plain http outside development, and outside loopback in development, before any call', () => {
    const config = { timeoutMs: 1_000, retries: 0, breaker: { failureThreshold: 5, cooldownMs: 1_000 } };
    expect(() => new HttpVerificationAdapter('social-insurance', { ...config, baseUrl })).toThrow(
      /verification service of social-insurance: must be https outside development/,
    );
    expect(
      () =>
        new HttpVerificationAdapter('social-insurance', {
          ...config,
          baseUrl: 'http://si.city.internal',
          development: true,
        }),
    ).toThrow(/only to this machine/);
    expect(
      () => new HttpVerificationAdapter('social-insurance', { ...config, baseUrl: 'https://si.city.internal' }),
    ).not.toThrow();
    expect(received).toEqual([]);
  });

  it('does not follow a redirect: the raw ID never reaches the other address', async () => {
    redirectTo = '/elsewhere';
    const { adapter } = adapterFor({ retries: 0 });
    await expect(adapter.fetch({ source: socialInsurance, idValue: ID, columns })).rejects.toBeInstanceOf(
      DataSourceError,
    );
    expect(received.map((r) => r.url)).toEqual(['/verify']);
  });

  it('signs each request with the department key, so the department can check who calls and what was sent', async () => {
    const { adapter } = adapterFor({ auth: { clientId: 'applyfree-dezhou', key: departmentKey } });
    await adapter.fetch({ source: socialInsurance, idValue: ID, columns });
    const [{ body, headers }] = rawRequests;
    expect(headers[VERIFICATION_CLIENT_HEADER]).toBe('applyfree-dezhou');
    const signature = headers[VERIFICATION_SIGNATURE_HEADER] as string;
    expect(verifySignedBody(departmentKey, signature, body)).toBe(true);
    expect(verifySignedBody(departmentKey, signature, body.replace(ID, '371402195003101242'))).toBe(false);
    const otherDepartment = deriveKey('the-deployment-master-secret-of-40-chars', 'departmentCredential', 'tax');
    expect(verifySignedBody(otherDepartment, signature, body)).toBe(false);
  });

  it('sends no signature headers without auth', async () => {
    const { adapter } = adapterFor();
    await adapter.fetch({ source: socialInsurance, idValue: ID, columns });
    expect(rawRequests[0].headers[VERIFICATION_SIGNATURE_HEADER]).toBeUndefined();
  });
});
