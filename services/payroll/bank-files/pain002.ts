/**
 * The bank's answer to a pain.001 file: a customer payment status report, pain.002.001.10
 * (CustomerPaymentStatusReportV10, the version issued with pain.001.001.09). Read with an XML
 * parser into one status per original end-to-end ID; a status given only for the group or the
 * payment instruction applies to the lines under it that carry none of their own.
 */
import { BankFileRefusal } from './batch.js';
import { yuanToFen } from './money.js';
import { statusReason } from './reasons.js';
import type { PaymentLineStatus, PaymentOutcome, ReportedReason } from './status.js';
import { readIsoDocument } from './xml.js';

/** The namespace of CustomerPaymentStatusReportV10, the status report that answers pain.001.001.09. */
export const PAIN_002_NAMESPACE = 'urn:iso:std:iso:20022:tech:xsd:pain.002.001.10';

/** ExternalPaymentTransactionStatus1Code / ExternalPaymentGroupStatus1Code values and what they mean for a payment line. */
const OUTCOMES: Record<string, PaymentOutcome | 'partial'> = {
  ACCC: 'accepted',
  ACCP: 'accepted',
  ACFC: 'accepted',
  ACSC: 'accepted',
  ACSP: 'accepted',
  ACTC: 'accepted',
  ACWC: 'accepted',
  ACWP: 'accepted',
  PDNG: 'pending',
  RCVD: 'pending',
  RJCT: 'rejected',
  CANC: 'rejected',
  PART: 'partial',
};

/** A status given for the whole file or instruction (GrpSts, PmtInfSts). */
export interface GroupStatus {
  statusCode: string;
  outcome: PaymentOutcome | 'partial';
  reason?: ReportedReason;
}

/** A status report as read: which message it answers, the file's status, and each line's. */
export interface PaymentStatusReport {
  messageId: string;
  /** The MsgId of the pain.001 file reported on (our batch ID). */
  originalMessageId: string;
  /**
   * The file's status when the bank gave one (GrpSts, or the one instruction's PmtInfSts when it
   * names no line); with no `lines`, a rejected group means no line was paid.
   */
  group?: GroupStatus;
  lines: PaymentLineStatus[];
}

type Node = Record<string, unknown>;

function bad(at: string, message: string, messageZh: string): never {
  throw new BankFileRefusal('BAD_BANK_FILE', `${at}: ${message}`, `${at}：${messageZh}`, at);
}

function value(node: Node | undefined, name: string): string | undefined {
  const found = node?.[name];
  const content = typeof found === 'object' && found !== null ? (found as Node)['#text'] : found;
  return typeof content === 'string' && content.trim() !== '' ? content.trim() : undefined;
}

function required(node: Node | undefined, name: string, at: string): string {
  return value(node, name) ?? bad(`${at}/${name}`, 'missing', '缺失');
}

function nodes(node: Node | undefined, name: string): Node[] {
  const found = node?.[name];
  return Array.isArray(found) ? (found as Node[]) : [];
}

function reasonOf(node: Node, at: string): ReportedReason | undefined {
  for (const [index, info] of nodes(node, 'StsRsnInf').entries()) {
    const rsn = info.Rsn as Node | undefined;
    const code = value(rsn, 'Cd') ?? value(rsn, 'Prtry');
    const detail = nodes(info, 'AddtlInf').map(String).join(' ').trim();
    if (code === undefined && detail === '') continue;
    if (code === undefined) bad(`${at}/StsRsnInf[${index}]/Rsn`, 'a reason without a code', '原因缺少代码');
    return { ...statusReason(code), ...(detail ? { detail } : {}) };
  }
  return undefined;
}

function outcomeOf(code: string, at: string): PaymentOutcome | 'partial' {
  return OUTCOMES[code] ?? bad(at, `unknown status code ${code}`, `未知状态代码 ${code}`);
}

function groupStatus(node: Node, element: string, at: string): GroupStatus | undefined {
  const statusCode = value(node, element);
  if (statusCode === undefined) return undefined;
  const reason = reasonOf(node, at);
  return { statusCode, outcome: outcomeOf(statusCode, `${at}/${element}`), ...(reason ? { reason } : {}) };
}

/**
 * The lines' statuses in a pain.002.001.10 report. Throws BankFileRefusal BAD_BANK_FILE naming
 * the line (malformed XML, a DOCTYPE) or the element (wrong namespace, a missing OrgnlEndToEndId,
 * an unknown status code, an end-to-end ID reported twice).
 */
export function parsePain002(xml: string): PaymentStatusReport {
  const document = readIsoDocument(xml, PAIN_002_NAMESPACE, [
    'OrgnlPmtInfAndSts',
    'TxInfAndSts',
    'StsRsnInf',
    'AddtlInf',
  ]);
  const report = document.CstmrPmtStsRpt as Node | undefined;
  if (typeof report !== 'object') bad('Document/CstmrPmtStsRpt', 'missing', '缺失');
  const messageId = required(report.GrpHdr as Node | undefined, 'MsgId', 'GrpHdr');
  const original = report.OrgnlGrpInfAndSts as Node | undefined;
  if (typeof original !== 'object') bad('OrgnlGrpInfAndSts', 'missing', '缺失');
  const originalMessageId = required(original, 'OrgnlMsgId', 'OrgnlGrpInfAndSts');
  const group = groupStatus(original, 'GrpSts', 'OrgnlGrpInfAndSts');

  const lines: PaymentLineStatus[] = [];
  const seen = new Set<string>();
  nodes(report, 'OrgnlPmtInfAndSts').forEach((instruction, i) => {
    const instructionAt = `OrgnlPmtInfAndSts[${i}]`;
    const inherited = groupStatus(instruction, 'PmtInfSts', instructionAt) ?? group;
    nodes(instruction, 'TxInfAndSts').forEach((transaction, j) => {
      const at = `${instructionAt}/TxInfAndSts[${j}]`;
      const endToEndId = required(transaction, 'OrgnlEndToEndId', at);
      if (seen.has(endToEndId))
        bad(`${at}/OrgnlEndToEndId`, `${endToEndId} is reported twice`, `${endToEndId} 重复出现`);
      seen.add(endToEndId);
      const own = value(transaction, 'TxSts');
      const statusCode = own ?? inherited?.statusCode ?? bad(`${at}/TxSts`, 'missing', '缺失');
      const outcome = outcomeOf(statusCode, `${at}/TxSts`);
      if (outcome === 'partial') bad(`${at}/TxSts`, 'PART is a group status, not a line status', 'PART 只能用于整批');
      const reason = reasonOf(transaction, at) ?? (own === undefined ? inherited?.reason : undefined);
      const instructed = ((transaction.OrgnlTxRef as Node | undefined)?.Amt as Node | undefined)?.InstdAmt;
      const amountText = value({ amount: instructed }, 'amount');
      const amountFen = amountText === undefined ? undefined : yuanToFen(amountText);
      if (amountText !== undefined && amountFen === undefined)
        bad(`${at}/OrgnlTxRef/Amt/InstdAmt`, `not an amount in yuan: ${amountText}`, `不是金额：${amountText}`);
      lines.push({
        endToEndId,
        outcome,
        statusCode,
        ...(reason ? { reason } : {}),
        ...(amountFen === undefined ? {} : { amountFen }),
      });
    });
  });
  // Our files hold one payment instruction: its status, given without line details, is the file's.
  const instructions = nodes(report, 'OrgnlPmtInfAndSts');
  const only =
    instructions.length === 1 && nodes(instructions[0], 'TxInfAndSts').length === 0 ? instructions[0] : undefined;
  const fileStatus = group ?? (only ? groupStatus(only, 'PmtInfSts', 'OrgnlPmtInfAndSts[0]') : undefined);
  return { messageId, originalMessageId, ...(fileStatus ? { group: fileStatus } : {}), lines };
}
