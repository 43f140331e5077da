/**
 * Temporal over TLS on the real stack. The dev server speaks plain gRPC only, so the test puts a
 * TLS-terminating front before it — a Node TLS server that asks every client for a certificate
 * signed by a throw-away CA (mTLS), offers h2 by ALPN, and pipes each accepted connection to the
 * dev server — and reaches Temporal through it with the deployment's own configuration
 * (loadConfig over TEMPORAL_TLS_*) and connection options (temporalConnectOptions): the client
 * of @temporalio/client (grpc-js), the worker's NativeConnection (the Rust core), the health check
 * and `npm run worker`. Both clients offer h2 by ALPN and check the certificate's IP address SAN;
 * grpc-js also sends the IP as SNI, which Node answers with its DEP0123 warning once (a deployment's
 * TEMPORAL_ADDRESS names a host).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { connect as connectTcp, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Connection as MongooseConnection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../activities/index.js';
import { answers, checkTemporal } from '../infra/checks.js';
import { temporalConnectOptions, type TemporalAccess } from '../infra/temporal-connection.js';
import { openNoticeQueues, type NoticeQueues } from '../notices/queues.js';
import { staticPolicySource } from '../rules/policy-source.js';
import { connectStore } from '../store/connection.js';
import { loadConfig, type Config } from '../workers/config.js';
import { createTemporalWorker, type TemporalWorker } from '../workers/temporal-worker.js';
import { stackProbeWorkflowId } from '../workflows/contracts/index.js';
import { stackProbe } from '../workflows/stack-probe.js';
import { TEST_SECRET } from './support/city.js';
import { freePort } from './support/free-port.js';
import { finished, runEntry } from './support/run-node.js';
import { productionBundle, uniqueTaskQueue } from './support/temporal.js';
import { makeTlsFiles, serverCertificate, type TlsFiles } from './support/tls-files.js';

const stack = inject('stack');
/** How long a connection that should be refused is given: grpc-js retries a failed handshake until this deadline. */
const REFUSAL_MS = 2_000;

interface TlsFront {
  /** host:port of the front, for TEMPORAL_ADDRESS. */
  address: string;
  /** Each connection let through: the protocol agreed by ALPN and the client certificate's CN. */
  accepted: Array<{ alpn: string | false | null; client?: string }>;
  /** Why each refused handshake failed, as the TLS server says it. */
  refused: string[];
  close(): Promise<void>;
}

/** An mTLS front for the plain gRPC server at `upstream` (host:port), with the given server certificate. */
async function startTlsFront(
  files: TlsFiles,
  upstream: string,
  server = { cert: files.serverCert, key: files.serverKey },
) {
  const split = upstream.lastIndexOf(':');
  const [host, port] = [upstream.slice(0, split), Number(upstream.slice(split + 1))];
  const sockets = new Set<Socket>();
  const front: Omit<TlsFront, 'address' | 'close'> = { accepted: [], refused: [] };
  const tls = createTlsServer(
    {
      cert: readFileSync(server.cert),
      key: readFileSync(server.key),
      ca: readFileSync(files.ca),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (socket: TLSSocket) => {
      front.accepted.push({ alpn: socket.alpnProtocol, client: String(socket.getPeerCertificate().subject?.CN) });
      const backend = connectTcp(port, host);
      sockets.add(backend);
      const end = () => {
        socket.destroy();
        backend.destroy();
      };
      for (const side of [socket, backend]) side.on('error', end).on('close', end);
      socket.pipe(backend).pipe(socket);
    },
  );
  tls.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  tls.on('tlsClientError', (error) => front.refused.push(error.message));
  await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
  const { port: frontPort } = tls.address() as { port: number };
  return {
    ...front,
    address: `127.0.0.1:${frontPort}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => tls.close(resolve));
    },
  } satisfies TlsFront;
}

let files: TlsFiles;
let front: TlsFront;
/** The deployment's configuration: TEMPORAL_ADDRESS is the front, with the CA and the client certificate pair. */
let config: Config;
/** The same without the client certificate pair: TLS, but no mTLS. */
let withoutCertificate: Config;
let store: MongooseConnection;
let noticeQueues: NoticeQueues;
const opened: Array<{ close(): Promise<unknown> }> = [];

beforeAll(async () => {
  files = makeTlsFiles();
  front = await startTlsFront(files, stack.temporalAddress);
  const env = {
    TEMPORAL_ADDRESS: front.address,
    TEMPORAL_NAMESPACE: stack.temporalNamespace,
    TEMPORAL_TLS_CA: files.ca,
  };
  config = loadConfig({ ...env, TEMPORAL_TLS_CERT: files.clientCert, TEMPORAL_TLS_KEY: files.clientKey });
  withoutCertificate = loadConfig(env);
});

afterAll(async () => {
  for (const connection of opened.reverse()) await connection.close().catch(() => undefined);
  await noticeQueues?.close();
  await store?.close();
  await front?.close();
  if (files) rmSync(files.dir, { recursive: true, force: true });
});

/** Connection.connect with the configuration's options, closed after the file. */
async function connectClient(settings: Config, extra: { connectTimeout?: number } = {}): Promise<Connection> {
  const connection = await Connection.connect({
    ...temporalConnectOptions(settings.temporalAddress!, settings.temporalAccess),
    ...extra,
  });
  opened.push(connection);
  return connection;
}

describe('Temporal over TLS, through an mTLS front for the dev server', () => {
  it('a client with the certificate pair describes the namespace, over h2, its certificate checked by the front', async () => {
    const connection = await connectClient(config);
    const { namespaceInfo } = await connection.workflowService.describeNamespace({
      namespace: stack.temporalNamespace,
    });
    expect(namespaceInfo?.name).toBe(stack.temporalNamespace);
    expect(front.accepted).toContainEqual({ alpn: 'h2', client: 'applyfree worker' });
  });

  it('a worker on a NativeConnection polls through the front and completes a workflow a TLS client started', async () => {
    store = await connectStore(stack.mongodbUri);
    const taskQueue = uniqueTaskQueue('tls');
    noticeQueues = openNoticeQueues({ redisUrl: stack.redisUrl, webhook: false, prefix: `test-${taskQueue}` });
    const accepted = front.accepted.length;
    const worker: TemporalWorker = await createTemporalWorker({
      address: config.temporalAddress!,
      access: config.temporalAccess,
      namespace: config.temporalNamespace,
      taskQueue,
      activities: createActivities({
        store,
        noticeQueues,
        policies: staticPolicySource([]),
        subjectKeySecret: TEST_SECRET,
      }),
      workflowBundle: await productionBundle(),
    });
    opened.push({ close: () => worker.shutdown() });
    // The Rust core connected through the front (it asks for the server's system info on connect).
    expect(front.accepted.length).toBeGreaterThan(accepted);
    void worker.run();

    const client = new Client({ connection: await connectClient(config), namespace: config.temporalNamespace });
    const probeId = randomUUID();
    const result = await client.workflow.execute(stackProbe, {
      workflowId: stackProbeWorkflowId(probeId),
      taskQueue,
      args: [{ probeId, requestedBy: 'temporal-tls test' }],
    });
    expect(result).toMatchObject({ probeId, created: true });
    expect(front.accepted.every(({ alpn, client: name }) => alpn === 'h2' && name === 'applyfree worker')).toBe(true);
  });

  it('refuses a client and a worker connection without the client certificate', async () => {
    const refused = front.refused.length;
    // grpc-js retries the handshake until its deadline: its refusal reads "Failed to connect before the deadline".
    await expect(
      connectClient(withoutCertificate, { connectTimeout: REFUSAL_MS }).then((connection) =>
        connection.workflowService.describeNamespace({ namespace: stack.temporalNamespace }),
      ),
    ).rejects.toThrow();
    // The Rust core says why when the front's alert reaches it first; under TLS 1.3 the client may
    // finish its half of the handshake before the alert arrives, and then it reads a closed
    // connection, or writes its first request into one (a broken pipe). Why it was refused is
    // asserted below, from the front's side.
    await expect(
      NativeConnection.connect(
        temporalConnectOptions(withoutCertificate.temporalAddress!, withoutCertificate.temporalAccess),
      ),
    ).rejects.toThrow(/CertificateRequired|connection closed|broken pipe/);
    // Both refused by the front's certificate check, not lost on the way.
    const reasons = front.refused.slice(refused);
    expect(reasons.length).toBeGreaterThanOrEqual(2);
    expect(reasons.every((reason) => reason.includes('peer did not return a certificate'))).toBe(true);
  });

  it('the health check reports Temporal up through TLS, and down without the client certificate or without TLS', async () => {
    const { temporalAddress, temporalNamespace } = config;
    await expect(checkTemporal(temporalAddress!, temporalNamespace, 5_000, config.temporalAccess)).resolves.toBe(
      undefined,
    );
    const down = (access?: TemporalAccess) =>
      answers(() => checkTemporal(temporalAddress!, temporalNamespace, REFUSAL_MS, access)).then((up) => !up);
    expect(await down(withoutCertificate.temporalAccess)).toBe(true);
    // Plain gRPC to the TLS port (no TEMPORAL_TLS settings): down as well, never a silent fallback.
    expect(await down(undefined)).toBe(true);
  });

  it('checks the server name: TEMPORAL_TLS_SERVER_NAME reaches a frontend whose certificate names another host', async () => {
    // Same CA, but the certificate names temporal-frontend.city.test only, not 127.0.0.1.
    const named = await startTlsFront(
      files,
      stack.temporalAddress,
      serverCertificate(files.dir, 'named', ['DNS:temporal-frontend.city.test']),
    );
    opened.push(named);
    const env = {
      TEMPORAL_ADDRESS: named.address,
      TEMPORAL_TLS_CA: files.ca,
      TEMPORAL_TLS_CERT: files.clientCert,
      TEMPORAL_TLS_KEY: files.clientKey,
    };
    const unnamed = loadConfig(env).temporalAccess;
    expect(await answers(() => checkTemporal(named.address, stack.temporalNamespace, REFUSAL_MS, unnamed))).toBe(false);
    await expect(NativeConnection.connect(temporalConnectOptions(named.address, unnamed))).rejects.toThrow(
      /NotValidForName/,
    );
    expect(named.accepted).toEqual([]);

    const overridden = loadConfig({ ...env, TEMPORAL_TLS_SERVER_NAME: 'temporal-frontend.city.test' }).temporalAccess;
    await expect(checkTemporal(named.address, stack.temporalNamespace, 5_000, overridden)).resolves.toBeUndefined();
    opened.push(await NativeConnection.connect(temporalConnectOptions(named.address, overridden)));
    expect(named.accepted.length).toBeGreaterThanOrEqual(2);
  });

  it('npm run worker reaches Temporal over mTLS from its environment alone, then stops at a closed Redis', async () => {
    const accepted = front.accepted.length;
    const closed = await freePort();
    const { code, stderr } = await finished(
      runEntry('workers/worker-cli.ts', [], {
        TEMPORAL_ADDRESS: front.address,
        TEMPORAL_NAMESPACE: stack.temporalNamespace,
        TEMPORAL_TLS_CA: files.ca,
        TEMPORAL_TLS_CERT: files.clientCert,
        TEMPORAL_TLS_KEY: files.clientKey,
        MONGODB_URI: stack.mongodbUri,
        REDIS_URL: `redis://127.0.0.1:${closed}`,
        APPLYFREE_MODE: 'development',
        CI: '1',
      }),
    );
    expect(code).toBe(1);
    // Temporal and MongoDB answered; the check of Temporal went through the front with the client certificate.
    expect(stderr).not.toContain('Temporal at');
    expect(stderr).toContain(`Redis at redis://127.0.0.1:${closed} does not answer`);
    expect(front.accepted.slice(accepted)).toContainEqual({ alpn: 'h2', client: 'applyfree worker' });
  });

  it('npm run worker refuses to start when a TLS file cannot be read: one line naming the variable', async () => {
    const missing = join(files.dir, 'missing-ca.pem');
    const { code, stdout, stderr } = await finished(
      runEntry('workers/worker-cli.ts', [], {
        TEMPORAL_ADDRESS: front.address,
        TEMPORAL_TLS_CA: missing,
        MONGODB_URI: stack.mongodbUri,
        REDIS_URL: stack.redisUrl,
        APPLYFREE_MODE: 'development',
        CI: '1',
      }),
    );
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      `applyfree worker: TEMPORAL_TLS_CA: cannot read "${missing}" (no such file)`,
    ]);
    expect(stdout).toBe('');
  });
});
