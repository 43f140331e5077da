/**
 * The latest impact simulation of each policy version, kept so its progress and full result
 * (counts, breakdowns, winners and losers) outlive the API process that ran it. `_id` is
 * `<policyId>@<version>`: a new simulation of the version replaces the last one. `run` names
 * the attempt, so a late progress write of an attempt that was replaced lands nowhere. The view
 * is kept as JSON text, as policy documents are: it is read whole and never queried inside.
 */
import type { Connection } from 'mongoose';

interface SimulationRecord {
  _id: string;
  /** The content hash of the version simulated. */
  hash: string;
  /** When the view was last written: a running simulation writes its progress at least this often. */
  at: Date;
  /** The attempt that wrote it. */
  run: string;
  /** The API's view of the simulation (running, done or failed), as JSON text. */
  view: string;
}

export interface KeptSimulation<View> {
  hash: string;
  at: Date;
  run: string;
  view: View;
}

const collection = (store: Connection) => store.db!.collection<SimulationRecord>('policy_simulations');

/** Keeps a new attempt's first view as the version's latest simulation, replacing any earlier attempt. */
export async function saveSimulation(
  store: Connection,
  id: string,
  run: string,
  hash: string,
  view: object,
  at: Date,
): Promise<void> {
  await collection(store).replaceOne({ _id: id }, { hash, at, run, view: JSON.stringify(view) }, { upsert: true });
}

/** Writes an attempt's later view (progress, result, failure), unless a later attempt has replaced it. */
export async function updateSimulation(
  store: Connection,
  id: string,
  run: string,
  view: object,
  at: Date,
): Promise<void> {
  await collection(store).updateOne({ _id: id, run }, { $set: { at, view: JSON.stringify(view) } });
}

/** The version's latest kept simulation, if any. */
export async function loadSimulation<View>(store: Connection, id: string): Promise<KeptSimulation<View> | undefined> {
  const record = await collection(store).findOne({ _id: id });
  return record
    ? { hash: record.hash, at: record.at, run: record.run, view: JSON.parse(record.view) as View }
    : undefined;
}
