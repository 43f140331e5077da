/**
 * Opens the system of record. Works against FerretDB (embedded) and MongoDB 6+
 * (production) alike: no multi-document transactions, idempotency by unique indexes.
 */
import mongoose, { type Connection } from 'mongoose';
import { registerAccessRecordModel } from './access-records.js';
import { registerCaseReadModel } from './case-reads.js';
import { registerEntitlementModels } from './entitlements.js';
import { buildIndexes } from './indexes.js';
import { registerModels } from './models.js';
import { registerPayrollModels } from './payroll.js';
import { registerLedgerModel } from './ledger.js';
import { registerProgrammeAccessModel } from './programme-access.js';
import { registerStopModel } from './stops.js';
import { registerSubjectModel } from './subjects.js';
import { registerSealModel } from './seals.js';
import { registerCertificateModel } from './certificates.js';

export interface StoreOptions {
  /** Time to wait for the server before failing (ms). */
  serverSelectionTimeoutMS?: number;
  /** Emit the driver's command events (`getClient().on('commandStarted')`): `npm run bench -- case-path` counts them. */
  monitorCommands?: boolean;
}

/** Connects, registers every model and makes sure their indexes exist. */
export async function connectStore(uri: string, options: StoreOptions = {}): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 10_000,
    autoIndex: false,
    ...(options.monitorCommands ? { monitorCommands: true } : {}),
  });
  await connection.asPromise();
  // Unique indexes carry idempotency (no transactions): every model's exist before any write.
  const models = [
    ...Object.values(registerModels(connection)),
    registerAccessRecordModel(connection),
    registerProgrammeAccessModel(connection),
    registerCaseReadModel(connection),
    registerSubjectModel(connection),
    ...Object.values(registerEntitlementModels(connection)),
    ...Object.values(registerPayrollModels(connection)),
    registerStopModel(connection),
    registerLedgerModel(connection),
    registerSealModel(connection),
    registerCertificateModel(connection),
  ];
  await Promise.all(models.map((model) => buildIndexes(model)));
  return connection;
}
