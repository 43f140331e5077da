/**
 * The seed indicators' read (domain/proof-indicators.ts computes them): the applications submitted
 * in the period, projected to what the indicators count, and the list of matters in force. A
 * department filter (its Chinese or English name, or its ID) keeps that department's applications
 * and matters; a policy filter keeps none, since applications are for matters, not policies.
 */
import type { Connection } from 'mongoose';
import type { ApplicationIndicatorRow } from '../../domain/applications.js';
import { mattersInForce, type Matter } from '../../domain/matters.js';
// The shipped list is in force until a published version replaces it.
import '../../domain/matters-starter.js';
import { proofIndicators, type ProofIndicators } from '../../domain/proof-indicators.js';

/** The collection store/applications.ts keeps applications in. */
export const APPLICATIONS_COLLECTION = 'applications';

const BATCH = 1000;

/** Whether a matter's handling department answers to the filter's department (ID, or name in either language). */
function departmentMatches(matter: Matter, wanted: string): boolean {
  const names = [matter.department.id, matter.department.name.zh, matter.department.name.en];
  return names.some((name) => name.toLowerCase().includes(wanted));
}

export async function readProofIndicators(
  store: Connection,
  range: { $gte?: Date; $lt?: Date },
  filter: { policy?: string; department?: string },
): Promise<ProofIndicators> {
  const wanted = filter.department?.trim().toLowerCase();
  const matters = mattersInForce().matters.filter((m) => !wanted || departmentMatches(m, wanted));
  if (filter.policy) return proofIndicators([], matters);
  const departments = wanted ? [...new Set(matters.map((m) => m.department.id))] : undefined;
  const rows: ApplicationIndicatorRow[] = [];
  const cursor = store.collection(APPLICATIONS_COLLECTION).find(
    {
      ...(Object.keys(range).length > 0 ? { submittedAt: range } : {}),
      ...(departments ? { department: { $in: departments } } : {}),
    },
    { projection: { _id: 0, matter: 1, department: 1, submittedAt: 1, fields: 1, proofs: 1 }, batchSize: BATCH },
  );
  for await (const doc of cursor) rows.push(doc as unknown as ApplicationIndicatorRow);
  return proofIndicators(rows, matters);
}
