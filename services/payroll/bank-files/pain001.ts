/**
 * The released batch as the bank takes it: an ISO 20022 customer credit transfer initiation,
 * pain.001.001.09 (CustomerCreditTransferInitiationV09), one payment instruction debiting the
 * bureau's account with one credit transfer per line. Elements follow the schema's sequence;
 * banks are identified by their CNAPS code (ClrSysMmbId, clearing system CNAPS), accounts by
 * their domestic number (Othr/Id). Amounts are decimal yuan written from integer fen.
 */
import {
  BankFileRefusal,
  BatchTally,
  checkBatch,
  type PaymentBatchFile,
  type PaymentBatchFileLine,
  type PaymentBatchHead,
} from './batch.js';
import { fenToYuan, yuanToFen } from './money.js';
import { readIsoDocument } from './xml.js';

/** The namespace of CustomerCreditTransferInitiationV09, the version our files are written in. */
export const PAIN_001_NAMESPACE = 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.09';

/** Text escaped for XML element content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const element = (name: string, text: string) => `<${name}>${escapeXml(text)}</${name}>`;

function agent(bankCode: string, bankName?: string): string {
  return (
    '<FinInstnId><ClrSysMmbId><ClrSysId><Cd>CNAPS</Cd></ClrSysId>' +
    element('MmbId', bankCode) +
    '</ClrSysMmbId>' +
    (bankName === undefined ? '' : element('Nm', bankName)) +
    '</FinInstnId>'
  );
}

const account = (accountNumber: string) => `<Id><Othr>${element('Id', accountNumber)}</Othr></Id>`;

function header(head: PaymentBatchHead): string {
  const count = String(head.count);
  const controlSum = fenToYuan(head.totalFen);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<Document xmlns="${PAIN_001_NAMESPACE}">`,
    '<CstmrCdtTrfInitn>',
    '<GrpHdr>',
    element('MsgId', head.batchId),
    element('CreDtTm', head.createdAt),
    element('NbOfTxs', count),
    element('CtrlSum', controlSum),
    `<InitgPty>${element('Nm', head.debtor.name)}</InitgPty>`,
    '</GrpHdr>',
    '<PmtInf>',
    element('PmtInfId', head.batchId),
    '<PmtMtd>TRF</PmtMtd>',
    '<BtchBookg>true</BtchBookg>',
    element('NbOfTxs', count),
    element('CtrlSum', controlSum),
    `<ReqdExctnDt>${element('Dt', head.requestedExecutionDate)}</ReqdExctnDt>`,
    `<Dbtr>${element('Nm', head.debtor.name)}</Dbtr>`,
    `<DbtrAcct>${account(head.debtor.accountNumber)}<Ccy>CNY</Ccy></DbtrAcct>`,
    `<DbtrAgt>${agent(head.debtor.bankCode, head.debtor.bankName)}</DbtrAgt>`,
    '<ChrgBr>SLEV</ChrgBr>',
    '',
  ].join('\n');
}

function transaction(line: PaymentBatchFileLine): string {
  return (
    '<CdtTrfTxInf>' +
    `<PmtId>${element('EndToEndId', line.endToEndId)}</PmtId>` +
    `<Amt><InstdAmt Ccy="CNY">${fenToYuan(line.amountFen)}</InstdAmt></Amt>` +
    `<CdtrAgt>${agent(line.bankCode)}</CdtrAgt>` +
    `<Cdtr>${element('Nm', line.creditorName)}</Cdtr>` +
    `<CdtrAcct>${account(line.creditorAccountNumber)}</CdtrAcct>` +
    `<RmtInf>${element('Ustrd', line.remittance)}</RmtInf>` +
    '</CdtTrfTxInf>\n'
  );
}

const FOOTER = '</PmtInf>\n</CstmrCdtTrfInitn>\n</Document>\n';

/**
 * The pain.001.001.09 XML (UTF-8) of a released batch. checkBatch runs first, so GrpHdr NbOfTxs
 * and CtrlSum (and the same figures on the payment instruction) are the batch's stated count and
 * total only once they equal its lines; throws BankFileRefusal INVALID_PAYMENT_BATCH otherwise.
 */
export function toPain001(batch: PaymentBatchFile): string {
  checkBatch(batch);
  return header(batch) + batch.lines.map(transaction).join('') + FOOTER;
}

/**
 * The same file in pieces, from lines that stream past (a cursor over a batch's payment lines), so
 * a batch of any size is written in flat memory. The header carries the head's stated count and
 * total; each line is checked as it comes, and the last piece is withheld when the lines do not
 * add up: the stream throws BankFileRefusal INVALID_PAYMENT_BATCH and what was written must be discarded.
 */
export async function* streamPain001(
  head: PaymentBatchHead,
  lines: Iterable<PaymentBatchFileLine> | AsyncIterable<PaymentBatchFileLine>,
): AsyncGenerator<string> {
  const tally = new BatchTally(head);
  yield header(head);
  for await (const line of lines) {
    tally.add(line);
    yield transaction(line);
  }
  tally.close();
  yield FOOTER;
}

/** What a pain.001 file says, read back with an XML parser: the header's figures and each line's key and amount. */
export interface Pain001Summary {
  messageId: string;
  count: number;
  controlSumFen: number;
  lines: { endToEndId: string; amountFen: number }[];
}

type Node = Record<string, unknown>;

function child(node: unknown, name: string, path: string): Node {
  const value = (node as Node | undefined)?.[name];
  if (value === undefined || value === null || typeof value !== 'object')
    throw new BankFileRefusal('BAD_BANK_FILE', `${path}/${name} is missing`, `缺少 ${path}/${name}`, `${path}/${name}`);
  return value as Node;
}

function text(node: unknown, name: string, path: string): string {
  const value = (node as Node | undefined)?.[name];
  const found = typeof value === 'object' && value !== null ? (value as Node)['#text'] : value;
  if (typeof found !== 'string' || found === '')
    throw new BankFileRefusal('BAD_BANK_FILE', `${path}/${name} is missing`, `缺少 ${path}/${name}`, `${path}/${name}`);
  return found;
}

function amount(value: string, at: string): number {
  const fen = yuanToFen(value);
  if (fen === undefined)
    throw new BankFileRefusal(
      'BAD_BANK_FILE',
      `${at} is not an amount in yuan: ${value}`,
      `${at} 不是金额：${value}`,
      at,
    );
  return fen;
}

/**
 * Reads a pain.001.001.09 file back (ours or anyone's) and answers its stated figures and its
 * lines, so an export can be checked the way the bank will read it. Throws BankFileRefusal
 * BAD_BANK_FILE naming the element when the file is not such a message.
 */
export function readPain001(xml: string): Pain001Summary {
  const document = readIsoDocument(xml, PAIN_001_NAMESPACE, ['PmtInf', 'CdtTrfTxInf']);
  const root = child(document, 'CstmrCdtTrfInitn', 'Document');
  const header = child(root, 'GrpHdr', 'CstmrCdtTrfInitn');
  const lines: Pain001Summary['lines'] = [];
  const instructions = (root.PmtInf ?? []) as Node[];
  instructions.forEach((instruction, i) => {
    ((instruction.CdtTrfTxInf ?? []) as Node[]).forEach((transaction, j) => {
      const at = `PmtInf[${i}]/CdtTrfTxInf[${j}]`;
      const endToEndId = text(child(transaction, 'PmtId', at), 'EndToEndId', `${at}/PmtId`);
      const instructed = child(child(transaction, 'Amt', at), 'InstdAmt', `${at}/Amt`);
      lines.push({
        endToEndId,
        amountFen: amount(text(instructed, '#text', `${at}/Amt/InstdAmt`), `${at}/Amt/InstdAmt`),
      });
    });
  });
  const count = Number(text(header, 'NbOfTxs', 'GrpHdr'));
  return {
    messageId: text(header, 'MsgId', 'GrpHdr'),
    count,
    controlSumFen: amount(text(header, 'CtrlSum', 'GrpHdr'), 'GrpHdr/CtrlSum'),
    lines,
  };
}
