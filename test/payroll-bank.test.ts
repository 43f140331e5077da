/**
 * Money to the bank and back, on the real stack (Java time-skipping server, FerretDB, Redis): a
 * released old-age allowance batch is exported as a pain.001 file that parses back with its count
 * and control sum equal to its lines (a beneficiary without a usable account withheld onto the
 * worklist); the bank's return file rejects one line for a closed account, which goes onto the
 * worklist once however often the file is imported; the next payroll does not repay it while the
 * account stays closed, and once it is corrected the next period's batch repays it once and
 * balances; every account read has an access record with its purpose; HTTP and the CLI end to end.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ACCOUNT_PURPOSES } from '../activities/shared-data/bank-account.js';
import { buildApi } from '../api/server.js';
import { endToEndIdFor, readPain001 } from '../services/payroll/bank-files/index.js';
import { citizenPayments } from '../services/citizen/payments.js';
import { createPayrollService } from '../services/payroll/service.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { createSimulationRunner } from '../services/policies/simulation.js';
import { registerAccessRecordModel } from '../store/access-records.js';
import { registerTaskModels } from '../store/tasks.js';
import { registerBankFileModels } from '../store/bank-files.js';
import { balanceOf } from '../domain/ledger.js';
import { registerLedgerModel } from '../store/ledger.js';
import { paymentLineKey, registerPayrollModels } from '../store/payroll.js';
import type { User } from '../store/users.js';
import { payrollWorkflowId } from '../workflows/contracts/index.js';
import { payroll } from '../workflows/payroll.js';
import { ALL_UP } from './support/all-up.js';
import { updateFacts, type TestSubject } from './support/city.js';
import type { Pipeline } from './support/pipeline.js';
import { runInstalled } from './support/run-node.js';
import { payrollCity } from './support/payroll-city.js';
import { openTimeSkippingPipeline, type TimeSkippingPipeline } from './support/time-skipping-pipeline.js';
import { testSessions, testUser } from './support/users.js';

const stack = inject('stack');
let harness: TimeSkippingPipeline;
let env: TestWorkflowEnvironment;
let pipeline: Pipeline;

const officer: User = { id: 'u_officer1', name: '王经办', role: 'officer' };
const reviewer: User = { id: 'u_reviewer1', name: '李审核', role: 'reviewer' };
const POLICY = 'old-age-allowance';
let serial = 10;
/** A social security card account as the human resources bureau holds it. */
const account = (holder: string) => ({
  'person.bankAccountNumber': `9102014681${String((serial += 1)).padStart(9, '0')}`,
  'person.bankAccountHolderName': holder,
  'person.bankAccountBankCode': '102468100025',
  'person.bankAccountStatus': 'active',
});

/** Paid every month (opened by January's grant): three with an account, one without. */
const people: Record<'paid' | 'closing' | 'mismatched' | 'noAccount', TestSubject> = {} as never;

beforeAll(async () => {
  harness = await openTimeSkippingPipeline(stack, 'bank');
  ({ env, pipeline } = harness);
  people.paid = await senior('1940-01-10', account('张秀英'));
  people.closing = await senior('1941-02-11', account('李桂兰'));
  people.mismatched = await senior('1942-03-12', account('王建国'));
  people.noAccount = await senior('1943-04-13', {});
});

afterAll(async () => {
  await harness?.close();
});

const service = () =>
  createPayrollService({ store: pipeline.store, temporal: env.client, taskQueue: pipeline.taskQueue });

/** A senior granted January (which opens the entitlement), with `facts` such as an account on record. */
const senior = (birthDate: string, facts: Record<string, unknown>) =>
  payrollCity(env, pipeline).senior(birthDate, '2026-01', facts);

const runPayroll = (period: string) =>
  env.client.workflow.execute(payroll, {
    workflowId: payrollWorkflowId(POLICY, period),
    taskQueue: pipeline.taskQueue,
    args: [{ policyId: POLICY, period, startedBy: officer.name, startedById: officer.id }],
  });

const text = async (parts: AsyncIterable<string>) => {
  let all = '';
  for await (const part of parts) all += part;
  return all;
};

const lineOf = (subject: TestSubject, period: string) =>
  registerPayrollModels(pipeline.store)
    .PaymentLine.findById(paymentLineKey(POLICY, subject.subjectKey, period))
    .lean();

/** A bank's CSV return file. */
const returnFile = (rows: string[][]) =>
  ['end_to_end_id,status,reason_code,amount,note', ...rows.map((row) => row.join(','))].join('\r\n') + '\r\n';

/** A bank's pain.002.001.10 status report on a message, one transaction per entry. */
const statusReport = (originalMessageId: string, lines: Array<[string, string, string?]>) =>
  [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt>',
    '<GrpHdr><MsgId>BANK-0001</MsgId><CreDtTm>2026-02-06T10:00:00+08:00</CreDtTm></GrpHdr>',
    `<OrgnlGrpInfAndSts><OrgnlMsgId>${originalMessageId}</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId></OrgnlGrpInfAndSts>`,
    '<OrgnlPmtInfAndSts><OrgnlPmtInfId>x</OrgnlPmtInfId>',
    ...lines.map(
      ([id, status, reason]) =>
        `<TxInfAndSts><OrgnlEndToEndId>${id}</OrgnlEndToEndId><TxSts>${status}</TxSts>${reason ? `<StsRsnInf><Rsn><Cd>${reason}</Cd></Rsn></StsRsnInf>` : ''}</TxInfAndSts>`,
    ),
    '</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>',
  ].join('\n');

describe('money to the bank and back', () => {
  let february: string;

  it('a released batch exports a pain.001 file whose count and control sum, parsed back, equal its lines; a beneficiary without an account is withheld onto the worklist', async () => {
    const { PaymentLine } = registerPayrollModels(pipeline.store);
    const { BankExport, PaymentReturn } = registerBankFileModels(pipeline.store);
    february = (await runPayroll('2026-02')).batchId;
    await expect(service().exportBatch(officer, february)).rejects.toMatchObject({ code: 'WRONG_STATUS' });
    const released = await service().release(reviewer, february);
    expect(released).toMatchObject({ totalFen: 40_000, counts: { lines: 4 } });

    const exported = await service().exportBatch(officer, february);
    expect(exported).toEqual({
      batchId: february,
      messageId: february,
      count: 3,
      totalFen: 30_000,
      withheld: 1,
      files: {
        pain001: `/payroll/batches/${encodeURIComponent(february)}/files/pain001.xml`,
        summary: `/payroll/batches/${encodeURIComponent(february)}/files/summary.csv`,
      },
    });

    const xml = await text((await service().bankFile(february, 'pain001')).text);
    const parsed = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'CdtTrfTxInf' }).parse(xml);
    const header = parsed.Document.CstmrCdtTrfInitn.GrpHdr;
    const transactions = parsed.Document.CstmrCdtTrfInitn.PmtInf.CdtTrfTxInf as Array<{
      PmtId: { EndToEndId: string };
      Amt: { InstdAmt: string | { '#text': string } };
    }>;
    expect(header).toMatchObject({ MsgId: february, NbOfTxs: '3', CtrlSum: '300.00' });
    expect(transactions).toHaveLength(3);
    const sent = await PaymentLine.find({ batchId: february, 'bank.status': 'sent' }).lean();
    expect(sent.map((line) => line.subjectKey).sort()).toEqual(
      [people.paid, people.closing, people.mismatched].map((p) => p.subjectKey).sort(),
    );
    expect(transactions.map((t) => t.PmtId.EndToEndId).sort()).toEqual(sent.map((l) => l.bank!.endToEndId).sort());
    expect(readPain001(xml)).toMatchObject({ messageId: february, count: 3, controlSumFen: 30_000 });
    expect(readPain001(xml).lines.reduce((sum, line) => sum + line.amountFen, 0)).toBe(30_000);
    expect(xml).toContain('张秀英');
    expect(xml).not.toContain(people.paid.id);

    // Recorded once, with the file's hash: exporting again answers the same file, byte for byte.
    const record = await BankExport.findById(february).lean();
    expect(record).toMatchObject({ status: 'complete', messageId: february, count: 3, totalFen: 30_000 });
    expect(record?.sha256?.pain001).toBe(createHash('sha256').update(xml, 'utf8').digest('hex'));
    expect(await service().exportBatch(officer, february)).toEqual(exported);
    expect(await text((await service().bankFile(february, 'pain001')).text)).toBe(xml);
    const summary = await text((await service().bankFile(february, 'summary')).text);
    expect(summary).toMatch(/^\uFEFF"序号 No\."/);
    expect(summary).toContain('"合计 Total","3 笔 payments"');
    expect(summary).not.toContain(people.paid.id);

    const withheld = await PaymentReturn.find({ batchId: february }).lean();
    expect(withheld.map((e) => [e.subjectKey, e.reasonCode, e.fixable, e.status, e.origin])).toEqual([
      [people.noAccount.subjectKey, 'NO-ACCOUNT', true, 'open', 'export'],
    ]);
    expect((await lineOf(people.noAccount, '2026-02'))?.bank?.status).toBe('withheld');

    // Every account read is on record with its purpose, one per subject and export.
    const reads = await registerAccessRecordModel(pipeline.store)
      .find({ caseId: february, source: 'social-security-card' })
      .lean();
    expect(reads).toHaveLength(4);
    expect(reads.every((r) => r.purposes.includes(ACCOUNT_PURPOSES.disbursement))).toBe(true);
  });

  it('a return file with one line rejected for a closed account puts exactly that line on the worklist, and importing it twice changes nothing', async () => {
    const { PaymentLine } = registerPayrollModels(pipeline.store);
    const { PaymentReturn } = registerBankFileModels(pipeline.store);
    await updateFacts(pipeline.store, people.closing, { 'person.bankAccountStatus': 'closed' });
    const id = async (subject: TestSubject) => (await lineOf(subject, '2026-02'))!.bank!.endToEndId;
    const file = returnFile([
      [await id(people.paid), 'PAID', '', '100.00', ''],
      [await id(people.closing), 'REJECTED', 'AC04', '100.00', '"账户已销户, 请核实"'],
      [await id(people.mismatched), 'PAID', '', '99.00', ''],
      ['AFNOTINTHISBATCH', 'PAID', '', '100.00', ''],
    ]);
    const first = await service().importReturns(officer, february, file);
    expect(first).toEqual({
      batchId: february,
      accepted: 1,
      rejected: 1,
      pending: 0,
      unanswered: 0,
      unknown: 1,
      mismatches: 1,
      details: {
        unknown: ['AFNOTINTHISBATCH'],
        mismatches: [{ endToEndId: await id(people.mismatched), sentFen: 10_000, reportedFen: 9_900 }],
      },
    });
    const snapshot = async () => ({
      lines: (await PaymentLine.find({ batchId: february }).sort({ _id: 1 }).lean()).map((l) => [l.subjectKey, l.bank]),
      returns: await PaymentReturn.find({}).sort({ _id: 1 }).lean(),
    });
    const before = await snapshot();
    expect(await service().importReturns(officer, february, file)).toEqual(first);
    expect(await snapshot()).toEqual(before);

    const rejected = before.returns.filter((entry) => entry.origin === 'bank');
    expect(rejected).toMatchObject([
      {
        subjectKey: people.closing.subjectKey,
        period: '2026-02',
        amountFen: 10_000,
        reasonCode: 'AC04',
        reason: { zh: '收款账户已销户', en: 'account closed' },
        detail: '账户已销户, 请核实',
        fixable: true,
        status: 'open',
      },
    ]);
    // Each returned line is an officer's task on the worklist, once however often the file is imported.
    const { Task } = registerTaskModels(pipeline.store);
    const returnTasks = await Task.find({ type: 'returned-payment', subjectKey: people.closing.subjectKey }).lean();
    expect(returnTasks.map((task) => [task.key, task.status, task.timeLimitDays, task.policyId])).toEqual([
      [`payroll-return:${rejected[0].lineKey}`, 'open', 10, POLICY],
    ]);
    expect((await lineOf(people.paid, '2026-02'))?.bank?.status).toBe('accepted');
    expect((await lineOf(people.closing, '2026-02'))?.bank).toMatchObject({
      status: 'rejected',
      reason: { code: 'AC04' },
    });
    expect((await lineOf(people.mismatched, '2026-02'))?.bank?.status).toBe('sent');

    // The bank's later status report settles the line it had reported with a wrong amount; one on another file is refused.
    const report = statusReport(february, [[await id(people.mismatched), 'ACSC']]);
    expect(await service().importReturns(officer, february, report)).toMatchObject({ accepted: 1, unanswered: 2 });
    expect((await lineOf(people.mismatched, '2026-02'))?.bank?.status).toBe('accepted');
    await expect(
      service().importReturns(officer, february, statusReport('payroll:other:2026-02', [])),
    ).rejects.toMatchObject({ code: 'BAD_BANK_FILE', field: 'OrgnlMsgId' });
  });

  it('is not repaid while the account stays closed; once corrected the next period’s batch repays it once and balances', async () => {
    const { PaymentLine } = registerPayrollModels(pipeline.store);
    const { PaymentReturn } = registerBankFileModels(pipeline.store);
    const original = paymentLineKey(POLICY, people.closing.subjectKey, '2026-02');
    const march = await runPayroll('2026-03');
    expect(march).toMatchObject({ lines: 4, totalFen: 40_000 });
    expect(await PaymentLine.countDocuments({ repays: { $exists: true } })).toBe(0);
    expect(await PaymentReturn.findById(original).lean()).toMatchObject({ status: 'open' });

    await updateFacts(pipeline.store, people.closing, { 'person.bankAccountStatus': 'active' });
    const april = await runPayroll('2026-04');
    // Four April payments and the repayment of February: not "new", not a changed amount.
    expect(april).toMatchObject({ lines: 5, totalFen: 50_000, new: 0, amountChanged: 0 });
    const repayment = await PaymentLine.findById(`${original}:repay`).lean();
    expect(repayment).toMatchObject({
      kind: 'payment',
      batchId: april.batchId,
      period: '2026-02',
      amountFen: 10_000,
      repays: original,
      status: 'pending',
    });
    expect(await PaymentReturn.findById(original).lean()).toMatchObject({
      status: 'repaid',
      repaidBy: `${original}:repay`,
      repaidIn: april.batchId,
    });
    // The subject without an account stays on the worklist: nothing to pay into yet.
    expect(
      await PaymentReturn.findById(paymentLineKey(POLICY, people.noAccount.subjectKey, '2026-02')).lean(),
    ).toMatchObject({ status: 'open' });

    // The assemble run again adds nothing; the batch balances to the fen.
    await pipeline.activities.assemblePayrollBatch({ batchId: april.batchId });
    expect(await PaymentLine.countDocuments({ repays: original })).toBe(1);
    const released = await service().release(reviewer, april.batchId);
    const lines = await PaymentLine.find({ batchId: april.batchId, status: 'released' }).lean();
    expect(released.totalFen).toBe(lines.reduce((sum, line) => sum + line.amountFen, 0));
    expect(released.counts).toMatchObject({ lines: 5, new: 0, amountChanged: 0 });
    const reads = await registerAccessRecordModel(pipeline.store)
      .find({ caseId: april.batchId, subjectKey: people.closing.subjectKey, source: 'social-security-card' })
      .lean();
    expect(reads.flatMap((r) => r.purposes)).toContain(ACCOUNT_PURPOSES.repayment);

    // The ledger: February paid, returned by the bank, repaid in April. January (the grant), February and
    // April reached them; March's batch was never released here.
    const ledger = await registerLedgerModel(pipeline.store).find({ subjectKey: people.closing.subjectKey }).lean();
    expect(ledger.filter((l) => l.period === '2026-02').map((l) => [l.kind, l.amountFen])).toEqual(
      expect.arrayContaining([
        ['payment', 10_000],
        ['returned', -10_000],
        ['repayment', 10_000],
      ]),
    );
    expect(balanceOf(ledger)).toEqual({ paidFen: 30_000, owedFen: 0, netFen: 30_000 });
    // February never reached the one without an account: withheld at export, taken off what they were paid.
    const unpaid = await registerLedgerModel(pipeline.store)
      .find({ subjectKey: people.noAccount.subjectKey, period: '2026-02' })
      .lean();
    expect(unpaid.map((l) => [l.kind, l.amountFen]).sort()).toEqual([
      ['payment', 10_000],
      ['returned', -10_000],
    ]);
    expect(balanceOf(unpaid).paidFen).toBe(0);

    // An officer closes the entry of the one without an account (not to be repaid); a repaid one cannot be.
    const noAccountId = endToEndIdFor(paymentLineKey(POLICY, people.noAccount.subjectKey, '2026-02'));
    const closer: User = { id: 'u_officer5', name: '郑经办', role: 'officer' };
    await expect(service().closeReturn(reviewer, noAccountId, { reason: '家属申请不再补发' })).rejects.toMatchObject({
      code: 'FORBIDDEN_ROLE',
    });
    await expect(service().closeReturn(closer, noAccountId, { reason: '短' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'reason',
    });
    expect(await service().closeReturn(closer, noAccountId, { reason: '家属申请不再补发' })).toMatchObject({
      id: noAccountId,
      status: 'closed',
    });
    expect(
      await PaymentReturn.findById(paymentLineKey(POLICY, people.noAccount.subjectKey, '2026-02')).lean(),
    ).toMatchObject({
      status: 'closed',
      closedById: closer.id,
      closeReason: '家属申请不再补发',
    });
    await expect(
      service().closeReturn(closer, endToEndIdFor(original), { reason: '家属申请不再补发' }),
    ).rejects.toMatchObject({ code: 'WRONG_STATUS', field: 'id' });
    // And the citizens read it so: February returned for one, repaid for the other.
    const label = async (ref: { id: string; version: number }) => ({
      ...ref,
      title: { zh: '高龄津贴', en: 'old-age' },
    });
    const noAccount = await citizenPayments(pipeline.store, people.noAccount.subjectKey, label);
    expect(noAccount.payments.find((p) => p.period === '2026-02')).toMatchObject({ status: 'returned' });
    const corrected = await citizenPayments(pipeline.store, people.closing.subjectKey, label);
    expect(
      corrected.payments.filter((p) => p.period === '2026-02').map((p) => [p.status, p.repayment ?? false]),
    ).toEqual(
      expect.arrayContaining([
        ['returned', false],
        ['paid', true],
      ]),
    );
  });

  it('over HTTP and the installed CLI: an officer exports the batch, downloads its files, imports the bank’s answer and lists the worklist; a repayment rejected again has its own entry', async () => {
    const april = payrollWorkflowId(POLICY, '2026-04');
    const lifecycle = createPolicyLifecycle(pipeline.store);
    const api = buildApi({
      sessions: testSessions(pipeline.store),
      policies: { lifecycle, simulation: createSimulationRunner({ store: pipeline.store, lifecycle }) },
      payroll: service(),
      health: ALL_UP,
    });
    const dir = await mkdtemp(join(tmpdir(), 'applyfree-bank-'));
    try {
      const officerToken = (await testUser(pipeline.store, '周经办', 'officer')).token;
      const reviewerToken = (await testUser(pipeline.store, '吴审核', 'reviewer')).token;
      const as = (token: string) => ({ authorization: `Bearer ${token}` });
      const path = `/payroll/batches/${encodeURIComponent(april)}`;

      const byReviewer = await api.inject({ method: 'POST', url: `${path}/export`, headers: as(reviewerToken) });
      expect(byReviewer.statusCode).toBe(403);
      const exported = await api.inject({ method: 'POST', url: `${path}/export`, headers: as(officerToken) });
      expect(exported.statusCode).toBe(200);
      // April: four with an account (the corrected one twice: April and February's repayment), one without.
      expect(exported.json()).toMatchObject({ batchId: april, count: 4, totalFen: 40_000, withheld: 1 });
      const file = await api.inject({ method: 'GET', url: `${path}/files/pain001.xml`, headers: as(reviewerToken) });
      expect(file.statusCode).toBe(200);
      expect(file.headers['content-type']).toMatch(/^application\/xml/);
      expect(file.headers['content-disposition']).toBe(
        'attachment; filename="payroll_old-age-allowance_2026-04.pain001.xml"',
      );
      expect(readPain001(file.body)).toMatchObject({ count: 4, controlSumFen: 40_000 });
      expect(file.body).toContain('补发');
      const csv = await api.inject({ method: 'GET', url: `${path}/files/summary.csv`, headers: as(reviewerToken) });
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      expect(csv.headers['content-disposition']).toContain('.summary.csv"');

      // A released batch whose line was changed since no longer adds up to its total: refused, naming the field.
      const march = payrollWorkflowId(POLICY, '2026-03');
      await service().release(reviewer, march);
      await registerPayrollModels(pipeline.store).PaymentLine.updateOne(
        { _id: paymentLineKey(POLICY, people.paid.subjectKey, '2026-03') },
        { $set: { amountFen: 10_001 } },
      );
      const unbalanced = await api.inject({
        method: 'POST',
        url: `/payroll/batches/${encodeURIComponent(march)}/export`,
        headers: as(officerToken),
      });
      expect(unbalanced.statusCode).toBe(422);
      expect(unbalanced.json()).toMatchObject({ code: 'INVALID_PAYMENT_BATCH', field: 'totalFen' });
      expect(unbalanced.json<{ message: string }>().message).toMatch(
        /totalFen says 30000 fen but the lines add up to 30001 fen/,
      );
      const missing = await api.inject({
        method: 'GET',
        url: `/payroll/batches/${encodeURIComponent(march)}/files/pain001.xml`,
        headers: as(officerToken),
      });
      expect(missing.statusCode).toBe(404);

      // The repayment bounces again: it gets an entry of its own.
      const repayId = (await registerPayrollModels(pipeline.store)
        .PaymentLine.findById(`${paymentLineKey(POLICY, people.closing.subjectKey, '2026-02')}:repay`)
        .lean())!.bank!.endToEndId;
      const imported = await api.inject({
        method: 'POST',
        url: `${path}/returns`,
        headers: { ...as(officerToken), 'content-type': 'text/csv' },
        payload: returnFile([[repayId, 'REJECTED', 'BE01', '100.00', '']]),
      });
      expect(imported.statusCode).toBe(200);
      expect(imported.json()).toMatchObject({ accepted: 0, rejected: 1, unanswered: 3, unknown: 0, mismatches: 0 });
      const listed = await api.inject({
        method: 'GET',
        url: `/payroll/returns?policyId=${POLICY}&status=open`,
        headers: as(reviewerToken),
      });
      expect(listed.statusCode).toBe(200);
      const items = listed.json<{ items: Array<Record<string, unknown>> }>().items;
      expect(items.find((item) => item.id === repayId)).toMatchObject({
        batchId: april,
        period: '2026-02',
        amountFen: 10_000,
        reasonCode: 'BE01',
        fixable: true,
        status: 'open',
        subject: { masked: expect.stringMatching(/^\*+.{4}$/) },
      });
      expect(listed.body).not.toContain(people.closing.subjectKey);
      expect(listed.body).not.toContain(people.closing.id);

      // The installed command: export (downloads both files), import the bank's pain.002, list the worklist.
      const url = await api.listen({ port: 0, host: '127.0.0.1' });
      const cli = (args: string[]) =>
        runInstalled(['payroll', ...args], { APPLYFREE_API_URL: url, APPLYFREE_TOKEN: officerToken });
      const run = await cli(['export', 'old-age-allowance:2026-04', '--out', dir]);
      expect([run.code, run.stderr]).toEqual([0, expect.stringMatching(/pain001\.xml .*bytes .*lines/)]);
      expect(run.stdout).toContain('transfers 笔数 4 · total 总额 ¥400.00 · withheld 无可用账户 1');
      const written = await readFile(join(dir, 'payroll_old-age-allowance_2026-04.pain001.xml'), 'utf8');
      expect(written).toBe(file.body);
      expect(await readFile(join(dir, 'payroll_old-age-allowance_2026-04.summary.csv'), 'utf8')).toBe(csv.body);

      const paidId = (await lineOf(people.paid, '2026-04'))!.bank!.endToEndId;
      await writeFile(join(dir, 'answer.xml'), statusReport(april, [[paidId, 'ACSC']]));
      const answered = await cli(['import-returns', april, join(dir, 'answer.xml')]);
      expect(answered.code).toBe(0);
      expect(answered.stdout).toContain('accepted 成功 1 · rejected 退回 0');
      const worklist = await cli(['returns', '--policy', POLICY]);
      expect(worklist.code).toBe(0);
      expect(worklist.stdout).toContain(`${repayId}  ${POLICY} 2026-02  ¥100.00`);
      expect(worklist.stdout).toContain('BE01 户名与账号不符');
    } finally {
      await api.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
