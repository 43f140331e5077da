/**
 * Benchmark facts: the synthetic Dezhou of `npm run seed` (same generators, same seed), each
 * subject flattened to the fact record a sweep would read — one key per catalog fact, and, as
 * fetchFacts answers a "no record" source, boolean facts false and other facts absent.
 */
import { DATA_SOURCES, type SubjectKind } from '../domain/sources.js';
import { EnterpriseGenerator } from '../infra/seed/enterprises.js';
import { enterpriseDocs, personDocs } from '../infra/seed/entries.js';
import { PersonGenerator } from '../infra/seed/persons.js';
import { progress } from './support.js';

/** A flat fact record: `{ 'person.birthDate': '1944-03-01', 'person.localHukou': true, … }`. */
export type FactRecord = Record<string, unknown>;

const SECRET = 'benchmark-only-subject-key-secret-0123456789';

/** One key per catalog fact of the subject kind, from the subject's documents by collection. */
function flatten(kind: SubjectKind, docs: ReadonlyArray<readonly [string, object]>): FactRecord {
  const byCollection = new Map<string, Record<string, unknown>>(
    docs.map(([collection, doc]) => [collection, doc as Record<string, unknown>]),
  );
  const facts: FactRecord = {};
  for (const source of DATA_SOURCES) {
    if (source.subject !== kind) continue;
    const doc = byCollection.get(source.collection);
    for (const field of source.fields) {
      if (doc === undefined) {
        if (field.type === 'boolean') facts[field.key] = false;
      } else if (doc[field.column] !== undefined) facts[field.key] = doc[field.column];
    }
  }
  return facts;
}

/** The first `count` residents or enterprises of the synthetic city as of a date, as flat fact records. */
export function syntheticPopulation(kind: SubjectKind, count: number, asOf: string): FactRecord[] {
  const shown = progress(`generating ${kind === 'person' ? 'residents' : 'enterprises'}`, count);
  const people = kind === 'person' ? new PersonGenerator('dezhou', SECRET, asOf) : undefined;
  const firms = kind === 'enterprise' ? new EnterpriseGenerator('dezhou', SECRET, asOf) : undefined;
  const records: FactRecord[] = [];
  for (let i = 0; i < count; i += 1) {
    records.push(
      people ? flatten('person', personDocs(people.next())) : flatten('enterprise', enterpriseDocs(firms!.next())),
    );
    if (i % 1_000 === 0) shown.tick(i);
  }
  shown.done();
  return records;
}

/** Only the facts a policy declares: what its sweep projects from the platform collections. */
export function project(records: readonly FactRecord[], facts: readonly string[]): FactRecord[] {
  return records.map((record) => {
    const projected: FactRecord = {};
    for (const fact of facts) if (fact in record) projected[fact] = record[fact];
    return projected;
  });
}
