/**
 * The bank files (services/payroll/bank-files): a released batch written as pain.001.001.09 and
 * read back with an XML parser as the bank would read it, the finance bureau's CSV summary, and
 * the bank's answers (pain.002.001.10 and a CSV return file) read into one status per line.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { Random } from '../../infra/seed/random.js';
import {
  BankFileRefusal,
  endToEndIdFor,
  fenToYuan,
  parsePain002,
  parseReturnCsv,
  readPain001,
  reconcile,
  renderReasons,
  streamCsvSummary,
  streamPain001,
  toCsvSummary,
  toPain001,
  yuanToFen,
  type PaymentBatchFile,
  type PaymentBatchFileLine,
} from '../../services/payroll/bank-files/index.js';
import { parseCsv } from '../../services/payroll/bank-files/csv.js';

const line = (endToEndId: string, amountFen: number, creditorName = '张三'): PaymentBatchFileLine => ({
  endToEndId,
  creditorName,
  creditorAccountNumber: '6217000010001234567',
  bankCode: '105468000011',
  amountFen,
  remittance: '高龄津贴 2026-11',
});

function batchOf(lines: PaymentBatchFileLine[], overrides: Partial<PaymentBatchFile> = {}): PaymentBatchFile {
  return {
    batchId: 'PAY-old-age-2026-11-01',
    createdAt: '2026-11-20T09:00:00+08:00',
    requestedExecutionDate: '2026-11-25',
    debtor: { name: '德州市民政局', accountNumber: '37001600000050000001', bankCode: '102468000016' },
    count: lines.length,
    totalFen: lines.reduce((sum, each) => sum + each.amountFen, 0),
    lines,
    ...overrides,
  };
}

const TEST_BATCH = batchOf([
  line('L-7f3a9c01', 1),
  line('L-7f3a9c02', 100_000, 'Smith & <Sons> "李四"'),
  line('L-7f3a9c03', 20_050, '王五'),
]);

/** The document as an XML parser reads it: values kept as text, elements in order where asked. */
const parse = (xml: string) =>
  new XMLParser({ ignoreAttributes: false, parseTagValue: false, isArray: (name) => name === 'CdtTrfTxInf' }).parse(
    xml,
  ) as {
    Document: {
      '@_xmlns': string;
      CstmrCdtTrfInitn: {
        GrpHdr: { NbOfTxs: string; CtrlSum: string; MsgId: string };
        PmtInf: {
          PmtMtd: string;
          NbOfTxs: string;
          CtrlSum: string;
          ReqdExctnDt: { Dt: string };
          CdtTrfTxInf: {
            PmtId: { EndToEndId: string };
            Amt: { InstdAmt: { '#text': string; '@_Ccy': string } };
            Cdtr: { Nm: string };
            CdtrAcct: { Id: { Othr: { Id: string } } };
            RmtInf: { Ustrd: string };
          }[];
        };
      };
    };
  };

const orderOf = (nodes: Record<string, unknown>[]) => nodes.map((node) => Object.keys(node)[0]);

function refusalOf(action: () => unknown): BankFileRefusal {
  try {
    action();
  } catch (error) {
    if (error instanceof BankFileRefusal) return error;
    throw error;
  }
  throw new Error('expected a BankFileRefusal');
}

describe('amounts in yuan from integer fen', () => {
  it.each([
    [1, '0.01'],
    [10, '0.10'],
    [100, '1.00'],
    [20_050, '200.50'],
    [100_000, '1000.00'],
    [Number.MAX_SAFE_INTEGER, '90071992547409.91'],
  ])('%i fen is written as %s yuan and read back exactly', (fen, yuan) => {
    expect(fenToYuan(fen)).toBe(yuan);
    expect(yuanToFen(yuan)).toBe(fen);
  });

  it.each(['1.001', '1e3', '1,000.00', ' 1.00', '', '.5', '0x10'])('%j is not read as an amount', (text) => {
    expect(yuanToFen(text)).toBeUndefined();
  });
});

describe('end-to-end IDs from business keys', () => {
  const key = 'old-age-allowance:p_4k2n7q9s1t3v5x7z9b1d3f5h7j:2026-11';

  it('are the same for the same key, differ between keys, and hold no part of the key', () => {
    expect(endToEndIdFor(key)).toBe(endToEndIdFor(key));
    expect(endToEndIdFor(key)).not.toBe(endToEndIdFor(`${key}x`));
    expect(endToEndIdFor(key)).toMatch(/^AF[A-Z2-7]{32}$/);
    expect(endToEndIdFor(key)).not.toContain('4K2N7Q9S');
  });

  it('go into a pain.001 file as they are', () => {
    const id = endToEndIdFor(key);
    expect(readPain001(toPain001(batchOf([line(id, 10_000)]))).lines).toEqual([{ endToEndId: id, amountFen: 10_000 }]);
  });
});

describe('the pain.001.001.09 credit transfer file', () => {
  const xml = toPain001(TEST_BATCH);
  const document = parse(xml).Document;
  const header = document.CstmrCdtTrfInitn.GrpHdr;
  const instruction = document.CstmrCdtTrfInitn.PmtInf;

  it('parses back with a count and control sum equal to the lines', () => {
    expect(document['@_xmlns']).toBe('urn:iso:std:iso:20022:tech:xsd:pain.001.001.09');
    expect(header.MsgId).toBe('PAY-old-age-2026-11-01');
    expect(header.NbOfTxs).toBe('3');
    expect(header.CtrlSum).toBe('1200.51');
    expect(instruction.NbOfTxs).toBe('3');
    expect(instruction.CtrlSum).toBe('1200.51');
    expect(instruction.PmtMtd).toBe('TRF');
    expect(instruction.ReqdExctnDt.Dt).toBe('2026-11-25');
    expect(readPain001(xml)).toEqual({
      messageId: 'PAY-old-age-2026-11-01',
      count: 3,
      controlSumFen: 120_051,
      lines: [
        { endToEndId: 'L-7f3a9c01', amountFen: 1 },
        { endToEndId: 'L-7f3a9c02', amountFen: 100_000 },
        { endToEndId: 'L-7f3a9c03', amountFen: 20_050 },
      ],
    });
  });

  it('writes 1 fen as 0.01 and 100000 fen as 1000.00 yuan, in CNY', () => {
    const amounts = instruction.CdtTrfTxInf.map((each) => each.Amt.InstdAmt);
    expect(amounts).toEqual([
      { '#text': '0.01', '@_Ccy': 'CNY' },
      { '#text': '1000.00', '@_Ccy': 'CNY' },
      { '#text': '200.50', '@_Ccy': 'CNY' },
    ]);
  });

  it('escapes a name with & < > and quotes, and keeps Chinese text as written', () => {
    expect(xml).toContain('<Nm>Smith &amp; &lt;Sons&gt; &quot;李四&quot;</Nm>');
    expect(instruction.CdtTrfTxInf[1].Cdtr.Nm).toBe('Smith & <Sons> "李四"');
    expect(instruction.CdtTrfTxInf[0].Cdtr.Nm).toBe('张三');
    expect(instruction.CdtTrfTxInf[0].RmtInf.Ustrd).toBe('高龄津贴 2026-11');
    expect(instruction.CdtTrfTxInf[0].CdtrAcct.Id.Othr.Id).toBe('6217000010001234567');
    expect(instruction.CdtTrfTxInf.map((each) => each.PmtId.EndToEndId)).toEqual([
      'L-7f3a9c01',
      'L-7f3a9c02',
      'L-7f3a9c03',
    ]);
  });

  it('puts the elements of the header, the instruction and a transaction in the schema order', () => {
    const ordered = new XMLParser({ preserveOrder: true, ignoreAttributes: false }).parse(xml) as Record<
      string,
      Record<string, Record<string, Record<string, unknown>[]>[]>[]
    >[];
    const root = ordered.find((node) => 'Document' in node)!.Document[0].CstmrCdtTrfInitn;
    expect(orderOf(root)).toEqual(['GrpHdr', 'PmtInf']);
    expect(orderOf(root[0].GrpHdr)).toEqual(['MsgId', 'CreDtTm', 'NbOfTxs', 'CtrlSum', 'InitgPty']);
    const payment = root[1].PmtInf;
    expect(orderOf(payment)).toEqual([
      'PmtInfId',
      'PmtMtd',
      'BtchBookg',
      'NbOfTxs',
      'CtrlSum',
      'ReqdExctnDt',
      'Dbtr',
      'DbtrAcct',
      'DbtrAgt',
      'ChrgBr',
      'CdtTrfTxInf',
      'CdtTrfTxInf',
      'CdtTrfTxInf',
    ]);
    const transaction = payment[10].CdtTrfTxInf as Record<string, unknown>[];
    expect(orderOf(transaction)).toEqual(['PmtId', 'Amt', 'CdtrAgt', 'Cdtr', 'CdtrAcct', 'RmtInf']);
  });

  it('refuses to export a batch whose stated total differs from its lines, naming totalFen', () => {
    const refusal = refusalOf(() => toPain001({ ...TEST_BATCH, totalFen: 120_050 }));
    expect(refusal.code).toBe('INVALID_PAYMENT_BATCH');
    expect(refusal.field).toBe('totalFen');
    expect(refusal.message).toContain('120051');
    expect(refusalOf(() => toCsvSummary({ ...TEST_BATCH, totalFen: 120_050 })).field).toBe('totalFen');
  });

  it('refuses a batch whose stated count differs from its lines, naming count', () => {
    expect(refusalOf(() => toPain001({ ...TEST_BATCH, count: 4 })).field).toBe('count');
  });

  it.each([
    [0, 'zero'],
    [-100, 'negative'],
    [10.5, 'a fraction of a fen'],
    [Number.NaN, 'not a number'],
  ])('refuses a line of %s fen (%s), naming the line', (amountFen) => {
    const lines = [line('L-1', 100), line('L-2', amountFen)];
    const refusal = refusalOf(() => toPain001({ ...batchOf(lines), totalFen: 100 }));
    expect(refusal.code).toBe('INVALID_PAYMENT_BATCH');
    expect(refusal.field).toBe('lines[1].amountFen');
  });

  it('carries a rare character beyond the basic plane (𠮷) and refuses half of one or a control character', () => {
    const rare = toPain001(batchOf([line('L-1', 1, '𠮷野家')]));
    expect(rare).toContain('<Nm>𠮷野家</Nm>');
    expect(readPain001(rare).count).toBe(1);
    expect(refusalOf(() => toPain001(batchOf([line('L-1', 1, '\uD842野')]))).field).toBe('lines[0].creditorName');
    expect(refusalOf(() => toPain001(batchOf([line('L-1', 1, '张\u0007三')]))).field).toBe('lines[0].creditorName');
  });

  it('refuses an end-to-end ID used twice, an empty batch, and a bank code that is not 12 digits', () => {
    expect(refusalOf(() => toPain001(batchOf([line('L-1', 1), line('L-1', 2)]))).field).toBe('lines[1].endToEndId');
    expect(refusalOf(() => toPain001(batchOf([]))).field).toBe('lines');
    expect(refusalOf(() => toPain001(batchOf([{ ...line('L-1', 1), bankCode: '1054' }]))).field).toBe(
      'lines[0].bankCode',
    );
  });

  it('balances to the fen over 200 random batches: CtrlSum is the exact sum of the lines', () => {
    const random = new Random('bank-files-round-trip');
    for (let round = 0; round < 200; round++) {
      const lines = Array.from({ length: random.int(1, 40) }, (_, index) =>
        line(
          `L-${round}-${index}`,
          random.chance(0.2) ? random.int(1, 99) : random.int(1, 5_000_000_000),
          random.pick(['张三', 'O’Brien & 李', '<王>', '赵六']),
        ),
      );
      const batch = batchOf(lines);
      const expectedFen = lines.reduce((sum, each) => sum + BigInt(each.amountFen), 0n);
      const read = readPain001(toPain001(batch));
      expect(read.count).toBe(lines.length);
      expect(BigInt(read.controlSumFen)).toBe(expectedFen);
      expect(read.lines.reduce((sum, each) => sum + BigInt(each.amountFen), 0n)).toBe(expectedFen);
      expect(read.lines).toEqual(lines.map(({ endToEndId, amountFen }) => ({ endToEndId, amountFen })));
    }
  });
});

describe('the CSV summary for the finance bureau', () => {
  const csv = toCsvSummary(TEST_BATCH);
  const rows = parseCsv(csv).map((row) => row.fields);

  it('starts with a byte-order mark and quotes every field', () => {
    expect(csv.startsWith('\uFEFF"序号 No."')).toBe(true);
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(5);
  });

  it('has a header, one row per line with masked accounts, and a total row equal to the lines', () => {
    expect(rows[0][1]).toBe('支付编号 End-to-end ID');
    expect(rows.slice(1, 4).map((row) => [row[1], row[2], row[3], row[5]])).toEqual([
      ['L-7f3a9c01', '张三', '***************4567', '0.01'],
      ['L-7f3a9c02', 'Smith & <Sons> "李四"', '***************4567', '1000.00'],
      ['L-7f3a9c03', '王五', '***************4567', '200.50'],
    ]);
    expect(rows[4][0]).toBe('合计 Total');
    expect(rows[4][5]).toBe('1200.51');
  });

  it('keeps a name a spreadsheet would run as a formula as plain text', () => {
    const summary = toCsvSummary(batchOf([line('L-1', 1, '=HYPERLINK("x")')]));
    expect(parseCsv(summary)[1].fields[2]).toBe(`'=HYPERLINK("x")`);
  });
});

async function* cursor(lines: readonly PaymentBatchFileLine[]) {
  for (const each of lines) yield await Promise.resolve(each);
}

async function collect(pieces: AsyncIterable<string>): Promise<{ text: string; error?: unknown }> {
  let text = '';
  try {
    for await (const piece of pieces) text += piece;
  } catch (error) {
    return { text, error };
  }
  return { text };
}

describe('the files written from a stream of lines', () => {
  const { lines, ...head } = TEST_BATCH;

  it('are the same bytes as the files written from the whole batch', async () => {
    expect((await collect(streamPain001(head, cursor(lines)))).text).toBe(toPain001(TEST_BATCH));
    expect((await collect(streamCsvSummary(head, cursor(lines)))).text).toBe(toCsvSummary(TEST_BATCH));
  });

  it('withhold the end of the file when the lines fall short of the stated total, naming totalFen', async () => {
    const short = await collect(streamPain001({ ...head, totalFen: head.totalFen + 1 }, cursor(lines)));
    expect(short.error).toBeInstanceOf(BankFileRefusal);
    expect((short.error as BankFileRefusal).field).toBe('totalFen');
    expect(short.text).not.toContain('</Document>');
    const summary = await collect(streamCsvSummary({ ...head, count: 2 }, cursor(lines)));
    expect((summary.error as BankFileRefusal).field).toBe('count');
    expect(summary.text).not.toContain('合计 Total');
  });

  it('stop at the first bad line, naming it', async () => {
    const bad = await collect(streamPain001(head, cursor([lines[0], { ...lines[1], bankCode: 'x' }, lines[2]])));
    expect((bad.error as BankFileRefusal).field).toBe('lines[1].bankCode');
    expect(bad.text).not.toContain(lines[1].endToEndId);
  });
});

const pain002 = (transactions: string, group = '') => `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10">
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>BANK-STS-0001</MsgId><CreDtTm>2026-11-25T16:00:00+08:00</CreDtTm></GrpHdr>
    <OrgnlGrpInfAndSts>
      <OrgnlMsgId>PAY-old-age-2026-11-01</OrgnlMsgId>
      <OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>
      ${group}
    </OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>PAY-old-age-2026-11-01</OrgnlPmtInfId>
      ${transactions}
    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>`;

describe('the pain.002.001.10 status report', () => {
  const report = parsePain002(
    pain002(
      `<TxInfAndSts><OrgnlEndToEndId>L-7f3a9c01</OrgnlEndToEndId><TxSts>ACSC</TxSts>
         <OrgnlTxRef><Amt><InstdAmt Ccy="CNY">0.01</InstdAmt></Amt></OrgnlTxRef></TxInfAndSts>
       <TxInfAndSts><OrgnlEndToEndId>L-7f3a9c02</OrgnlEndToEndId><TxSts>RJCT</TxSts>
         <StsRsnInf><Rsn><Cd>AC04</Cd></Rsn><AddtlInf>账户已销户 &amp; 无法入账</AddtlInf></StsRsnInf></TxInfAndSts>
       <TxInfAndSts><OrgnlEndToEndId>L-7f3a9c03</OrgnlEndToEndId><TxSts>ACSC</TxSts></TxInfAndSts>`,
      '<GrpSts>PART</GrpSts>',
    ),
  );

  it('reports the line rejected for a closed account (AC04) with its reason in both languages', () => {
    expect(report.originalMessageId).toBe('PAY-old-age-2026-11-01');
    expect(report.group).toEqual({ statusCode: 'PART', outcome: 'partial' });
    const rejected = report.lines.filter((each) => each.outcome === 'rejected');
    expect(rejected).toEqual([
      {
        endToEndId: 'L-7f3a9c02',
        outcome: 'rejected',
        statusCode: 'RJCT',
        reason: {
          code: 'AC04',
          text: { zh: '收款账户已销户', en: 'account closed' },
          accountProblem: true,
          detail: '账户已销户 & 无法入账',
        },
      },
    ]);
  });

  it('reports the other lines accepted, with the amount the bank read', () => {
    expect(report.lines.map((each) => [each.endToEndId, each.outcome])).toEqual([
      ['L-7f3a9c01', 'accepted'],
      ['L-7f3a9c02', 'rejected'],
      ['L-7f3a9c03', 'accepted'],
    ]);
    expect(report.lines[0].amountFen).toBe(1);
  });

  it('reads a report whose elements carry a namespace prefix', () => {
    const prefixed = pain002('<TxInfAndSts><OrgnlEndToEndId>L-1</OrgnlEndToEndId><TxSts>ACSC</TxSts></TxInfAndSts>')
      .replace('<Document xmlns=', '<p:Document xmlns:p=')
      .replace(/<(\/?)(?!\?|p:Document)([A-Za-z])/g, '<$1p:$2');
    expect(prefixed).toContain('<p:TxSts>ACSC</p:TxSts>');
    expect(parsePain002(prefixed).lines).toEqual([{ endToEndId: 'L-1', outcome: 'accepted', statusCode: 'ACSC' }]);
  });

  it('applies a status given for the instruction to lines that carry none', () => {
    const inherited = parsePain002(
      pain002(
        `<PmtInfSts>RJCT</PmtInfSts><StsRsnInf><Rsn><Cd>BE01</Cd></Rsn></StsRsnInf>
         <TxInfAndSts><OrgnlEndToEndId>L-1</OrgnlEndToEndId></TxInfAndSts>`,
      ),
    );
    expect(inherited.lines[0]).toMatchObject({ outcome: 'rejected', reason: { code: 'BE01', accountProblem: true } });
  });

  it.each([
    ['malformed XML', '<Document><CstmrPmtStsRpt>', 'line 1'],
    [
      'another message',
      '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><CstmrPmtStsRpt/></Document>',
      'Document',
    ],
    [
      'a transaction without its end-to-end ID',
      pain002('<TxInfAndSts><TxSts>ACSC</TxSts></TxInfAndSts>'),
      'OrgnlPmtInfAndSts[0]/TxInfAndSts[0]/OrgnlEndToEndId',
    ],
    [
      'an unknown status',
      pain002('<TxInfAndSts><OrgnlEndToEndId>L-1</OrgnlEndToEndId><TxSts>PAID</TxSts></TxInfAndSts>'),
      'OrgnlPmtInfAndSts[0]/TxInfAndSts[0]/TxSts',
    ],
    ['a document type declaration', '<!DOCTYPE x [<!ENTITY a "b">]><Document/>', 'DOCTYPE'],
  ])('refuses %s, naming where', (_, xml, field) => {
    const refusal = refusalOf(() => parsePain002(xml));
    expect(refusal.code).toBe('BAD_BANK_FILE');
    expect(refusal.field).toBe(field);
  });
});

describe('the CSV return file', () => {
  it('reads a rejected line (AC04) with its reason and the paid lines as accepted', () => {
    const lines = parseReturnCsv(
      '\uFEFFend_to_end_id,status,reason_code,amount,note\r\n' +
        'L-7f3a9c01,PAID,,0.01,\r\n' +
        'L-7f3a9c02,REJECTED,AC04,1000.00,"账户已销户, 请核实"\r\n' +
        'L-7f3a9c03,成功,,200.50,\r\n',
    );
    expect(lines).toEqual([
      { endToEndId: 'L-7f3a9c01', outcome: 'accepted', statusCode: 'PAID', amountFen: 1 },
      {
        endToEndId: 'L-7f3a9c02',
        outcome: 'rejected',
        statusCode: 'REJECTED',
        amountFen: 100_000,
        reason: {
          code: 'AC04',
          text: { zh: '收款账户已销户', en: 'account closed' },
          accountProblem: true,
          detail: '账户已销户, 请核实',
        },
      },
      { endToEndId: 'L-7f3a9c03', outcome: 'accepted', statusCode: 'PAID', amountFen: 20_050 },
    ]);
  });

  it('reads the columns in any order and names an unknown code generically', () => {
    const [only] = parseReturnCsv('Status,End_To_End_Id,Reason_Code\nREJECTED,L-1,ZZ99\n');
    expect(only.reason?.text.en).toContain('ZZ99');
    expect(only.reason?.accountProblem).toBe(false);
  });

  it.each([
    ['a missing column', 'end_to_end_id,amount\nL-1,1.00\n', 'line 1/status'],
    ['a rejection without a reason', 'end_to_end_id,status\nL-1,PAID\nL-2,REJECTED\n', 'line 3/reason_code'],
    ['an unknown status', 'end_to_end_id,status\nL-1,MAYBE\n', 'line 2/status'],
    ['an amount with three decimals', 'end_to_end_id,status,amount\nL-1,PAID,1.001\n', 'line 2/amount'],
    ['an ID reported twice', 'end_to_end_id,status\nL-1,PAID\nL-1,PAID\n', 'line 3/end_to_end_id'],
    ['a quote never closed', 'end_to_end_id,status\n"L-1,PAID\n', 'line 2'],
  ])('refuses %s, naming the line and column', (_, text, field) => {
    const refusal = refusalOf(() => parseReturnCsv(text));
    expect(refusal.code).toBe('BAD_BANK_FILE');
    expect(refusal.field).toBe(field);
  });
});

describe('reconciling the answer with the batch', () => {
  const sent = TEST_BATCH.lines.map(({ endToEndId, amountFen }) => ({ endToEndId, amountFen }));

  it('puts the rejected line on the worklist with its reason, the others paid, and balances to the fen', () => {
    const result = reconcile(
      sent,
      parsePain002(
        pain002(
          `<TxInfAndSts><OrgnlEndToEndId>L-7f3a9c01</OrgnlEndToEndId><TxSts>ACSC</TxSts></TxInfAndSts>
           <TxInfAndSts><OrgnlEndToEndId>L-7f3a9c02</OrgnlEndToEndId><TxSts>RJCT</TxSts>
             <StsRsnInf><Rsn><Cd>AC04</Cd></Rsn></StsRsnInf></TxInfAndSts>
           <TxInfAndSts><OrgnlEndToEndId>L-7f3a9c03</OrgnlEndToEndId><TxSts>ACSC</TxSts></TxInfAndSts>`,
        ),
      ),
    );
    expect(result.accepted.map((each) => each.endToEndId)).toEqual(['L-7f3a9c01', 'L-7f3a9c03']);
    expect(result.rejected.map((each) => [each.endToEndId, each.reason?.code])).toEqual([['L-7f3a9c02', 'AC04']]);
    expect(result.totals).toEqual({
      sentFen: 120_051,
      acceptedFen: 20_051,
      rejectedFen: 100_000,
      pendingFen: 0,
      unansweredFen: 0,
      mismatchedFen: 0,
    });
  });

  it('rejects every line of a file the bank rejected as a whole', () => {
    const whole = parsePain002(pain002('', '<GrpSts>RJCT</GrpSts><StsRsnInf><Rsn><Cd>FF01</Cd></Rsn></StsRsnInf>'));
    expect(whole.group).toMatchObject({ outcome: 'rejected', reason: { code: 'FF01' } });
    expect(whole.lines).toEqual([]);
    const result = reconcile(sent, whole);
    expect(result.rejected.map((each) => [each.endToEndId, each.reason?.code])).toEqual([
      ['L-7f3a9c01', 'FF01'],
      ['L-7f3a9c02', 'FF01'],
      ['L-7f3a9c03', 'FF01'],
    ]);
    expect(result.totals.rejectedFen).toBe(120_051);
  });

  it('rejects every line when the one payment instruction is rejected without line details', () => {
    const instruction = parsePain002(
      pain002('<PmtInfSts>RJCT</PmtInfSts><StsRsnInf><Rsn><Cd>AM04</Cd></Rsn></StsRsnInf>'),
    );
    expect(instruction.group).toMatchObject({ outcome: 'rejected', reason: { code: 'AM04', accountProblem: false } });
    expect(reconcile(sent, instruction).totals.rejectedFen).toBe(120_051);
  });

  it('sets aside an answer with another amount, an answer for a line not sent, and keeps the unanswered', () => {
    const result = reconcile(sent, {
      lines: parseReturnCsv(
        'end_to_end_id,status,amount\nL-7f3a9c01,PAID,0.02\nL-elsewhere,PAID,5.00\nL-7f3a9c03,PAID,200.50\n',
      ),
    });
    expect(result.mismatched).toMatchObject([{ endToEndId: 'L-7f3a9c01', sentFen: 1, reportedFen: 2 }]);
    expect(result.unknown.map((each) => each.endToEndId)).toEqual(['L-elsewhere']);
    expect(result.unanswered).toEqual([{ endToEndId: 'L-7f3a9c02', amountFen: 100_000 }]);
    expect(result.accepted.map((each) => each.endToEndId)).toEqual(['L-7f3a9c03']);
    const { sentFen, ...groups } = result.totals;
    expect(Object.values(groups).reduce((sum, fen) => sum + fen, 0)).toBe(sentFen);
  });
});

describe('damaged bank answers', () => {
  /** A copy of the text with a few characters deleted, doubled or replaced by markup characters. */
  function damage(text: string, random: Random): string {
    let out = text;
    for (let edit = random.int(1, 4); edit > 0; edit--) {
      const at = random.int(0, out.length - 1);
      const choice = random.int(0, 2);
      if (choice === 0) out = out.slice(0, at) + out.slice(at + random.int(1, 12));
      else if (choice === 1) out = out.slice(0, at) + out.slice(at, at + 20) + out.slice(at);
      else out = out.slice(0, at) + random.pick(['<', '>', '/', '"', ',', '\n', '&', 'x']) + out.slice(at + 1);
    }
    return out;
  }

  const refusedOrRead = (read: () => unknown) => {
    try {
      read();
      return 'read';
    } catch (error) {
      if (error instanceof BankFileRefusal && error.code === 'BAD_BANK_FILE' && error.field) return 'refused';
      throw error;
    }
  };

  it('are read or refused with BAD_BANK_FILE naming where, never a crash (500 damaged copies each)', () => {
    const random = new Random('damaged-bank-answers');
    const xml = pain002(
      `<TxInfAndSts><OrgnlEndToEndId>L-1</OrgnlEndToEndId><TxSts>RJCT</TxSts>
         <StsRsnInf><Rsn><Cd>AC04</Cd></Rsn><AddtlInf>closed</AddtlInf></StsRsnInf>
         <OrgnlTxRef><Amt><InstdAmt Ccy="CNY">1.00</InstdAmt></Amt></OrgnlTxRef></TxInfAndSts>`,
      '<GrpSts>PART</GrpSts>',
    );
    const csv = 'end_to_end_id,status,reason_code,amount,note\r\nL-1,REJECTED,AC04,1.00,"closed, sorry"\r\n';
    const outcomes = new Set<string>();
    for (let copy = 0; copy < 500; copy++) {
      outcomes.add(refusedOrRead(() => parsePain002(damage(xml, random))));
      outcomes.add(refusedOrRead(() => parseReturnCsv(damage(csv, random))));
    }
    expect([...outcomes].sort()).toEqual(['read', 'refused']);
  });
});

describe('docs/BANK-FILES.md', () => {
  it('shows the reason table the readers use', () => {
    const doc = readFileSync(fileURLToPath(new URL('../../docs/BANK-FILES.md', import.meta.url)), 'utf8');
    expect(doc).toContain(renderReasons());
  });
});
