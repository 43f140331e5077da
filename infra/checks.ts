/**
 * One answer-check per server, shared by stack start-up (is it ready?), `stack status`
 * and the API's health endpoint (is it up?). Each opens a short-lived connection and
 * rejects with the server's own error when it does not answer in time.
 */
import { Connection } from '@temporalio/client';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { temporalConnectOptions, type TemporalAccess } from './temporal-connection.js';

async function withTimeout<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Temporal answers when the namespace can be described through the frontend, reached as `access`
 * says (TLS, API key; absent, plain gRPC): a check passes only over the way the deployment connects.
 */
export async function checkTemporal(
  address: string,
  namespace: string,
  timeoutMs = 3000,
  access?: TemporalAccess,
): Promise<void> {
  const connection = await withTimeout(
    'Temporal',
    timeoutMs,
    Connection.connect({ ...temporalConnectOptions(address, access), connectTimeout: timeoutMs }),
  );
  try {
    await withTimeout('Temporal', timeoutMs, connection.workflowService.describeNamespace({ namespace }));
  } finally {
    await connection.close();
  }
}

/** The MongoDB-wire database answers a ping. */
export async function checkMongo(uri: string, timeoutMs = 3000): Promise<void> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs });
  try {
    await withTimeout('MongoDB', timeoutMs + 500, client.db('admin').command({ ping: 1 }));
  } finally {
    await client.close();
  }
}

/** Redis answers PING with PONG. */
export async function checkRedis(url: string, timeoutMs = 3000): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await withTimeout('Redis', timeoutMs, redis.connect());
    const pong = await withTimeout('Redis', timeoutMs, redis.ping());
    if (pong !== 'PONG') throw new Error(`Redis answered PING with ${pong}`);
  } finally {
    redis.disconnect();
  }
}

/** Resolves true/false instead of throwing: for readiness polling. */
export function answers(check: () => Promise<void>): Promise<boolean> {
  return check().then(
    () => true,
    () => false,
  );
}

/**
 * The same checks through clients a process already holds (the API's readiness, GET /health):
 * no connection is opened per check.
 */
export const pingTemporal = (
  connection: { workflowService: { describeNamespace(request: { namespace: string }): Promise<unknown> } },
  namespace: string,
  timeoutMs = 3000,
): Promise<void> =>
  withTimeout('Temporal', timeoutMs, connection.workflowService.describeNamespace({ namespace })).then(() => undefined);

/** The MongoDB-wire database answers a ping on an open connection (mongoose's `connection.db`). */
export async function pingMongo(db: { command(command: object): Promise<unknown> } | undefined, timeoutMs = 3000) {
  if (!db) throw new Error('MongoDB: the connection is not open');
  await withTimeout('MongoDB', timeoutMs, db.command({ ping: 1 }));
}

/** An open Redis client answers PING with PONG. */
export async function pingRedis(redis: { ping(): Promise<string> }, timeoutMs = 3000): Promise<void> {
  const pong = await withTimeout('Redis', timeoutMs, redis.ping());
  if (pong !== 'PONG') throw new Error(`Redis answered PING with ${pong}`);
}
