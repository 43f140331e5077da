/**
 * A store that counts what it reads, and a city's worth of decided cases in it: the fixture of the
 * bounded-query tests (security review S15, abuse test 24). Reads are counted from the driver's own
 * command monitoring — every document each find or getMore returned — never timed.
 */
import { randomUUID } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { subjectKey } from '../../domain/pseudonym.js';
import { registerCaseModels, type LifeEventRecord } from '../../store/cases.js';
import { registerDecisionModels } from '../../store/decisions.js';
import { TEST_SECRET } from './city.js';

export interface CountingStore {
  store: Connection;
  /** Documents read per collection since the last `reset`. */
  read: Map<string, number>;
  reset(): void;
  total(): number;
}

/** A fresh database on the test stack whose every find and getMore adds its documents to `read`. */
export async function openCountingStore(mongodbUri: string, name: string): Promise<CountingStore> {
  const store = mongoose.createConnection(
    mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_${name}_${randomUUID().slice(0, 8)}$1`),
    { monitorCommands: true },
  );
  await store.asPromise();
  const read = new Map<string, number>();
  // Each find and getMore names its collection when it starts, and answers its batch when it succeeds.
  const collections = new Map<number, string>();
  store.getClient().on('commandStarted', (event) => {
    if (event.commandName === 'find') collections.set(event.requestId, String(event.command.find));
    if (event.commandName === 'getMore') collections.set(event.requestId, String(event.command.collection));
  });
  store.getClient().on('commandSucceeded', (event) => {
    const collection = collections.get(event.requestId);
    if (!collection) return;
    collections.delete(event.requestId);
    const cursor = (event.reply as { cursor?: { firstBatch?: unknown[]; nextBatch?: unknown[] } }).cursor;
    read.set(collection, (read.get(collection) ?? 0) + (cursor?.firstBatch ?? cursor?.nextBatch ?? []).length);
  });
  return {
    store,
    read,
    reset: () => read.clear(),
    total: () => [...read.values()].reduce((sum, n) => sum + n, 0),
  };
}

/**
 * `count` age-milestone cases received one a minute from 2026-01-01, each with an ineligible
 * old-age-allowance decision; case IDs `life-event:<prefix>-<i>`.
 */
export async function seedDecidedCases(store: Connection, prefix: string, count: number): Promise<void> {
  const { LifeEvent } = registerCaseModels(store);
  const { Decision } = registerDecisionModels(store);
  const start = Date.parse('2026-01-01T00:00:00Z');
  const events: LifeEventRecord[] = Array.from({ length: count }, (_, i) => {
    const key = subjectKey('person', `${prefix}-${i}`, TEST_SECRET);
    return {
      _id: `age.milestone|${key}|2026-01-01`,
      naturalKey: `age.milestone|${key}|2026-01-01`,
      caseId: `life-event:${prefix}-${i}`,
      type: 'age.milestone',
      subjectKey: key,
      subjectKind: 'person',
      eventDate: '2026-01-01',
      payload: {},
      firstSourceEventId: `${prefix}-${i}`,
      source: 'big-data-bureau',
      receivedAt: new Date(start + i * 60_000),
    };
  });
  await LifeEvent.insertMany(events, { lean: true });
  await Decision.insertMany(
    events.map((event) => ({
      _id: `${event.caseId}:decision:old-age-allowance`,
      key: `${event.caseId}:decision:old-age-allowance`,
      caseId: event.caseId,
      subjectKey: event.subjectKey,
      policy: { id: 'old-age-allowance', version: 1, hash: 'h' },
      asOf: '2026-01-01',
      outcome: 'ineligible',
      conditions: [],
      missingFacts: [],
      failedSources: [],
      period: 'once',
      decidedAt: event.receivedAt,
    })),
    { lean: true },
  );
}
