/**
 * What revokes an archived proof, through the real paths (issue 15 item 4): a death published as a
 * life event revokes every proof of the person, and a confirmed correction of a shared record
 * revokes the proofs resting on the corrected fact — after either, the next verification reads
 * afresh instead of reusing the archived answer.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAdapterRegistry } from '../activities/shared-data/adapters.js';
import { makeResidentId } from '../domain/identity.js';
import { subjectKey } from '../domain/pseudonym.js';
import { ingestEvent } from '../services/events/ingest.js';
import { answerClaimFor, type VerificationDeps, type VerificationRequest } from '../services/verifications/answer.js';
import { eraseSubject } from '../services/retention/erase.js';
import { correctSharedFact } from '../store/corrections.js';
import { findProof } from '../store/proofs.js';
import { TEST_SECRET } from './support/city.js';
import { TEST_PUBLISHER } from './support/departments.js';
import { connectClient, uniqueTaskQueue } from './support/temporal.js';

const stack = inject('stack');
const DECEASED = makeResidentId('371402', '1940-01-01', 51, 'male');
const CORRECTED = makeResidentId('371402', '1960-06-06', 52, 'female');
const ERASED = makeResidentId('371402', '1958-03-03', 53, 'male');
const taskQueue = uniqueTaskQueue('proof-revocation');

let store: Connection;
let client: Client;
let deps: VerificationDeps;
const started: string[] = [];

const ask = (id: string): VerificationRequest => ({
  matter: 'public-rental-housing',
  claim: 'local-hukou',
  subject: { kind: 'person', idValue: id },
  requester: { kind: 'department', id: 'housing-urban-rural' },
  idempotencyKey: randomUUID(),
});

beforeAll(async () => {
  store = await mongoose
    .createConnection(stack.mongodbUri, { dbName: `af_revoke_${randomUUID().slice(0, 8)}` })
    .asPromise();
  client = await connectClient(stack.temporalAddress, stack.temporalNamespace);
  await store.db!.collection<Record<string, unknown> & { _id: string }>('dp_household_registry').insertMany([
    { _id: DECEASED, idNumber: DECEASED, localHukou: true, birthDate: '1940-01-01' },
    { _id: CORRECTED, idNumber: CORRECTED, localHukou: true, birthDate: '1960-06-06' },
    { _id: ERASED, idNumber: ERASED, localHukou: true, birthDate: '1958-03-03' },
  ]);
  deps = { store, adapters: createAdapterRegistry({ connection: store }), subjectKeySecret: TEST_SECRET };
});

afterAll(async () => {
  // The cases the death started have no worker on their queue: ended here, not left running.
  for (const caseId of started)
    await client.workflow
      .getHandle(caseId)
      .terminate('test over')
      .catch(() => undefined);
  await client?.connection.close();
  await store?.dropDatabase();
  await store?.close();
});

describe('revocation', () => {
  it('a death revokes every proof of the person: the archived answer is not reused after it', async () => {
    const first = await answerClaimFor(deps, ask(DECEASED));
    expect((await answerClaimFor(deps, ask(DECEASED))).reused).toBe(true);

    const accepted = await ingestEvent(
      { store, temporal: client, taskQueue, subjectKeySecret: TEST_SECRET, today: () => '2026-12-06' },
      {
        sourceEventId: `psb-${randomUUID()}`,
        source: 'household-registry',
        type: 'death.registered',
        occurredOn: '2026-12-01',
        subject: { residentId: DECEASED },
        payload: {},
      },
      TEST_PUBLISHER,
    );
    started.push(accepted.caseId);
    expect(await findProof(store, first.proofId)).toMatchObject({ revokedBecause: 'death.registered on 2026-12-01' });
    const after = await answerClaimFor(deps, ask(DECEASED));
    expect(after.reused).toBe(false);
    expect(after.proofId).not.toBe(first.proofId);
  });

  it('a confirmed correction revokes the proofs resting on the corrected fact, and the new answer follows the record', async () => {
    const first = await answerClaimFor(deps, ask(CORRECTED));
    expect(first.answer).toBe('yes');
    await correctSharedFact(store, {
      key: 'obj-revocation:correction',
      subjectKey: subjectKey('person', CORRECTED, TEST_SECRET),
      fact: 'person.localHukou',
      value: false,
      reason: '户籍已迁出，记录有误',
      by: { id: 'u_a', name: '甲', role: 'supervisor' },
      confirmedBy: { id: 'u_b', name: '乙', role: 'supervisor' },
      secret: TEST_SECRET,
    });
    expect((await findProof(store, first.proofId))!.revokedAt).toBeInstanceOf(Date);
    const after = await answerClaimFor(deps, ask(CORRECTED));
    expect(after).toMatchObject({ reused: false, answer: 'no' });
  });

  it('an erasure of the subject’s data revokes their proofs: an answer about them is not relied on again', async () => {
    const first = await answerClaimFor(deps, ask(ERASED));
    await eraseSubject(store, deps, { subject: ERASED, reason: '本人申请删除个人信息', operator: '数据管理员' });
    expect(await findProof(store, first.proofId)).toMatchObject({ revokedBecause: 'erasure' });
    expect((await answerClaimFor(deps, ask(ERASED))).reused).toBe(false);
  });
});
