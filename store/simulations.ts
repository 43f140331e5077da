/**
 * The latest impact simulation of each policy version, kept so its full result (counts,
 * breakdowns, winners and losers) outlives the API process that ran it. `_id` is
 * `<policyId>@<version>`: a new simulation of the version replaces the last one. The view is
 * kept as JSON text, as policy documents are: it is read whole and never queried inside.
 */
import type { Connection } from 'mongoose';

interface SimulationRecord {
  _id: string;
  /** The content hash of the version simulated. */
  hash: string;
  at: Date;
  /** The API's view of the finished (or failed) simulation, as JSON text. */
  view: string;
}

const collection = (store: Connection) => store.db!.collection<SimulationRecord>('policy_simulations');

/** Keeps a finished or failed simulation as the version's latest. */
export async function saveSimulation(store: Connection, id: string, hash: string, view: object, at: Date): Promise<void> {
  await collection(store).replaceOne({ _id: id }, { hash, at, view: JSON.stringify(view) }, { upsert: true });
}

/** The version's latest kept simulation, if any. */
export async function loadSimulation<View>(store: Connection, id: string): Promise<{ hash: string; at: Date; view: View } | undefined> {
  const record = await collection(store).findOne({ _id: id });
  return record ? { hash: record.hash, at: record.at, view: JSON.parse(record.view) as View } : undefined;
}
