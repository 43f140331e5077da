/**
 * A sweep's grants get their certificates too, on the real stack (the dev server, FerretDB): the
 * disability living subsidy swept over a few residents grants the eligible ones, and beside the
 * sweep a workflow per batch seals each grant's decision letter and the joint disability subsidies
 * certificate (civil affairs and the disabled persons' federation), its grade read again from the
 * department with the purpose "certificate issuance" and an access record. Nothing for the
 * ineligible; nothing twice when the sweep's batch is retried.
 */
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { verifyCertificate } from '../domain/certificate-verify.js';
import { cityToday } from '../domain/calendar.js';
import { registerAccessRecordModel } from '../store/access-records.js';
import { registerCertificateModel, signedCertificateOf } from '../store/certificates.js';
import { sweepWorkflowId } from '../workflows/contracts/index.js';
import { sweep } from '../workflows/sweep.js';
import { addResident, type TestSubject } from './support/city.js';
import type { Pipeline } from './support/pipeline.js';
import { openRunningPipeline, type RunningPipeline } from './support/running-pipeline.js';

const stack = inject('stack');
const POLICY = 'disability-living-subsidy';
let client: Client;
let pipeline: Pipeline;
let running: RunningPipeline;

beforeAll(async () => {
  running = await openRunningPipeline(stack, 'certsweep', { seals: true, notices: false });
  ({ client, pipeline } = running);
}, 120_000);

afterAll(async () => {
  await running?.close();
});

const disabled = (grade: number, dibao: boolean) =>
  addResident(pipeline.store, '1970-05-05', {
    'person.localHukou': true,
    'person.alive': true,
    'person.disabilityCertified': true,
    'person.disabilityGrade': grade,
    'person.minimumLivingAllowance': dibao,
  });

const certificatesOf = async (subject: TestSubject) =>
  (await registerCertificateModel(pipeline.store).find({ holderSubjectKey: subject.subjectKey }).lean()).map(
    signedCertificateOf,
  );

describe('the certificates of a sweep’s grants', () => {
  it('seals a letter and the joint certificate for each grant, beside the sweep, and none for the ineligible', async () => {
    const eligible = [await disabled(2, true), await disabled(3, true)];
    const ineligible = await disabled(2, false);
    const asOf = '2026-11-10';
    const progress = await client.workflow.execute(sweep, {
      workflowId: sweepWorkflowId(POLICY, 1, asOf),
      taskQueue: pipeline.taskQueue,
      args: [{ policy: { id: POLICY, version: 1 }, asOf, requestedBy: '王芳' }],
    });
    expect(progress.grantsCreated).toBe(2);

    // The certificates come beside the sweep: wait for them as a citizen opening the wallet would.
    for (const subject of eligible)
      await expect
        .poll(async () => (await certificatesOf(subject)).map((c) => c.document.type).sort(), { timeout: 60_000 })
        .toEqual(['decision-letter', 'disability-subsidy-certificate']);
    expect(await certificatesOf(ineligible)).toEqual([]);

    const registry = await pipeline.seals!.registry();
    const [first] = eligible;
    const joint = (await certificatesOf(first)).find((c) => c.document.type === 'disability-subsidy-certificate')!;
    expect(joint.signatures.map((s) => s.department)).toEqual(['civil-affairs', 'disabled-persons-federation']);
    expect(joint.document.fields).toMatchObject({ disabilityGrade: '2', from: '2026-11-01' });
    expect(verifyCertificate(joint, registry, new Set(), cityToday())).toMatchObject({ valid: true, failures: [] });
    const letter = (await certificatesOf(first)).find((c) => c.document.type === 'decision-letter')!;
    expect(letter.document.fields).toMatchObject({ outcome: expect.stringContaining('准予'), amount: '120.00 元' });
    expect(letter.signatures.map((s) => s.department)).toEqual(['civil-affairs']);

    // The grade was read again for the certificate, with its purpose, and the holder can see it.
    const reads = await registerAccessRecordModel(pipeline.store)
      .find({ subjectKey: first.subjectKey, purposes: { $elemMatch: { $regex: '^电子证照制发' } } })
      .lean();
    expect(reads.map((read) => read.fields)).toEqual([['person.disabilityGrade']]);
  });
});
