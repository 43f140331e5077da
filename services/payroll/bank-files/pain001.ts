/**
 * The released batch as the bank takes it: an ISO 20022 customer credit transfer initiation,
 * pain.001.001.09 (CustomerCreditTransferInitiationV09), one payment instruction debiting the
 * bureau's account with one credit transfer per line. Elements follow the schema's sequence;
 * banks are identified by their CNAPS code (ClrSysMmbId, clearing system CNAPS), accounts by
 * their domestic number (Othr/Id). Amounts are decimal yuan written from integer fen.
 */
import { BankFileRefusal, checkBatch, type PaymentBatchFile } from './batch.js';
import { fenToYuan, yuanToFen } from './money.js';
import { readIsoDocument } from './xml.js';

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

/**
 * The pain.001.001.09 XML (UTF-8) of a released batch. GrpHdr NbOfTxs and CtrlSum, and the same
 * figures on the payment instruction, are computed from the lines after checkBatch has confirmed
 * they equal the batch's stated count and total; throws BankFileRefusal INVALID_PAYMENT_BATCH otherwise.
 */
export function toPain001(batch: PaymentBatchFile): string {
  const totalFen = checkBatch(batch);
  const count = String(batch.lines.length);
  const controlSum = fenToYuan(totalFen);
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<Document xmlns="${PAIN_001_NAMESPACE}">`,
    '<CstmrCdtTrfInitn>',
    '<GrpHdr>',
    element('MsgId', batch.batchId),
    element('CreDtTm', batch.createdAt),
    element('NbOfTxs', count),
    element('CtrlSum', controlSum),
    `<InitgPty>${element('Nm', batch.debtor.name)}</InitgPty>`,
    '</GrpHdr>',
    '<PmtInf>',
    element('PmtInfId', batch.batchId),
    '<PmtMtd>TRF</PmtMtd>',
    '<BtchBookg>true</BtchBookg>',
    element('NbOfTxs', count),
    element('CtrlSum', controlSum),
    `<ReqdExctnDt>${element('Dt', batch.requestedExecutionDate)}</ReqdExctnDt>`,
    `<Dbtr>${element('Nm', batch.debtor.name)}</Dbtr>`,
    `<DbtrAcct>${account(batch.debtor.accountNumber)}<Ccy>CNY</Ccy></DbtrAcct>`,
    `<DbtrAgt>${agent(batch.debtor.bankCode, batch.debtor.bankName)}</DbtrAgt>`,
    '<ChrgBr>SLEV</ChrgBr>',
  ];
  for (const line of batch.lines) {
    out.push(
      '<CdtTrfTxInf>' +
        `<PmtId>${element('EndToEndId', line.endToEndId)}</PmtId>` +
        `<Amt><InstdAmt Ccy="CNY">${fenToYuan(line.amountFen)}</InstdAmt></Amt>` +
        `<CdtrAgt>${agent(line.bankCode)}</CdtrAgt>` +
        `<Cdtr>${element('Nm', line.creditorName)}</Cdtr>` +
        `<CdtrAcct>${account(line.creditorAccountNumber)}</CdtrAcct>` +
        `<RmtInf>${element('Ustrd', line.remittance)}</RmtInf>` +
        '</CdtTrfTxInf>',
    );
  }
  out.push('</PmtInf>', '</CstmrCdtTrfInitn>', '</Document>', '');
  return out.join('\n');
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
