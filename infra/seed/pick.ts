/**
 * Finds a few seeded subjects matching a shared-data query, for demos and manual tests
 * ("a child under one", "a registered unemployed adult"). Read-only.
 */
import type { Connection } from 'mongoose';
import { SHARED_COLLECTIONS, type SharedCollectionName } from '../../store/shared-data.js';
import { SUBJECTS_COLLECTION, type SubjectKind, type SubjectRecord } from '../../store/subjects.js';
import { addYears } from './dates.js';
import type { SubjectKeyRing } from '../../domain/pseudonym.js';
import { resolveSubjectKey } from '../../store/subjects.js';

/** A query on one shared-data collection. */
export interface SubjectFilter {
  collection: SharedCollectionName;
  where: Record<string, unknown>;
}

export interface PickedSubject {
  kind: SubjectKind;
  subjectKey: string;
  idNumber?: string;
  creditCode?: string;
  displayName?: string;
}

/** Ready-made filters for demos; dates are relative to the seed's asOf. */
export const demoFilters = {
  childUnderOne: (asOf: string): SubjectFilter => ({
    collection: 'dp_household_registry',
    where: { birthDate: { $gt: addYears(asOf, -1) }, alive: true },
  }),
  agedAtLeast: (years: number, asOf: string): SubjectFilter => ({
    collection: 'dp_household_registry',
    where: { birthDate: { $lte: addYears(asOf, -years) }, alive: true },
  }),
  registeredUnemployed: (): SubjectFilter => ({
    collection: 'dp_social_insurance',
    where: { employmentStatus: 'unemployed', unemploymentRegistered: true },
  }),
  severeDisability: (): SubjectFilter => ({ collection: 'dp_disability', where: { disabilityGrade: { $lte: 2 } } }),
  dibao: (): SubjectFilter => ({ collection: 'dp_civil_affairs', where: { minimumLivingAllowance: true } }),
  newEnterprise: (asOf: string): SubjectFilter => ({
    collection: 'dp_business_registry',
    where: { establishedOn: { $gt: addYears(asOf, -1) }, status: 'active' },
  }),
  stableEmployer: (): SubjectFilter => ({
    collection: 'dp_enterprise_insurance',
    where: { insuredEmployeesLastYear: { $gt: 0 }, premiumsInArrears: false, layoffRate: { $lte: 5.5 } },
  }),
  seriouslyDishonest: (): SubjectFilter => ({ collection: 'dp_credit', where: { seriousDishonesty: true } }),
  pensioner: (): SubjectFilter => ({ collection: 'dp_pension', where: { pensionReceiving: true } }),
  olderLivingAlone: (): SubjectFilter => ({ collection: 'dp_elderly_care', where: { livesAlone: true } }),
  veteran: (): SubjectFilter => ({ collection: 'dp_veterans', where: { veteran: true } }),
  highTechEnterprise: (): SubjectFilter => ({ collection: 'dp_high_tech', where: { highTechCertified: true } }),
};

/**
 * Up to `n` subjects whose document in `filter.collection` matches `filter.where`, with their keys.
 * With the subject-key secret (or key ring) each subject is found by `_id` under the key it was
 * registered with (store/subjects.ts resolveSubjectKey); without it, one scan of `subjects`.
 */
export async function pickSubjects(
  connection: Connection,
  filter: SubjectFilter,
  n: number,
  keys?: string | SubjectKeyRing,
): Promise<PickedSubject[]> {
  const ring = typeof keys === 'string' ? { subjectKeySecret: keys } : keys;
  const db = connection.db;
  if (!db) throw new Error('pickSubjects: the connection is not open');
  const source = SHARED_COLLECTIONS.find((c) => c.name === filter.collection);
  if (!source) throw new RangeError(`pickSubjects: unknown shared-data collection "${filter.collection}"`);
  const field = source.keyField;
  const matches = await db
    .collection(filter.collection)
    .find(filter.where, { projection: { _id: 0, [field]: 1 } })
    .limit(n)
    .toArray();
  const ids = matches.map((doc) => String(doc[field]));
  if (ids.length === 0) return [];
  const subjects = db.collection<SubjectRecord>(SUBJECTS_COLLECTION);
  const projection = { _id: 0, kind: 1, subjectKey: 1, idNumber: 1, creditCode: 1, displayName: 1 };
  const found = ring
    ? await Promise.all(
        ids.map(async (id) =>
          subjects.findOne({ _id: await resolveSubjectKey(connection, ring, source.subject, id) }, { projection }),
        ),
      )
    : await subjects.find({ [field]: { $in: ids } }, { projection }).toArray();
  const byId = new Map(found.flatMap((s) => (s ? [[s[field] as string, s] as const] : [])));
  return ids.flatMap((id) => {
    const s = byId.get(id);
    if (!s) return [];
    return [
      {
        kind: s.kind,
        subjectKey: s.subjectKey,
        ...(s.idNumber ? { idNumber: s.idNumber } : {}),
        ...(s.creditCode ? { creditCode: s.creditCode } : {}),
        ...(s.displayName ? { displayName: s.displayName } : {}),
      },
    ];
  });
}
