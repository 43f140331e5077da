/**
 * Steps that happen once, whichever server holds the store. A status move written as a guarded
 * update (`{ _id, status: from }`) is one atomic statement on MongoDB, but FerretDB 1.x on SQLite
 * reads the document and writes it back in two, outside a transaction (FerretDB issue #3040): two
 * guarded updates of one record at the same moment can both succeed — two reviewers each approving
 * the same version (abuse test 28 saw it). Inserting under a given `_id` is atomic on both (the
 * `_id` index is unique). So a step that must happen once is claimed first: its change is written
 * under a key naming the record and the state the step leaves, once (`step_claims`). The caller
 * whose insert went in takes the step; any other finds the claim and applies that same change
 * (the claimant may have stopped before applying it), so a claimed step is never left half-taken.
 */
import type { Connection } from 'mongoose';

export const STEP_CLAIMS = 'step_claims';

/** The change a step makes to its record: fields set, fields removed. */
export interface StepChange {
  set: Record<string, unknown>;
  unset?: string[];
}

export interface StepClaim extends StepChange {
  /** The record and the state the step leaves, e.g. `policy:old-age-allowance@2#3`. */
  _id: string;
  at: Date;
}

/** A change from fields to set, where an undefined field is one to remove. */
export function changeOf(fields: Record<string, unknown>): StepChange {
  const unset = Object.keys(fields).filter((field) => fields[field] === undefined);
  const set = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  return unset.length > 0 ? { set, unset } : { set };
}

/** The update that applies a claimed change. */
export function updateOf(change: StepChange): Record<string, Record<string, unknown>> {
  return {
    $set: change.set,
    ...(change.unset?.length ? { $unset: Object.fromEntries(change.unset.map((field) => [field, 1])) } : {}),
  };
}

/**
 * Claims the step `key` with its change. Answers the claim that holds — this call's (`mine`), or
 * the one another caller made first, whose change the caller then applies in place of its own.
 */
export async function claimStep(
  connection: Connection,
  key: string,
  change: StepChange,
): Promise<{ mine: boolean; claim: StepClaim }> {
  const claims = connection.db!.collection<StepClaim>(STEP_CLAIMS);
  const claim: StepClaim = { _id: key, ...change, at: new Date() };
  try {
    await claims.insertOne(claim);
    return { mine: true, claim };
  } catch (error) {
    if ((error as { code?: number }).code !== 11000) throw error;
  }
  const held = await claims.findOne({ _id: key });
  // Claims are never deleted: one that refused this insert is there.
  if (!held) throw new Error(`the step ${key} was claimed, yet its claim cannot be read`);
  return { mine: false, claim: held };
}
