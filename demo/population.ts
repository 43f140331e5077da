/**
 * Reads what the demo feed needs from the seeded registries (the dp_* collections), as
 * each registry would from its own records: only the residents with a birth or a
 * milestone birthday in the year, the certificates, registrations and enterprises.
 * Identifiers read here go into event bodies only, never into a log line.
 */
import type { Connection } from 'mongoose';
import { sharedCollection } from '../store/shared-data.js';
import { addDays, birthday, MILESTONE_AGES, reviewDate, type Population } from './feed-plan.js';

/** Reads the population the feed's year (the year up to `asOf`) draws on. */
export async function readPopulation(connection: Connection, asOf: string): Promise<Population> {
  const from = birthday(asOf, -1);
  // Birth-date windows of everyone born, or with a milestone birthday, in the year
  // (a month wider for the ages reported the month after the birthday).
  const windows = [
    { birthDate: { $gt: from, $lte: asOf } },
    ...MILESTONE_AGES.map((age) => ({
      birthDate: { $gt: addDays(birthday(from, -age), -31), $lte: birthday(asOf, -age) },
    })),
  ];
  const persons = await sharedCollection(connection, 'dp_household_registry')
    .find({ $or: windows }, { projection: { _id: 0, idNumber: 1, birthDate: 1, alive: 1, guardianIdNumber: 1 } })
    .toArray();
  const disabilities = await sharedCollection(connection, 'dp_disability')
    .find(
      { disabilityCertifiedOn: { $gt: from, $lte: asOf } },
      { projection: { _id: 0, idNumber: 1, disabilityGrade: 1, disabilityType: 1, disabilityCertifiedOn: 1 } },
    )
    .toArray();
  // Registered within two weeks of the job's end: a job that ended a month before the year may still count.
  const unemployed = await sharedCollection(connection, 'dp_social_insurance')
    .find(
      {
        employmentStatus: 'unemployed',
        unemploymentRegistered: true,
        employmentEndedOn: { $gt: addDays(from, -31), $lte: asOf },
      },
      { projection: { _id: 0, idNumber: 1, employmentEndedOn: 1 } },
    )
    .toArray();
  const enterprises = await sharedCollection(connection, 'dp_business_registry')
    .find({ establishedOn: { $lt: reviewDate(asOf) } }, { projection: { _id: 0, creditCode: 1, establishedOn: 1 } })
    .toArray();
  return {
    asOf,
    persons: persons.map((p) => ({
      idNumber: p.idNumber,
      birthDate: p.birthDate,
      alive: p.alive,
      ...(p.guardianIdNumber ? { guardianIdNumber: p.guardianIdNumber } : {}),
    })),
    disabilities: disabilities.map((d) => ({
      idNumber: d.idNumber,
      grade: d.disabilityGrade,
      disabilityType: d.disabilityType,
      certifiedOn: d.disabilityCertifiedOn,
    })),
    unemployed: unemployed.flatMap((u) =>
      u.employmentEndedOn ? [{ idNumber: u.idNumber, endedOn: u.employmentEndedOn }] : [],
    ),
    enterprises: enterprises.map((e) => ({ creditCode: e.creditCode, establishedOn: e.establishedOn })),
  };
}
