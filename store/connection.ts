/**
 * Opens the system of record. Works against FerretDB (embedded) and MongoDB 6+
 * (production) alike: no multi-document transactions, idempotency by unique indexes.
 */
import mongoose, { type Connection } from 'mongoose';
import { registerModels } from './models.js';

export interface StoreOptions {
  /** Time to wait for the server before failing (ms). */
  serverSelectionTimeoutMS?: number;
}

/** Connects, registers every model and makes sure their indexes exist. */
export async function connectStore(uri: string, options: StoreOptions = {}): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 10_000,
    autoIndex: false,
  });
  await connection.asPromise();
  const models = registerModels(connection);
  await Promise.all(Object.values(models).map((model) => model.createIndexes()));
  return connection;
}
