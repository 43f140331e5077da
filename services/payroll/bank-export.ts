/**
 * The export of a released batch to the bank (代发): its released payment lines with an amount
 * (a line netted to 0 fen is no transfer) become a pain.001.001.09 file and the finance bureau's
 * CSV summary, each creditor's account read from the social security card through the fact
 * fetcher (an access record per read, purpose "代发 disbursement"). A line whose account is missing
 * or not active goes onto the returns worklist instead ("no usable account"), never into the file.
 *
 * Once per batch: the export record (bank_exports, keyed by batch) is claimed first with the
 * file's MsgId and creation time, the files are written in chunks (bank_file_chunks), the lines
 * are marked sent with their end-to-end IDs, and only then is the record complete. An export that
 * stopped half-way writes the same file again; a complete one is answered as it is, and the
 * downloads serve the stored bytes: what went to the bank, whatever the accounts say later.
 */
import { DateTime } from 'luxon';
import type { Connection } from 'mongoose';
import type { BenefitStarter } from '../../activities/benefit-start.js';
import { openReturnTask } from './return-tasks.js';
import { ACCOUNT_PURPOSES, readBankAccount } from '../../activities/shared-data/bank-account.js';
import type { FetchFactsInput, FetchFactsResult } from '../../activities/shared-data/fetch-facts.js';
import { CITY_TIME_ZONE, cityToday } from '../../domain/calendar.js';
import { Refusal } from '../../domain/refusal.js';
import type { Text } from '../../domain/sources.js';
import { loadPolicyCatalog } from '../../rules/catalog.js';
import {
  putOnWorklist,
  registerBankFileModels,
  type BankExport,
  type BankFileKind,
  type PaymentReturn,
} from '../../store/bank-files.js';
import { insertNew } from '../../store/bulk.js';
import { ChunkWriter, PAGE, transferLines } from './bank-lines.js';
import { registerPayrollModels, type PaymentBatch, type PaymentLine } from '../../store/payroll.js';
import {
  endToEndIdFor,
  streamCsvSummary,
  streamPain001,
  type BatchDebtor,
  type PaymentBatchFileLine,
  type PaymentBatchHead,
} from './bank-files/index.js';

/** The worklist reason of a line withheld at export: not a bank code, ours. */
export const NO_USABLE_ACCOUNT: { code: string; text: Text } = {
  code: 'NO-ACCOUNT',
  text: {
    zh: '无可用账户：社保卡金融账户缺失或未处于正常状态',
    en: 'no usable account: the social security card account is missing or not active',
  },
};

export interface BankExportDeps {
  store: Connection;
  fetchFacts: (input: FetchFactsInput) => Promise<FetchFactsResult>;
  debtor: BatchDebtor;
  now?: () => Date;
  /** Where a withheld line's returned-payment task keeps its clock (return-tasks.ts); absent, the task is recorded only. */
  workflows?: BenefitStarter;
}

/** What an export answers: the file's figures, the lines withheld, and where to download the files. */
export interface ExportAnswer {
  batchId: string;
  messageId: string;
  count: number;
  totalFen: number;
  withheld: number;
  files: { pain001: string; summary: string };
}

/** A stored file as a download: its name, type, size, and its text in pieces. */
export interface BankFileDownload {
  filename: string;
  contentType: string;
  bytes: number;
  sha256: string;
  chunks: number;
}

/** The file name of a batch's file: the batch ID with `:` made `_` (every file system takes it). */
export const bankFileName = (batchId: string, file: BankFileKind): string =>
  `${batchId.replace(/[^A-Za-z0-9.-]/g, '_')}.${file === 'pain001' ? 'pain001.xml' : 'summary.csv'}`;

export const BANK_FILE_TYPES: Record<BankFileKind, string> = {
  pain001: 'application/xml; charset=utf-8',
  summary: 'text/csv; charset=utf-8',
};

/** The download paths of a batch's files (the API's routes). */
export const bankFilePaths = (batchId: string) => {
  const base = `/payroll/batches/${encodeURIComponent(batchId)}/files`;
  return { pain001: `${base}/pain001.xml`, summary: `${base}/summary.csv` };
};

const MESSAGE_ID = /^[A-Za-z0-9][A-Za-z0-9.:/-]{0,34}$/;

/** GrpHdr/MsgId of a batch: its ID when the message can carry it, else an ID derived from it (the same every time). */
export function messageIdOf(batchId: string): string {
  return MESSAGE_ID.test(batchId) ? batchId : endToEndIdFor(`message:${batchId}`);
}

const noBatch = (id: string) =>
  new Refusal('NOT_FOUND', `id: no payment batch ${id}`, `id：没有该发放批次 ${id}`, 'id');

/** The titles of the shipped policies, for the remittance line the citizen reads on the statement. */
let titles: Promise<Map<string, Text>> | undefined;
const policyTitles = () =>
  (titles ??= loadPolicyCatalog().then(
    (catalog) => new Map(catalog.policies.map((policy) => [policy.id, policy.title] as const)),
  ));

export function createBankExport(deps: BankExportDeps) {
  const { store } = deps;
  const { PaymentBatch, PaymentLine } = registerPayrollModels(store);
  const { BankExport } = registerBankFileModels(store);
  const now = deps.now ?? (() => new Date());

  const accountOf = (batch: PaymentBatch, line: PaymentLine) =>
    readBankAccount(deps.fetchFacts, {
      batchId: batch.key,
      subjectKey: line.subjectKey,
      policy: batch.policy,
      purpose: ACCOUNT_PURPOSES.disbursement,
      idempotencyKey: `${batch.key}:bank-export:${line.subjectKey}`,
    });

  const unavailable = () =>
    new Refusal(
      'FACTS_UNAVAILABLE',
      'the social security card accounts could not be read just now: export again later',
      '暂时无法读取社保卡金融账户，请稍后再导出',
      'id',
    );

  /** The claimed (or earlier) export record of a batch: the first claim fixes MsgId and creation time. */
  async function claim(batch: PaymentBatch, by: { id?: string; name: string }): Promise<BankExport> {
    const at = now();
    await insertNew(BankExport.collection, [
      {
        _id: batch.key,
        batchId: batch.key,
        status: 'writing',
        messageId: messageIdOf(batch.key),
        createdAtText: DateTime.fromJSDate(at).setZone(CITY_TIME_ZONE).toISO({ suppressMilliseconds: true })!,
        requestedExecutionDate: cityToday(at),
        debtor: deps.debtor,
        createdAt: at,
        createdBy: by.name,
        ...(by.id ? { createdById: by.id } : {}),
      },
    ]);
    return (await BankExport.findById(batch.key).lean())!;
  }

  /** Puts every line without a usable account onto the worklist (entry first, then the line's mark: a retry finishes). */
  async function withholdUnusable(batch: PaymentBatch): Promise<void> {
    for await (const line of transferLines(store, batch.key, { bank: { $exists: false } })) {
      const reading = await accountOf(batch, line);
      if (reading.usable) continue;
      if (reading.why === 'unavailable') throw unavailable();
      const endToEndId = endToEndIdFor(line.key);
      const entry: PaymentReturn & { _id: string } = {
        _id: line.key,
        lineKey: line.key,
        endToEndId,
        batchId: batch.key,
        policy: line.policy,
        subjectKey: line.subjectKey,
        period: line.period,
        amountFen: line.amountFen,
        reasonCode: NO_USABLE_ACCOUNT.code,
        reason: NO_USABLE_ACCOUNT.text,
        fixable: true,
        origin: 'export',
        status: 'open',
        createdAt: now(),
      };
      await putOnWorklist(store, entry);
      await openReturnTask(store, deps.workflows, entry);
      await PaymentLine.updateOne(
        { _id: line.key, bank: { $exists: false } },
        {
          $set: {
            bank: {
              endToEndId,
              status: 'withheld',
              reason: { code: NO_USABLE_ACCOUNT.code, text: NO_USABLE_ACCOUNT.text },
            },
          },
        },
      );
    }
  }

  /**
   * What the file's header states: the released batch's count and total less the lines withheld
   * and the lines of 0 fen. The writer then checks the lines against it, so a line changed after
   * release refuses the export (INVALID_PAYMENT_BATCH, field count or totalFen).
   */
  async function headOf(batch: PaymentBatch, record: BankExport): Promise<PaymentBatchHead & { withheld: number }> {
    const withheld = await PaymentLine.find(
      { batchId: batch.key, kind: 'payment', status: 'released', 'bank.status': 'withheld' },
      { amountFen: 1 },
    ).lean();
    const notTransfers = await PaymentLine.countDocuments({
      batchId: batch.key,
      kind: 'payment',
      status: 'released',
      amountFen: { $lte: 0 },
    });
    return {
      batchId: record.messageId,
      createdAt: record.createdAtText,
      requestedExecutionDate: record.requestedExecutionDate,
      debtor: record.debtor,
      count: batch.counts.lines - withheld.length - notTransfers,
      totalFen: batch.totalFen - withheld.reduce((sum, line) => sum + line.amountFen, 0),
      withheld: withheld.length,
    };
  }

  /** The file lines of the batch's sendable lines, each creditor's account read as it streams past. */
  async function* fileLines(batch: PaymentBatch): AsyncGenerator<PaymentBatchFileLine> {
    const title = (await policyTitles()).get(batch.policy.id)?.zh ?? batch.policy.id;
    for await (const line of transferLines(store, batch.key, { 'bank.status': { $ne: 'withheld' } })) {
      const reading = await accountOf(batch, line);
      if (!reading.usable) {
        if (reading.why === 'unavailable') throw unavailable();
        throw new Refusal(
          'CHANGE_IN_PROGRESS',
          'an account was closed while the file was being written: export again (the line goes onto the worklist)',
          '导出过程中有账户状态变化，请重新导出（该笔将列入退回清单）',
          'id',
        );
      }
      yield {
        endToEndId: endToEndIdFor(line.key),
        creditorName: reading.account.holderName,
        creditorAccountNumber: reading.account.number,
        bankCode: reading.account.bankCode,
        amountFen: line.amountFen,
        remittance: `${line.repays ? '补发' : ''}${title} ${line.period}`,
      };
    }
  }

  /** Writes both files from one pass over the lines: the pain.001 stream drives, the summary follows line by line. */
  async function writeFiles(batch: PaymentBatch, head: PaymentBatchHead) {
    const pain = new ChunkWriter(store, batch.key, 'pain001');
    const csv = new ChunkWriter(store, batch.key, 'summary');
    const queue: PaymentBatchFileLine[] = [];
    let ended = false;
    const replay = async function* () {
      while (queue.length > 0 || !ended) {
        const line = queue.shift();
        if (line === undefined) throw new Error('the summary ran ahead of the file');
        yield line;
      }
    };
    const summary = streamCsvSummary(head, replay());
    const step = async () => {
      const next = await summary.next();
      if (!next.done) await csv.write(next.value);
    };
    await step();
    const tee = async function* () {
      for await (const line of fileLines(batch)) {
        yield line;
        queue.push(line);
        await step();
      }
    };
    for await (const piece of streamPain001(head, tee())) await pain.write(piece);
    ended = true;
    for (let next = await summary.next(); !next.done; next = await summary.next()) await csv.write(next.value);
    return { pain001: await pain.close(), summary: await csv.close() };
  }

  /** Marks the lines that went into the file as sent, with their end-to-end IDs (a line already answered is left as it is). */
  async function markSent(batch: PaymentBatch): Promise<void> {
    let writes: Parameters<typeof PaymentLine.bulkWrite>[0] = [];
    const flush = async () => {
      if (writes.length > 0) await PaymentLine.bulkWrite(writes, { ordered: false });
      writes = [];
    };
    for await (const line of transferLines(store, batch.key, { bank: { $exists: false } })) {
      writes.push({
        updateOne: {
          filter: { _id: line.key, bank: { $exists: false } },
          update: { $set: { bank: { endToEndId: endToEndIdFor(line.key), status: 'sent' } } },
        },
      });
      if (writes.length >= PAGE) await flush();
    }
    await flush();
  }

  const answerOf = (record: BankExport): ExportAnswer => ({
    batchId: record.batchId,
    messageId: record.messageId,
    count: record.count ?? 0,
    totalFen: record.totalFen ?? 0,
    withheld: record.withheld ?? 0,
    files: bankFilePaths(record.batchId),
  });

  return {
    /**
     * Exports a released batch (once: a complete export is answered as it is). NOT_FOUND without
     * the batch, WRONG_STATUS before release, INVALID_PAYMENT_BATCH (field count, totalFen or a
     * line's) when the lines do not add up to the released figures, FACTS_UNAVAILABLE when the
     * accounts cannot be read.
     */
    async exportBatch(batchId: string, by: { id?: string; name: string }): Promise<ExportAnswer> {
      const batch = await PaymentBatch.findById(batchId).lean();
      if (!batch) throw noBatch(batchId);
      if (batch.status !== 'released')
        throw new Refusal(
          'WRONG_STATUS',
          `id: batch ${batchId} is ${batch.status}: only a released batch goes to the bank`,
          `id：批次 ${batchId} 尚未放款（${batch.status}），不能导出`,
          'id',
        );
      const earlier = await BankExport.findById(batchId).lean();
      if (earlier?.status === 'complete') return answerOf(earlier);
      const record = earlier ?? (await claim(batch, by));
      await withholdUnusable(batch);
      const { withheld, ...head } = await headOf(batch, record);
      const files = await writeFiles(batch, head);
      await markSent(batch);
      const totals = {
        count: head.count,
        totalFen: head.totalFen,
        withheld,
        withheldFen: batch.totalFen - head.totalFen,
        sha256: { pain001: files.pain001.sha256, summary: files.summary.sha256 },
        bytes: { pain001: files.pain001.bytes, summary: files.summary.bytes },
        chunks: { pain001: files.pain001.chunks, summary: files.summary.chunks },
      };
      await BankExport.updateOne(
        { _id: batchId, status: 'writing' },
        { $set: { status: 'complete', ...totals, completedAt: now() } },
      );
      return answerOf((await BankExport.findById(batchId).lean())!);
    },

    /** The export record of a batch once complete; NOT_FOUND before. */
    async exported(batchId: string): Promise<BankExport> {
      const record = await BankExport.findById(batchId).lean();
      if (record?.status !== 'complete')
        throw new Refusal(
          'NOT_FOUND',
          `id: batch ${batchId} has not been exported: export it first`,
          `id：批次 ${batchId} 尚未导出，请先导出`,
          'id',
        );
      return record;
    },

    /** How a stored file downloads (name, type, size, hash, chunks); NOT_FOUND before the export. */
    async download(batchId: string, file: BankFileKind): Promise<BankFileDownload> {
      const record = await this.exported(batchId);
      return {
        filename: bankFileName(batchId, file),
        contentType: BANK_FILE_TYPES[file],
        bytes: record.bytes?.[file] ?? 0,
        sha256: record.sha256?.[file] ?? '',
        chunks: record.chunks?.[file] ?? 0,
      };
    },
  };
}

export type BankExportService = ReturnType<typeof createBankExport>;
