/**
 * The bank's answer to an exported batch (回盘), as a pain.002 status report or a CSV return file,
 * set against the lines the file carried: accepted lines are marked paid, rejected ones are marked
 * with their reason and put on the returns worklist (payment_returns, one entry per line, keyed by
 * the line), pending ones wait. Answers for IDs the file did not carry and answers with another
 * amount are reported back, never applied. Every write is keyed or guarded by the line's current
 * status, so importing the same file twice changes nothing.
 */
import type { Connection } from 'mongoose';
import type { BenefitStarter } from '../../activities/benefit-start.js';
import { openReturnTask } from './return-tasks.js';
import { Refusal } from '../../domain/refusal.js';
import type { Text } from '../../domain/sources.js';
import type { PolicyRef } from '../../rules/types.js';
import {
  putOnWorklist,
  registerBankFileModels,
  type PaymentReturn,
  type PaymentReturnStatus,
} from '../../store/bank-files.js';
import { registerPayrollModels, type BankLineStatus } from '../../store/payroll.js';
import { staffMaskedSubject } from '../../store/subjects.js';
import {
  BankFileRefusal,
  parsePain002,
  parseReturnCsv,
  reconcile,
  statusReason,
  type GroupStatus,
  type PaymentLineStatus,
  type SentLine,
} from './bank-files/index.js';
import type { BankExportService } from './bank-export.js';
import { transferLines } from './bank-lines.js';

/** What an import answers: how many lines fell in each group, and the answers set aside, by end-to-end ID. */
export interface ReturnsAnswer {
  batchId: string;
  accepted: number;
  rejected: number;
  pending: number;
  unanswered: number;
  unknown: number;
  mismatches: number;
  details: {
    unknown: string[];
    mismatches: Array<{ endToEndId: string; sentFen: number; reportedFen: number }>;
  };
}

/** A worklist entry as staff see it: the line's end-to-end ID as its ID, the subject masked, never its key. */
export interface ReturnView {
  id: string;
  batchId: string;
  policy: { id: string; version: number };
  period: string;
  amountFen: number;
  reasonCode: string;
  reason: Text;
  fixable: boolean;
  status: PaymentReturnStatus;
  repaidIn?: string;
  subject: { masked?: string };
  createdAt: string;
}

/** The bank's answer in either form: an XML status report (it starts with `<`) or a CSV return file. */
function readAnswer(text: string): { originalMessageId?: string; group?: GroupStatus; lines: PaymentLineStatus[] } {
  const body = text.replace(/^\uFEFF/, '').trimStart();
  if (body === '') throw new BankFileRefusal('BAD_BANK_FILE', 'the file is empty', '文件为空', 'body');
  return body.startsWith('<') ? parsePain002(body) : { lines: parseReturnCsv(body) };
}

/** The statuses a line may move from, for each answer: an answered line is never answered again. */
const MOVES: Record<'accepted' | 'rejected' | 'pending', BankLineStatus[]> = {
  accepted: ['sent', 'pending'],
  rejected: ['sent', 'pending'],
  pending: ['sent'],
};

const MAX_LISTED = 500;

export function createBankReturns(deps: { store: Connection; exports: BankExportService; workflows?: BenefitStarter }) {
  const { store } = deps;
  const { PaymentLine } = registerPayrollModels(store);
  const { PaymentReturn } = registerBankFileModels(store);

  /** The lines the file carried (sent, or answered since), by end-to-end ID. */
  async function sentLines(batchId: string): Promise<Map<string, SentLine & { key: string }>> {
    const sent = new Map<string, SentLine & { key: string }>();
    for await (const line of transferLines(store, batchId, {
      'bank.status': { $in: ['sent', 'pending', 'accepted', 'rejected'] },
    }))
      sent.set(line.bank!.endToEndId, { endToEndId: line.bank!.endToEndId, amountFen: line.amountFen, key: line.key });
    return sent;
  }

  async function move(key: string, to: 'accepted' | 'pending', answeredAt: Date): Promise<void> {
    await PaymentLine.updateOne(
      { _id: key, 'bank.status': { $in: MOVES[to] } },
      { $set: { 'bank.status': to, 'bank.answeredAt': answeredAt } },
    );
  }

  /** A rejected line: its worklist entry first, then the line's status (a retry finishes the job). */
  async function reject(key: string, status: PaymentLineStatus, answeredAt: Date): Promise<void> {
    const line = await PaymentLine.findById(key).lean();
    if (!line?.bank || !MOVES.rejected.includes(line.bank.status)) return;
    const reason = status.reason ?? { ...statusReason('MS03') };
    const entry: PaymentReturn & { _id: string } = {
      _id: line.key,
      lineKey: line.key,
      endToEndId: line.bank.endToEndId,
      batchId: line.batchId,
      policy: line.policy,
      subjectKey: line.subjectKey,
      period: line.period,
      amountFen: line.amountFen,
      reasonCode: reason.code,
      reason: reason.text,
      ...(reason.detail ? { detail: reason.detail } : {}),
      fixable: reason.accountProblem,
      origin: 'bank',
      status: 'open',
      createdAt: answeredAt,
    };
    await putOnWorklist(store, entry);
    await openReturnTask(store, deps.workflows, entry);
    await PaymentLine.updateOne(
      { _id: key, 'bank.status': { $in: MOVES.rejected } },
      {
        $set: {
          'bank.status': 'rejected',
          'bank.reason': { code: reason.code, text: reason.text, ...(reason.detail ? { detail: reason.detail } : {}) },
          'bank.answeredAt': answeredAt,
        },
      },
    );
  }

  return {
    /**
     * Imports the bank's answer for an exported batch. NOT_FOUND before the export; BAD_BANK_FILE
     * (naming the line or element) for a file that cannot be read, or a status report on another
     * message (field OrgnlMsgId). The same file again changes nothing and answers the same counts.
     */
    async importReturns(batchId: string, text: string): Promise<ReturnsAnswer> {
      const exported = await deps.exports.exported(batchId);
      const answer = readAnswer(text);
      if (answer.originalMessageId !== undefined && answer.originalMessageId !== exported.messageId)
        throw new BankFileRefusal(
          'BAD_BANK_FILE',
          `OrgnlMsgId: the report answers message ${answer.originalMessageId}, not this batch's file (${exported.messageId})`,
          `OrgnlMsgId：该回执对应报文 ${answer.originalMessageId}，不是本批次的文件（${exported.messageId}）`,
          'OrgnlMsgId',
        );
      const sent = await sentLines(batchId);
      const result = reconcile(sent.values(), answer);
      const at = new Date();
      for (const status of result.accepted) await move(sent.get(status.endToEndId)!.key, 'accepted', at);
      for (const status of result.pending) await move(sent.get(status.endToEndId)!.key, 'pending', at);
      for (const status of result.rejected) await reject(sent.get(status.endToEndId)!.key, status, at);
      return {
        batchId,
        accepted: result.accepted.length,
        rejected: result.rejected.length,
        pending: result.pending.length,
        unanswered: result.unanswered.length,
        unknown: result.unknown.length,
        mismatches: result.mismatched.length,
        details: {
          unknown: result.unknown.map((status) => status.endToEndId),
          mismatches: result.mismatched.map(({ endToEndId, sentFen, reportedFen }) => ({
            endToEndId,
            sentFen,
            reportedFen,
          })),
        },
      };
    },

    /** The worklist, newest first (at most 500), optionally of one policy or status; subjects masked for staff. */
    async returns(filter: { policyId?: string; status?: string } = {}): Promise<ReturnView[]> {
      if (filter.status !== undefined && !['open', 'repaid', 'closed'].includes(filter.status))
        throw new Refusal(
          'INVALID_INPUT',
          'status: open, repaid or closed',
          'status：须为 open、repaid 或 closed',
          'status',
        );
      const query: Record<string, string> = {
        ...(filter.policyId ? { 'policy.id': filter.policyId } : {}),
        ...(filter.status ? { status: filter.status } : {}),
      };
      const entries = await PaymentReturn.find(query).sort({ createdAt: -1 }).limit(MAX_LISTED).lean();
      return Promise.all(
        entries.map(async (entry) => {
          const subject = await staffMaskedSubject(store, entry.subjectKey);
          const policy: PolicyRef = entry.policy;
          return {
            id: entry.endToEndId,
            batchId: entry.batchId,
            policy: { id: policy.id, version: policy.version },
            period: entry.period,
            amountFen: entry.amountFen,
            reasonCode: entry.reasonCode,
            reason: { zh: entry.reason.zh, en: entry.reason.en },
            fixable: entry.fixable,
            status: entry.status,
            ...(entry.repaidIn ? { repaidIn: entry.repaidIn } : {}),
            subject,
            createdAt: entry.createdAt.toISOString(),
          };
        }),
      );
    },

    /**
     * Closes an open entry (an officer, with a reason): it will not be repaid. An entry already
     * closed answers as it is; a repaid one is WRONG_STATUS; an unknown ID NOT_FOUND.
     */
    async close(actorId: string, id: string, reason: unknown): Promise<ReturnView> {
      if (typeof reason !== 'string' || reason.trim().length < 5 || reason.length > 500)
        throw new Refusal(
          'INVALID_INPUT',
          'reason: why it will not be repaid, in 5 to 500 characters',
          'reason：请说明不再补发的理由（5 至 500 字）',
          'reason',
        );
      const entry = /^AF[A-Z2-7]{32}$/.test(id) ? await PaymentReturn.findOne({ endToEndId: id }).lean() : null;
      if (!entry) throw new Refusal('NOT_FOUND', `id: no returned payment ${id}`, `id：没有该退回记录 ${id}`, 'id');
      if (entry.status === 'repaid')
        throw new Refusal(
          'WRONG_STATUS',
          `id: ${id} was repaid in ${entry.repaidIn ?? 'a later batch'}`,
          `id：${id} 已在 ${entry.repaidIn ?? '后续批次'} 补发`,
          'id',
        );
      if (entry.status === 'open')
        await PaymentReturn.updateOne(
          { _id: entry._id, status: 'open' },
          { $set: { status: 'closed', closedById: actorId, closedAt: new Date(), closeReason: reason.trim() } },
        );
      const [view] = (await this.returns({ policyId: entry.policy.id })).filter((item) => item.id === id);
      return view;
    },
  };
}

export type BankReturnsService = ReturnType<typeof createBankReturns>;
