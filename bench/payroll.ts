/**
 * `npm run bench -- payroll [--entitlements N] [--slice N] [--profile 1]`: a month's payroll of
 * the old-age allowance end to end on the embedded stack — N active entitlements seeded in bulk
 * over the beneficiaries of bench/payroll-city.ts, then the real payroll workflow (re-check each
 * against the household registry as of the month, a payment line each, the batch assembled for
 * preview) on a worker process of its own (bench/sweep-worker.ts), the release by a reviewer who
 * did not start it through the payroll service, and the batch's pain.001 file written with the
 * streaming writer from a cursor over the released lines, accounts read from the social security
 * card's shared data (access-recorded). Prints each phase's wall time, lines/s, the worker's and
 * this process's memory as the lines grow, and the payroll against a bare cursor drain of the
 * same entitlements.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client, Connection as TemporalConnection } from '@temporalio/client';
import type { Connection, mongo } from 'mongoose';
import { entitlementKey, nextPeriod, periodStart } from '../domain/entitlements.js';
import { findSource } from '../domain/sources.js';
import { temporalConnectOptions } from '../infra/temporal-connection.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { policyRef } from '../rules/policy-hash.js';
import type { PolicyRef } from '../rules/types.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { endToEndIdFor, streamPain001, type PaymentBatchFileLine } from '../services/payroll/bank-files/index.js';
import { createPayrollService } from '../services/payroll/service.js';
import { registerAccessRecordModel } from '../store/access-records.js';
import { chainInserted, chainStored, mapLimit } from '../store/audit-chain.js';
import { insertNew } from '../store/bulk.js';
import { entitlementRange, registerEntitlementModels } from '../store/entitlements.js';
import { buildIndexes } from '../store/indexes.js';
import { registerModels } from '../store/models.js';
import { registerPayrollModels, type PaymentLine } from '../store/payroll.js';
import { registerStopModel } from '../store/stops.js';
import type { User } from '../store/users.js';
import {
  getPayrollProgressQuery,
  payrollWorkflowId,
  type PayrollInput,
  type PayrollResult,
} from '../workflows/contracts/index.js';
import { freshServers, peakMb, resetRecords, SECRET, startWorker } from './population.js';
import { openPayrollCity } from './payroll-city.js';
import { summariseProfile } from './profile.js';
import { fmt, progress, table, type Benchmark } from './support.js';

const POLICY = 'old-age-allowance';
/** The month paid: the beneficiaries' entitlements opened the month before (a grant pays its own first month). */
const PERIOD = '2026-06';
const FIRST_PERIOD = '2026-05';
const BATCH = 5_000;
/** Lines per account lookup while the bank file is written. */
const FILE_CHUNK = 1_000;
const officer: User = { id: 'u_bench_officer', name: '王经办', role: 'officer' };
const reviewer: User = { id: 'u_bench_reviewer', name: '李审核', role: 'reviewer' };
/** The paying bureau's account (synthetic, like the city). */
const DEBTOR = { name: '德州市民政局', accountNumber: '37001600000050000001', bankCode: '102468100016' };

const mb = (value: number | undefined) => (value === undefined ? 'n/a' : `${fmt(value)} MB`);
const seconds = (from: number) => (performance.now() - from) / 1000;

/** Current resident memory of a process (VmRSS), in MB. */
function rssMb(pid: number | 'self'): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** What a run writes, dropped before it (the beneficiaries' shared data and subjects stay). */
const RUN_COLLECTIONS = [
  'entitlements',
  'entitlement_transitions',
  'payment_lines',
  'payment_batches',
  'subject_stops',
  'access_records',
  'audit_blocks',
  'audit_heads',
  'audit_links',
];

async function resetRun(store: Connection): Promise<void> {
  await resetRecords(store);
  const existing = new Set((await store.db!.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const name of RUN_COLLECTIONS) if (existing.has(name)) await store.db!.dropCollection(name);
  const { Entitlement, EntitlementTransition } = registerEntitlementModels(store);
  const { PaymentLine, PaymentBatch } = registerPayrollModels(store);
  for (const model of [
    Entitlement,
    EntitlementTransition,
    PaymentLine,
    PaymentBatch,
    registerStopModel(store),
    registerAccessRecordModel(store),
  ])
    await buildIndexes(model);
}

/** One active entitlement per beneficiary, opened by last month's grant: bulk inserts from a cursor over the subjects. */
async function seedEntitlements(store: Connection, ref: PolicyRef, total: number): Promise<number> {
  const { Entitlement } = registerEntitlementModels(store);
  const shown = progress('seeding entitlements', total);
  const now = new Date();
  let written = 0;
  let batch: object[] = [];
  const flush = async () => {
    await Entitlement.collection.insertMany(batch as mongo.OptionalId<mongo.Document>[], { ordered: false });
    written += batch.length;
    batch = [];
    shown.tick(written);
  };
  const subjects = store
    .db!.collection('subjects')
    .find({ kind: 'person' }, { projection: { _id: 1 }, batchSize: BATCH });
  for await (const subject of subjects) {
    const subjectKey = String(subject._id);
    const key = entitlementKey(POLICY, subjectKey);
    batch.push({
      _id: key,
      key,
      subjectKey,
      policy: ref,
      period: 'month',
      firstPeriod: FIRST_PERIOD,
      status: 'active',
      nextReviewOn: periodStart(nextPeriod(FIRST_PERIOD)),
      openedBy: `benefit:${POLICY}:${subjectKey}:${FIRST_PERIOD}`,
      openedAt: now,
      updatedAt: now,
    });
    if (batch.length === BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  shown.done();
  return written;
}

/** The bare drain: the policy's active entitlements in key order through a plain driver cursor, doing nothing. */
async function drainEntitlements(store: Connection, total: number): Promise<{ seconds: number; read: number }> {
  const { Entitlement } = registerEntitlementModels(store);
  const shown = progress('bare cursor drain', total);
  const started = performance.now();
  let read = 0;
  const cursor = Entitlement.collection
    .find({ _id: entitlementRange(POLICY), status: 'active' } as never)
    .sort({ _id: 1 });
  for await (const entitlement of cursor) {
    void entitlement;
    read += 1;
    shown.tick(read);
  }
  shown.done();
  return { seconds: seconds(started), read };
}

/**
 * The released lines in key order, each with its beneficiary's social security card account:
 * one subjects read and one card read per chunk, and one access record per beneficiary (purpose:
 * the bank file), chained as one block per chunk like the sweep's.
 */
async function* releasedLinesWithAccounts(
  store: Connection,
  batchId: string,
  counts: { closed: number; missing: number },
): AsyncGenerator<PaymentBatchFileLine> {
  const { PaymentLine } = registerPayrollModels(store);
  const AccessRecords = registerAccessRecordModel(store);
  const card = findSource('social-security-card')!;
  const fields = ['person.bankAccountNumber', 'person.bankAccountHolderName', 'person.bankAccountBankCode'];
  const cursor = PaymentLine.collection
    .find(
      { batchId, kind: 'payment', status: 'released' },
      { projection: { _id: 1, subjectKey: 1, amountFen: 1, period: 1 }, batchSize: FILE_CHUNK },
    )
    .sort({ _id: 1 });
  let chunk: PaymentLine[] = [];
  const accountsOf = async (lines: PaymentLine[]) => {
    // Keyed reads side by side: FerretDB scans the whole collection for an `$in`.
    const db = store.db!;
    const found = await mapLimit(lines, 16, async (line) => {
      const subject = await db
        .collection<{ _id: string; idNumber: string }>('subjects')
        .findOne({ _id: line.subjectKey }, { projection: { idNumber: 1 } });
      return subject
        ? await db.collection<{ _id: string } & Record<string, unknown>>(card.collection).findOne(
            { _id: subject.idNumber },
            {
              projection: {
                bankAccountNumber: 1,
                bankAccountHolderName: 1,
                bankAccountBankCode: 1,
                bankAccountStatus: 1,
              },
            },
          )
        : null;
    });
    const cardOf = new Map(lines.map((line, i) => [line.subjectKey, found[i]]));
    const at = new Date();
    const records = lines.map((line) => {
      const key = `${batchId}:bank-file:${line.subjectKey}:${card.id}`;
      return {
        _id: key,
        key,
        subjectKey: line.subjectKey,
        caseId: batchId,
        policyId: POLICY,
        policyVersion: line.policy?.version ?? 1,
        source: card.id,
        department: card.department.zh,
        fields,
        purposes: ['按月发放银行文件 payroll bank file: the account the payment is credited to'],
        outcome: cardOf.get(line.subjectKey) ? 'answered' : 'not-found',
        at,
      };
    });
    const { inserted, existing } = await insertNew(AccessRecords.collection, records);
    const mine = new Set(inserted);
    await chainInserted(
      store,
      'access_records',
      records.filter((r) => mine.has(r._id)),
    );
    await chainStored(store, 'access_records', existing);
    return (line: PaymentLine) => cardOf.get(line.subjectKey) ?? undefined;
  };
  const toFile = async function* (lines: PaymentLine[]): AsyncGenerator<PaymentBatchFileLine> {
    const accountOf = await accountsOf(lines);
    for (const line of lines) {
      const account = accountOf(line);
      if (!account) {
        counts.missing += 1;
        throw new Error('a released line has no social security card account');
      }
      if (account.bankAccountStatus === 'closed') counts.closed += 1;
      yield {
        endToEndId: endToEndIdFor(String(line._id)),
        creditorName: String(account.bankAccountHolderName),
        creditorAccountNumber: String(account.bankAccountNumber),
        bankCode: String(account.bankAccountBankCode),
        amountFen: line.amountFen,
        remittance: `高龄津贴 ${line.period}`,
      };
    }
  };
  for await (const line of cursor) {
    chunk.push(line as unknown as PaymentLine);
    if (chunk.length === FILE_CHUNK) {
      yield* toFile(chunk);
      chunk = [];
    }
  }
  if (chunk.length > 0) yield* toFile(chunk);
}

/** Reads the file back a line at a time (one transaction per line): its stated count and control sum, and its transactions' count and sum. */
async function readBack(file: string): Promise<{ statedCount: number; statedFen: number; count: number; fen: number }> {
  const toFen = (yuan: string) => Math.round(Number(yuan) * 100);
  let statedCount = -1;
  let statedFen = -1;
  let count = 0;
  let fen = 0;
  for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    if (line.startsWith('<CdtTrfTxInf>')) {
      count += 1;
      fen += toFen(/<InstdAmt Ccy="CNY">([\d.]+)</.exec(line)![1]);
    } else if (statedCount < 0 && line.startsWith('<NbOfTxs>')) statedCount = Number(/\d+/.exec(line)![0]);
    else if (statedFen < 0 && line.startsWith('<CtrlSum>')) statedFen = toFen(/[\d.]+/.exec(line.slice(9))![0]);
  }
  return { statedCount, statedFen, count, fen };
}

interface Sample {
  at: number;
  processed: number;
  rss: number;
}

/** The first sample at or past each quarter of the work, and the last. */
function quarters(samples: readonly Sample[], total: number): Array<[string, Sample | undefined]> {
  return [0.25, 0.5, 0.75, 1].map((q) => [
    `${q * 100} %`,
    q === 1 ? samples.at(-1) : samples.find((s) => s.processed >= q * total),
  ]);
}

export const payrollBenchmark: Benchmark = {
  summary: "a month's payroll of the old-age allowance end to end (seed, re-check, preview, release, pain.001)",
  options: {
    entitlements: { default: 200_000, help: 'active entitlements of the old-age allowance' },
    slice: { default: 2_000, help: 'entitlements per payroll slice (the workflow default)' },
    profile: {
      default: 0,
      help: '1: record a V8 CPU profile of the worker during the payroll and print where its time went',
    },
  },
  async run({ entitlements: n, slice, profile }) {
    const city = await openPayrollCity(n);
    const servers = await freshServers(['temporal', 'redis']);
    const run = randomUUID().slice(0, 8);
    const dir = mkdtempSync(join(tmpdir(), 'applyfree-payroll-bench-'));
    let worker: ChildProcess | undefined;
    let connection: TemporalConnection | undefined;
    try {
      console.log(`   city (${city.stateDir}): ${city.note}`);
      const catalog = await loadPolicyCatalog();
      await createPolicyLifecycle(city.store).importCatalog(catalog.policies);
      const policy = catalog.policies.find((p) => p.id === POLICY && p.version === 1)!;
      await resetRun(city.store);

      let started = performance.now();
      const seeded = await seedEntitlements(city.store, policyRef(policy), n);
      const seedSeconds = seconds(started);
      if (seeded !== n) throw new Error(`seeded ${seeded} entitlements, expected ${n}`);
      console.log(`   entitlements seeded: ${fmt(seeded)} in ${fmt(seedSeconds, 1)} s`);
      const drain = await drainEntitlements(city.store, n);
      console.log(`   bare cursor drain: ${fmt(drain.read)} in ${fmt(drain.seconds, 1)} s`);

      const profileFile = profile ? join(dir, 'payroll-worker.cpuprofile') : undefined;
      const settings = {
        temporalAddress: servers.temporalAddress,
        namespace: servers.temporalNamespace,
        taskQueue: `bench-payroll-${run}`,
        mongodbUri: city.uri,
        redisUrl: servers.redisUrl,
        queuePrefix: `bench-payroll-${run}`,
        secret: SECRET,
        profile: profileFile,
      };
      worker = await startWorker(settings);
      const pid = worker.pid!;
      const idle = rssMb(pid);
      connection = await TemporalConnection.connect(
        temporalConnectOptions(servers.temporalAddress, servers.temporalAccess),
      );
      const client = new Client({ connection, namespace: servers.temporalNamespace });
      const service = createPayrollService({ store: city.store, temporal: client, taskQueue: settings.taskQueue });

      // The payroll: the workflow the service starts, with the slice size of this run.
      const batchId = payrollWorkflowId(POLICY, PERIOD);
      const input: PayrollInput = {
        policyId: POLICY,
        period: PERIOD,
        startedBy: officer.name,
        startedById: officer.id,
        sliceSize: slice,
      };
      started = performance.now();
      const handle = await client.workflow.start('payroll', {
        workflowId: batchId,
        taskQueue: settings.taskQueue,
        args: [input],
      });
      const samples: Sample[] = [];
      let ticks = 0;
      const poll = setInterval(() => {
        const rss = rssMb(pid) ?? 0;
        handle
          .query(getPayrollProgressQuery)
          .then((now) => {
            samples.push({ at: seconds(started), processed: now.processed, rss });
            if (++ticks % 20 !== 0) return;
            process.stderr.write(
              `  payroll ${fmt(now.processed)}/${fmt(n)} · slice ${now.slices} · ${fmt(now.processed / seconds(started))}/s · worker RSS ${mb(rss)} · ${fmt(seconds(started))} s\n`,
            );
          })
          .catch(() => undefined);
      }, 500);
      const result = (await handle.result()) as PayrollResult;
      clearInterval(poll);
      const payrollSeconds = seconds(started);
      samples.push({ at: payrollSeconds, processed: n, rss: rssMb(pid) ?? 0 });
      const workerPeak = peakMb(pid);

      started = performance.now();
      const released = await service.release(reviewer, batchId);
      const releaseSeconds = seconds(started);

      // The bank file, streamed from a cursor over the released lines; this process's memory sampled as it grows.
      const file = join(dir, 'pain001.xml');
      const fileSamples: Sample[] = [];
      let written = 0;
      const accounts = { closed: 0, missing: 0 };
      started = performance.now();
      const filePoll = setInterval(
        () => fileSamples.push({ at: seconds(started), processed: written, rss: rssMb('self') ?? 0 }),
        250,
      );
      const lines = releasedLinesWithAccounts(city.store, batchId, accounts);
      const counted = (async function* () {
        for await (const line of lines) {
          written += 1;
          yield line;
        }
      })();
      await pipeline(
        Readable.from(
          streamPain001(
            {
              batchId,
              createdAt: new Date().toISOString(),
              requestedExecutionDate: `${PERIOD}-25`,
              debtor: DEBTOR,
              count: released.counts.lines,
              totalFen: released.totalFen,
            },
            counted,
          ),
        ),
        createWriteStream(file),
      );
      clearInterval(filePoll);
      const fileSeconds = seconds(started);
      fileSamples.push({ at: fileSeconds, processed: written, rss: rssMb('self') ?? 0 });
      const back = await readBack(file);
      const fileMb = statSync(file).size / 2 ** 20;

      worker.kill('SIGTERM');
      await new Promise((resolve) => worker!.once('exit', resolve));
      worker = undefined;

      const notices = await registerModels(city.store).Notice.estimatedDocumentCount();
      const total = payrollSeconds + releaseSeconds + fileSeconds;
      const rows: string[][] = [
        [
          'entitlements seeded (bulk inserts)',
          `${fmt(seeded)} in ${fmt(seedSeconds, 1)} s (${fmt(seeded / seedSeconds)}/s)`,
        ],
        [
          'bare cursor drain of the entitlements',
          `${fmt(drain.read)} in ${fmt(drain.seconds, 1)} s (${fmt(drain.read / drain.seconds)}/s)`,
        ],
        [
          'payroll to preview (workflow start to result)',
          `${fmt(payrollSeconds, 1)} s: ${fmt(result.lines)} lines (${fmt(result.lines / payrollSeconds)}/s), ${fmt(result.ended)} ended, ${fmt(result.suspended)} suspended, ¥${fmt(result.totalFen / 100, 2)}`,
        ],
        [
          'release by the reviewer (payroll service)',
          `${fmt(releaseSeconds, 1)} s: ${fmt(released.counts.lines)} lines released`,
        ],
        [
          'pain.001 written (streamPain001, cursor + card accounts)',
          `${fmt(fileSeconds, 1)} s: ${fmt(written)} lines (${fmt(written / fileSeconds)}/s), ${fmt(fileMb, 1)} MB, ${fmt(accounts.closed)} to closed accounts`,
        ],
        [
          'file read back (stated / its transactions)',
          `${fmt(back.statedCount)} / ${fmt(back.count)} lines, ¥${fmt(back.statedFen / 100, 2)} / ¥${fmt(back.fen / 100, 2)}`,
        ],
        [
          'payroll + release + file (end to end after seeding)',
          `${fmt(total, 1)} s (${fmt(released.counts.lines / total)} lines/s)`,
        ],
        ['payroll vs bare drain', `${fmt(payrollSeconds / drain.seconds, 2)}× (target ≤ 1.5×)`],
        ['end to end vs bare drain', `${fmt(total / drain.seconds, 2)}×`],
        ['notices (ended / suspended)', fmt(notices)],
        ['worker peak RSS (VmHWM; idle before the payroll)', `${mb(workerPeak)} (${mb(idle)})`],
        ['bench process peak RSS (VmHWM, file writer)', mb(peakMb('self'))],
      ];
      console.log(table(['figure', 'value'], rows));
      console.log('\n   memory as the lines grow (flat means streaming):');
      const payrollQ = quarters(samples, n);
      const fileQ = quarters(fileSamples, written);
      console.log(
        table(
          ['share of lines', 'worker RSS (payroll)', 'at', 'bench RSS (file)', 'at'],
          payrollQ.map(([label, s], i) => [
            label,
            mb(s?.rss),
            s ? `${fmt(s.at, 1)} s` : 'n/a',
            mb(fileQ[i][1]?.rss),
            fileQ[i][1] ? `${fmt(fileQ[i][1]!.at, 1)} s` : 'n/a',
          ]),
        ),
      );
      if (
        back.statedCount !== released.counts.lines ||
        back.count !== released.counts.lines ||
        back.statedFen !== released.totalFen ||
        back.fen !== released.totalFen
      )
        throw new Error('the bank file does not match the released batch');
      if (profileFile) {
        if (!readdirSync(dir).includes('payroll-worker.cpuprofile')) throw new Error('the worker wrote no CPU profile');
        const summary = summariseProfile(profileFile);
        console.log(
          `\n   where the worker's time went (V8 CPU profile, ${fmt(summary.wallMs / 1000, 1)} s, self time):`,
        );
        console.log(
          table(
            ['category', 'ms', 'share'],
            summary.categories.map((c) => [c.name, fmt(c.ms), `${fmt(100 * c.share, 1)}%`]),
          ),
        );
        console.log('');
        console.log(
          table(
            ['function', 'where', 'ms', 'share'],
            summary.functions.map((f) => [f.name, f.where, fmt(f.ms), `${fmt(100 * f.share, 1)}%`]),
          ),
        );
      }
    } finally {
      worker?.kill('SIGKILL');
      await connection?.close();
      await servers.stop();
      await city.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
