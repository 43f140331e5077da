/**
 * One ledger for every benefit's money, on the real stack (Java time-skipping server, FerretDB,
 * Redis): grants and released payroll lines are paid; a death after a paid month owes that month
 * back, which goes on the collection list (the entitlement ended: nothing left to withhold from)
 * and is collected in two receipts; a resident who moves away after a paid month and comes back
 * has that month withheld from the next payment. Every subject's ledger keeps exactly what its
 * periods were due, every released batch equals what the ledger posted for it, and the programme
 * adds up to its subjects.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { balanceOf, ledgerRef } from '../domain/ledger.js';
import { createCitizenService } from '../services/citizen/service.js';
import { createLedgerService } from '../services/ledger/service.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { createSimulationRunner } from '../services/policies/simulation.js';
import { registerLedgerModel } from '../store/ledger.js';
import { registerPayrollModels } from '../store/payroll.js';
import { stopPaymentsWorkflowId } from '../workflows/contracts/index.js';
import type { TestSubject } from './support/city.js';
import { ALL_UP } from './support/all-up.js';
import { payrollCity, PAYROLL_REVIEWER } from './support/payroll-city.js';
import type { Pipeline } from './support/pipeline.js';
import { openTimeSkippingPipeline, type TimeSkippingPipeline } from './support/time-skipping-pipeline.js';
import { testSessions, testUser } from './support/users.js';

const stack = inject('stack');
let harness: TimeSkippingPipeline;
let env: TestWorkflowEnvironment;
let pipeline: Pipeline;
let city: ReturnType<typeof payrollCity>;
/** 100 CNY a month for a resident in their eighties. */
const MONTH = 10_000;
let deceased: TestSubject;
let returner: TestSubject;

beforeAll(async () => {
  harness = await openTimeSkippingPipeline(stack, 'ledger');
  ({ env, pipeline } = harness);
  city = payrollCity(env, pipeline);
});

afterAll(async () => {
  await harness?.close();
});

const ledgerOf = async (subject: TestSubject) =>
  (await registerLedgerModel(pipeline.store).find({ subjectKey: subject.subjectKey }).lean())
    .map((line) => [line.period, line.kind, line.account, line.amountFen])
    .sort();

const ledgerService = () => createLedgerService({ store: pipeline.store, policies: pipeline.policies });

describe('the ledger', () => {
  it('a death after March was paid owes March back; with nothing left to withhold from it goes on the collection list and is collected to the fen', async () => {
    deceased = await city.senior('1940-01-10', '2026-01');
    await city.payMonths('2026-02', '2026-03');
    await city.stopped(deceased, 'death.registered', '2026-02-20');

    expect(await ledgerOf(deceased)).toEqual([
      ['2026-01', 'grant', 'paid', MONTH],
      ['2026-02', 'payment', 'paid', MONTH],
      ['2026-03', 'payment', 'paid', MONTH],
      ['2026-03', 'recovery', 'owed', MONTH],
    ]);
    const lines = await registerLedgerModel(pipeline.store).find({ subjectKey: deceased.subjectKey }).lean();
    // Three months reached them; one is owed back; they keep January and February.
    expect(balanceOf(lines)).toEqual({ paidFen: 3 * MONTH, owedFen: MONTH, netFen: 2 * MONTH });

    const ref = ledgerRef('old-age-allowance', deceased.subjectKey);
    const officer = { id: 'u_officer9', name: '赵经办', role: 'officer' as const };
    const list = await ledgerService().collections(officer);
    expect(list).toContainEqual({
      ref,
      policyId: 'old-age-allowance',
      owedFen: MONTH,
      since: '2026-03',
      because: 'entitlement-ended',
    });
    expect(JSON.stringify(list)).not.toContain(deceased.subjectKey);

    // Paid back in two receipts; the first delivered twice counts once; more than is owed is refused.
    expect(await ledgerService().recordCollection(officer, ref, { amountFen: 4_000, reference: 'RCPT-1' })).toEqual({
      ref,
      collectedFen: 4_000,
      owedFen: 6_000,
      recorded: true,
    });
    expect(
      await ledgerService().recordCollection(officer, ref, { amountFen: 4_000, reference: 'RCPT-1' }),
    ).toMatchObject({ owedFen: 6_000, recorded: false });
    await expect(
      ledgerService().recordCollection(officer, ref, { amountFen: 6_001, reference: 'RCPT-2' }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'amountFen' });
    await expect(
      ledgerService().recordCollection(officer, ref, { amountFen: 1.5, reference: 'RCPT-2' }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'amountFen' });
    await ledgerService().recordCollection(officer, ref, { amountFen: 6_000, reference: 'RCPT-2' });

    const settled = await registerLedgerModel(pipeline.store).find({ subjectKey: deceased.subjectKey }).lean();
    expect(balanceOf(settled)).toEqual({ paidFen: 2 * MONTH, owedFen: 0, netFen: 2 * MONTH });
    expect((await ledgerService().collections(officer)).map((item) => item.ref)).not.toContain(ref);
  });

  it('a resident who moves away after June was paid and comes back has June withheld from September, and keeps exactly what their months were due', async () => {
    returner = await city.senior('1941-05-05', '2026-04');
    await city.payMonths('2026-05', '2026-06');
    await city.stopped(returner, 'hukou.moved-out', '2026-05-20');
    await city.ingest(returner, 'hukou.moved-in', '2026-07-20');
    // The case path grants August again: the entitlement opens anew.
    await city.grant(returner, '1941-05-05', '2026-08');

    const september = await city.runPayroll('2026-09');
    const preview = await city.service().batch(september.batchId);
    // The reviewer sees what the bank will transfer, and what is withheld.
    expect(preview).toMatchObject({ totalFen: 0, withheldFen: MONTH, counts: { lines: 1, netted: 1 } });
    const line = await registerPayrollModels(pipeline.store).PaymentLine.findOne({ batchId: september.batchId }).lean();
    expect(line).toMatchObject({ amountFen: 0, grossFen: MONTH, nettedFen: MONTH });

    await city.service().release(PAYROLL_REVIEWER, september.batchId);
    // Released again: nothing is posted twice.
    await city.service().release(PAYROLL_REVIEWER, september.batchId);
    await city.payMonths('2026-10');

    expect(await ledgerOf(returner)).toEqual([
      ['2026-04', 'grant', 'paid', MONTH],
      ['2026-05', 'payment', 'paid', MONTH],
      ['2026-06', 'payment', 'paid', MONTH],
      ['2026-06', 'recovery', 'owed', MONTH],
      ['2026-08', 'grant', 'paid', MONTH],
      ['2026-09', 'netting', 'owed', -MONTH],
      ['2026-09', 'netting', 'paid', -MONTH],
      ['2026-09', 'payment', 'paid', MONTH],
      ['2026-10', 'payment', 'paid', MONTH],
    ]);
    const lines = await registerLedgerModel(pipeline.store).find({ subjectKey: returner.subjectKey }).lean();
    // Due: April, May, August, September, October. June was withheld back.
    expect(balanceOf(lines)).toEqual({ paidFen: 5 * MONTH, owedFen: 0, netFen: 5 * MONTH });
  });

  it('a death registered before the month a grant paid owes that grant back', async () => {
    const late = await city.senior('1938-08-08', '2026-12');
    const accepted = await city.stopped(late, 'death.registered', '2026-11-20');
    expect(await env.client.workflow.getHandle(stopPaymentsWorkflowId(accepted.caseId)).result()).toEqual({
      ended: 1,
      removed: 0,
      recovered: 1,
      recoveredFen: -MONTH,
    });
    expect(await ledgerOf(late)).toEqual([
      ['2026-12', 'grant', 'paid', MONTH],
      ['2026-12', 'recovery', 'owed', MONTH],
    ]);
    // The same death again recovers nothing twice.
    await city.stopped(late, 'death.registered', '2026-11-20');
    expect(await ledgerOf(late)).toHaveLength(2);
  });

  it('the programme ledger adds up to its subjects, and every released batch equals what the ledger posted for it', async () => {
    const supervisor = { id: 'u_super9', name: '钱督查', role: 'supervisor' as const };
    const { rows, totals, batches } = await ledgerService().programme(supervisor, { policyId: 'old-age-allowance' });
    const all = await registerLedgerModel(pipeline.store).find({ policyId: 'old-age-allowance' }).lean();
    expect({ paidFen: totals.paidFen, owedFen: totals.owedFen, netFen: totals.netFen }).toEqual(balanceOf(all));
    const subjects = new Set(all.map((line) => line.subjectKey));
    let sum = 0;
    for (const subjectKey of subjects) sum += balanceOf(all.filter((line) => line.subjectKey === subjectKey)).netFen;
    expect(sum).toBe(totals.netFen);
    expect(rows.find((row) => row.period === '2026-09')).toMatchObject({
      lines: 1,
      grossFen: MONTH,
      recoveredFen: MONTH,
    });
    expect(batches.length).toBeGreaterThanOrEqual(6);
    expect(batches.filter((batch) => !batch.balanced)).toEqual([]);
    expect(batches.find((batch) => batch.period === '2026-09')).toMatchObject({ totalFen: 0, ledgerFen: 0 });
    await expect(ledgerService().programme(supervisor, { from: '2026-13' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'from',
    });
  });

  it('over HTTP: staff read the programme and the collection list (CSV too), an officer records a collection, the citizen sees what was withheld and what they keep', async () => {
    const lifecycle = createPolicyLifecycle(pipeline.store);
    const api = buildApi({
      sessions: testSessions(pipeline.store),
      policies: { lifecycle, simulation: createSimulationRunner({ store: pipeline.store, lifecycle }) },
      ledger: ledgerService(),
      citizen: createCitizenService({ store: pipeline.store, temporal: env.client }),
      health: ALL_UP,
    });
    try {
      const as = (token: string) => ({ authorization: `Bearer ${token}` });
      const reviewer = (await testUser(pipeline.store, '吴审核', 'reviewer')).token;
      const officer = (await testUser(pipeline.store, '周经办', 'officer')).token;
      const citizen = (await testUser(pipeline.store, '归来', 'citizen', { subjectKey: returner.subjectKey })).token;

      const programme = await api.inject({
        url: '/ledger/programme?policyId=old-age-allowance',
        headers: as(reviewer),
      });
      expect(programme.statusCode).toBe(200);
      expect(programme.json().batches.every((batch: { balanced: boolean }) => batch.balanced)).toBe(true);

      // A second death, collected over HTTP.
      const widow = await city.senior('1939-03-03', '2026-10');
      await city.payMonths('2026-11');
      await city.stopped(widow, 'death.registered', '2026-10-30');
      const csv = await api.inject({ url: '/ledger/collections.csv', headers: as(reviewer) });
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const ref = ledgerRef('old-age-allowance', widow.subjectKey);
      expect(csv.body).toContain(`"${ref}","old-age-allowance","100.00","2026-11","entitlement-ended"`);
      expect(csv.body).not.toContain(widow.subjectKey);

      const refused = await api.inject({
        method: 'POST',
        url: `/ledger/collections/${ref}`,
        headers: as(reviewer),
        payload: { amountFen: MONTH, reference: 'RCPT-9' },
      });
      expect(refused.statusCode).toBe(403);
      const collected = await api.inject({
        method: 'POST',
        url: `/ledger/collections/${ref}`,
        headers: as(officer),
        payload: { amountFen: MONTH, reference: 'RCPT-9' },
      });
      expect(collected.json()).toEqual({ ref, collectedFen: MONTH, owedFen: 0, recorded: true });
      const unknown = await api.inject({
        method: 'POST',
        url: `/ledger/collections/LG${'0'.repeat(24)}`,
        headers: as(officer),
        payload: { amountFen: 1, reference: 'RCPT-10' },
      });
      expect(unknown.json()).toMatchObject({ code: 'NOT_FOUND', field: 'ref' });

      const mine = (await api.inject({ url: '/me/payments', headers: as(citizen) })).json();
      expect(mine.payments).toContainEqual(
        expect.objectContaining({
          period: '2026-09',
          amountFen: 0,
          grossFen: MONTH,
          withheldFen: MONTH,
          status: 'paid',
        }),
      );
      expect(mine.payments).toContainEqual(
        expect.objectContaining({ period: '2026-06', kind: 'recovery', status: 'recovery-settled' }),
      );
      // Each payment says why: the re-check's day and every condition's result, no values.
      const october = mine.payments.find((p: { period: string }) => p.period === '2026-10');
      expect(october.basis.asOf).toBe('2026-10-01');
      expect(october.basis.conditions).toContainEqual({ name: 'alive', fact: 'person.alive', result: true });
      expect(JSON.stringify(october.basis)).not.toContain('1941');
      expect(mine.balances).toEqual([
        expect.objectContaining({
          policy: expect.objectContaining({ id: 'old-age-allowance' }),
          // April, May, August to November: six months due, June withheld back.
          paidFen: 6 * MONTH,
          owedFen: 0,
          netFen: 6 * MONTH,
        }),
      ]);
    } finally {
      await api.close();
    }
  });
});
