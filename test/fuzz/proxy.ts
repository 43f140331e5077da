/**
 * A proxy in front of the API for one caller of the fuzz run: it adds the caller's credential to
 * every request Schemathesis makes (a bearer token, or a department's signature over the request
 * as it is sent), forwards it, and reads every answer on the way back — counting requests and
 * server errors, and looking for a resident ID or credit code (domain/identity.ts findIdentifiers).
 */
import { createServer, request as forward, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signDepartmentRequest, type DepartmentCredential } from '../../domain/department-signature.js';
import { findIdentifiers } from '../../domain/identity.js';

/** Who the proxy speaks for. */
export type FuzzCredential = { token: string } | { department: DepartmentCredential } | Record<string, never>;

/** A finding worth failing the run for. */
export interface FuzzFinding {
  method: string;
  path: string;
  status: number;
  /** `5xx`, or the kind of identifier found in the answer (masked). */
  what: string;
}

export interface FuzzTally {
  requests: number;
  /** Requests the proxy could not send on as they were (a method or header Node's HTTP client refuses): the API never saw them. */
  undelivered: number;
  undeliveredReasons: Record<string, number>;
  serverErrors: number;
  identifiers: number;
  statuses: Record<string, number>;
  findings: FuzzFinding[];
}

/** The one answer allowed to carry an identifier: the logged unmask a supervisor asked for with a reason. */
const MAY_REVEAL = /^\/cases\/[^/]+\/unmask$/;

async function bodyOf(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Starts the proxy on a free loopback port; `close` stops it. */
export async function startFuzzProxy(
  target: string,
  credential: FuzzCredential,
): Promise<{ url: string; tally: FuzzTally; close(): Promise<void> }> {
  const tally: FuzzTally = {
    requests: 0,
    undelivered: 0,
    undeliveredReasons: {},
    serverErrors: 0,
    identifiers: 0,
    statuses: {},
    findings: [],
  };
  const server: Server = createServer((request, reply) => {
    void (async () => {
      const method = request.method ?? 'GET';
      const path = request.url ?? '/';
      const body = await bodyOf(request);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        // The proxy's own host must not reach the API's Host check; the length is fetch's to set.
        if (value === undefined || ['host', 'connection', 'content-length', 'authorization'].includes(name)) continue;
        headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      if ('token' in credential) headers.authorization = `Bearer ${credential.token}`;
      if ('department' in credential)
        Object.assign(headers, signDepartmentRequest(credential.department, { method, path, body }));
      let status = 502;
      let answer: Buffer = Buffer.alloc(0);
      let answerHeaders: Record<string, string | string[]> = {};
      try {
        // node:http, not fetch: Schemathesis also tries methods fetch refuses to send (TRACE). A connection
        // of its own per request: on a kept-alive one the server may close after answering a malformed
        // request, and the next request sent on it would be reset through no fault of its own.
        const response = await new Promise<IncomingMessage>((resolve, reject) => {
          const upstream = forward(`${target}${path}`, { method, headers, agent: false }, resolve);
          upstream.on('error', reject);
          upstream.end(method === 'GET' || method === 'HEAD' ? undefined : body);
        });
        status = response.statusCode ?? 502;
        answer = await bodyOf(response);
        answerHeaders = Object.fromEntries(
          Object.entries(response.headers).filter(
            (entry): entry is [string, string | string[]] =>
              entry[1] !== undefined && !['content-length', 'transfer-encoding', 'connection'].includes(entry[0]),
          ),
        );
      } catch (error) {
        const reason = (error as NodeJS.ErrnoException).code ?? String(error);
        tally.undelivered += 1;
        tally.undeliveredReasons[reason] = (tally.undeliveredReasons[reason] ?? 0) + 1;
        reply.writeHead(502, { 'content-type': 'application/json' });
        reply.end(JSON.stringify({ code: 'PROXY_FAILED', message: reason }));
        return;
      }
      tally.requests += 1;
      tally.statuses[String(status)] = (tally.statuses[String(status)] ?? 0) + 1;
      const where = path.split('?')[0];
      if (status >= 500) {
        tally.serverErrors += 1;
        tally.findings.push({ method, path: where, status, what: '5xx' });
      }
      if (!MAY_REVEAL.test(where))
        for (const found of findIdentifiers(answer.toString('utf8'))) {
          tally.identifiers += 1;
          tally.findings.push({ method, path: where, status, what: `${found.kind} ${found.masked}` });
        }
      reply.writeHead(status, answerHeaders);
      reply.end(answer);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tally,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
