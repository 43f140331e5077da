/**
 * `npm run bench -- grants [--grants N]`: grant writes on an embedded FerretDB, side by side in one
 * run on fresh collections: the sweep's bulk path (activities/sweep-writes.ts recordGrants: one
 * unordered insertMany per 2,000 grants, store/bulk.ts) against the life-event path's own activity
 * (activities/benefits.ts recordGrant: one `$setOnInsert` upsert by `_id` per grant). Then the
 * same grants again on each path (all duplicates), which is what a retried slice or activity costs.
 */
import type { Connection } from 'mongoose';
import { makeBenefitActivities, type BenefitDeps } from '../activities/benefits.js';
import { planOf } from '../activities/case.js';
import { makeSweepWriter, type ScreenedSubject } from '../activities/sweep-writes.js';
import { subjectKey } from '../domain/pseudonym.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { compilePolicy } from '../rules/compiled.js';
import { insertNew } from '../store/bulk.js';
import { connectStore } from '../store/connection.js';
import { registerModels } from '../store/models.js';
import { benefitWorkflowId, type PolicyPlan } from '../workflows/contracts/index.js';
import { freshServers, SECRET } from './population.js';
import { fmt, progress, table, type Benchmark } from './support.js';
import { buildIndexes } from '../store/indexes.js';

const AS_OF = '2026-06-01';
/** Subjects per bulk write: the sweep's batch (activities/sweep.ts). */
const BATCH = 2_000;
const WARM_UP = 500;

/** N eligible old-age-allowance subjects, each with the compiled evaluator's explained decision. */
async function eligibleSubjects(
  count: number,
  tag: string,
): Promise<{ plan: PolicyPlan; subjects: ScreenedSubject[] }> {
  const policy = (await loadPolicyCatalog()).policies.find((p) => p.id === 'old-age-allowance' && p.version === 1)!;
  const compiled = compilePolicy(policy, AS_OF);
  const subjects: ScreenedSubject[] = [];
  for (let i = 0; i < count; i += 1) {
    const facts = {
      'person.birthDate': `19${30 + (i % 15)}-0${1 + (i % 9)}-1${i % 10}`,
      'person.localHukou': true,
      'person.alive': true,
    };
    const decision = compiled.explain(facts);
    if (decision.outcome !== 'eligible') throw new Error(`synthetic subject ${i} is ${decision.outcome}`);
    const id = `bench-${tag}-${i}`;
    subjects.push({ id, subjectKey: subjectKey('person', id, SECRET), facts, decision });
  }
  return { plan: planOf(policy), subjects };
}

/** An empty grants collection with its indexes. */
async function freshGrants(store: Connection): Promise<void> {
  const { Grant } = registerModels(store);
  await Grant.collection.drop().catch(() => undefined);
  await buildIndexes(Grant);
}

/** Bulk: recordGrants a batch at a time, as a sweep slice does. */
async function bulk(
  store: Connection,
  plan: PolicyPlan,
  subjects: readonly ScreenedSubject[],
  label: string,
): Promise<{ seconds: number; created: number }> {
  const writer = makeSweepWriter(store);
  const shown = progress(label, subjects.length);
  let created = 0;
  const started = performance.now();
  for (let i = 0; i < subjects.length; i += BATCH) {
    created += (await writer.recordGrants('sweep:bench', plan, subjects.slice(i, i + BATCH))).ours.length;
    shown.tick(i + BATCH);
  }
  shown.done();
  return { seconds: (performance.now() - started) / 1000, created };
}

/** One at a time: the grant workflow's recordGrant activity, awaited per grant. */
async function single(
  store: Connection,
  plan: PolicyPlan,
  subjects: readonly ScreenedSubject[],
  label: string,
): Promise<{ seconds: number; created: number }> {
  const { recordGrant } = makeBenefitActivities({ store } as BenefitDeps);
  const shown = progress(label, subjects.length);
  let created = 0;
  const started = performance.now();
  for (const [i, { subjectKey: key, decision }] of subjects.entries()) {
    const summary = {
      policy: decision.policy,
      outcome: decision.outcome,
      asOf: decision.asOf,
      period: decision.period,
      missingFacts: [],
      failedSources: [],
      amount: decision.amount,
    };
    const result = await recordGrant({
      caseId: `life-event:bench-${i}`,
      subjectKey: key,
      plan,
      decision: summary,
      grantKey: benefitWorkflowId(plan.ref.id, key, decision.period),
      basis: 'auto',
    });
    if (result.created) created += 1;
    shown.tick(i + 1);
  }
  shown.done();
  return { seconds: (performance.now() - started) / 1000, created };
}

/** Bare insertNew of the same documents again (all duplicates), without recordGrants' look-ups of who holds them. */
async function bareDuplicates(
  store: Connection,
  plan: PolicyPlan,
  subjects: readonly ScreenedSubject[],
): Promise<number> {
  const { Grant } = registerModels(store);
  const docs = subjects.map(({ subjectKey: key, decision }) => {
    const id = benefitWorkflowId(plan.ref.id, key, decision.period);
    return {
      _id: id,
      key: id,
      caseId: 'sweep:bench',
      subjectKey: key,
      policy: plan.ref,
      period: decision.period,
      benefitKind: plan.benefitKind,
      amount: decision.amount,
      basis: 'auto',
      status: 'granted',
      grantedAt: new Date(),
    };
  });
  const started = performance.now();
  for (let i = 0; i < docs.length; i += BATCH) {
    const outcome = await insertNew(Grant.collection, docs.slice(i, i + BATCH));
    if (outcome.inserted.length > 0) throw new Error('a repeated bulk write inserted grants');
  }
  return (performance.now() - started) / 1000;
}

export const grantsBenchmark: Benchmark = {
  summary: 'grant writes in FerretDB: the sweep bulk path vs one recordGrant upsert at a time, and repeats',
  options: {
    grants: { default: 20_000, help: 'grants written by the bulk path, into an empty collection' },
    single: { default: 2_000, help: 'grants written one at a time, into an empty collection' },
    probe: { default: 200, help: "one-at-a-time upserts timed again with the bulk path's grants in the collection" },
    repeat: {
      default: 2_000,
      help: 'grants recordGrants writes again, spread over the stored ones (all duplicates; read back with one $in query per batch)',
    },
  },
  async run({ grants, single: singles, probe, repeat }) {
    const servers = await freshServers(['mongodb']);
    const store = await connectStore(servers.mongodbUri.replace(/\/[^/?]*(\?|$)/, '/bench_grants$1'));
    try {
      const { plan, subjects } = await eligibleSubjects(grants, 'run');
      const few = subjects.slice(0, singles);
      await freshGrants(store);
      await bulk(store, plan, (await eligibleSubjects(WARM_UP, 'warm')).subjects, 'warm-up');
      await single(store, plan, (await eligibleSubjects(WARM_UP, 'warm-single')).subjects, 'warm-up');

      await freshGrants(store);
      const singleRun = await single(store, plan, few, 'recordGrant one at a time');
      const singleAgain = await single(store, plan, few, 'recordGrant again');
      await freshGrants(store);
      const bulkRun = await bulk(store, plan, subjects, 'bulk recordGrants');
      // Spread over the stored grants, as a retried slice meets them.
      const again = subjects.filter((_, i) => i % Math.max(1, Math.floor(grants / repeat)) === 0).slice(0, repeat);
      const bulkAgain = await bulk(store, plan, again, 'bulk recordGrants again');
      const bareAgain = await bareDuplicates(store, plan, subjects);
      const late = await single(
        store,
        plan,
        (await eligibleSubjects(probe, 'late')).subjects,
        `recordGrant with ${fmt(grants)} stored`,
      );
      const count = await registerModels(store).Grant.estimatedDocumentCount();
      if (
        bulkRun.created !== grants ||
        bulkAgain.created !== again.length ||
        singleRun.created !== singles ||
        singleAgain.created !== 0 ||
        late.created !== probe ||
        count !== grants + probe
      ) {
        throw new Error(
          `grant counts disagree: bulk ${bulkRun.created}, single ${singleRun.created}, repeat ${singleAgain.created}, late ${late.created}, stored ${count}`,
        );
      }
      const perSecond = { bulk: grants / bulkRun.seconds, single: singles / singleRun.seconds };
      const row = (path: string, n: number, seconds: number): string[] => [
        path,
        fmt(n),
        fmt(seconds, 2),
        fmt(n / seconds),
        fmt((1000 * seconds) / n, 2),
        `${fmt(n / seconds / perSecond.single, 1)}×`,
      ];
      console.log(
        table(
          ['path', 'grants', 'seconds', 'grants/s', 'ms/grant', 'vs one at a time'],
          [
            row('bulk: recordGrants (insertMany of 2,000, unordered)', grants, bulkRun.seconds),
            row('one at a time: recordGrant ($setOnInsert upsert), from empty', singles, singleRun.seconds),
            row(`one at a time, with ${fmt(grants)} grants stored`, probe, late.seconds),
            row(
              `repeat, bulk: recordGrants (insert + $in read per batch), ${fmt(grants)} stored`,
              again.length,
              bulkAgain.seconds,
            ),
            row('repeat, bulk: bare insertNew, all duplicates', grants, bareAgain),
            row('repeat, one at a time: recordGrant, all found', singles, singleAgain.seconds),
          ],
        ),
      );
      console.log(
        `\n   bulk vs one at a time: ${fmt(perSecond.bulk / perSecond.single, 1)}× (target ≥ 10×), one at a time measured from an empty collection (its most favourable case)`,
      );
      console.log(
        `   a repeated bulk write costs ${fmt((100 * bareAgain) / bulkRun.seconds)}% of the first as bare insertNew; through recordGrants ${fmt((1000 * bulkAgain.seconds) / again.length, 1)} ms per duplicate`,
      );
    } finally {
      await store.close();
      await servers.stop();
    }
  },
};
