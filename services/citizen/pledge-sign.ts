/**
 * Signing a pledge (告知承诺书): the one way a signature reaches the pledge workflow, from the
 * citizen's phone (`channel: 'app'`, POST /me/pledges/:key/sign) or from window staff recording
 * the signed paper form (`channel: 'window'`, with the staff member, the form's reference and the
 * person's consent). The signature is checked against the stored pledge first (the subject's own,
 * still awaiting a signature, the notice's hash), then sent as the signPledge update, which the
 * workflow answers once the signature is recorded and the grant made. A retried request is the
 * same update (one ID), so it never signs or grants twice.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import { Refusal } from '../../domain/refusal.js';
import { registerBenefitModels, type Pledge } from '../../store/benefits.js';
import {
  ErrorType,
  signPledgeUpdate,
  SIGN_PLEDGE_UPDATE_ID,
  type PledgeSignature,
} from '../../workflows/contracts/index.js';
import { updateRefusal } from '../temporal-updates.js';

export interface PledgeSignDeps {
  store: Connection;
  temporal: Client;
  /** How long the signature may wait for the workflow to record it and grant (ms; default 10 s). */
  waitMs?: number;
}

/** Who signs which pledge, and how: `pledgeId` is the pledge's key (its benefit workflow's ID), never a raw ID. */
export interface SignPledgeRequest {
  subjectKey: string;
  pledgeId: string;
  signature: PledgeSignature;
}

/** The pledge as signed, and the grant that followed. */
export interface SignedPledge {
  pledgeId: string;
  status: Pledge['status'];
  signedAt: string;
  channel: PledgeSignature['channel'];
  grant?: { key: string; amount?: number; grantedAt: string };
}

export class PledgeRefusal extends Refusal {}

const REFERENCE = /^[\p{L}\p{N}\-_/.:#()（）〔〕 ]{1,100}$/u;

/** Checks what a signature carries before anything is sent: the hash's shape, and at the window who recorded what. */
function checkSignature(signature: PledgeSignature): void {
  if (signature?.channel !== 'app' && signature?.channel !== 'window')
    throw new PledgeRefusal('BAD_VALUE', 'channel is app or window', '签署渠道须为 app 或 window', 'channel');
  if (typeof signature.noticeHash !== 'string' || !/^[0-9a-f]{64}$/.test(signature.noticeHash))
    throw new PledgeRefusal(
      'BAD_VALUE',
      'noticeHash is the written notice’s sha256 hash (64 hexadecimal characters)',
      'noticeHash 须为告知书的 sha256 值（64 位十六进制）',
      'noticeHash',
    );
  if (signature.channel !== 'window') return;
  for (const field of ['staffId', 'staffName', 'paperFormRef'] as const)
    if (typeof signature[field] !== 'string' || !REFERENCE.test(signature[field]!))
      throw new PledgeRefusal(
        'BAD_VALUE',
        `a signature at the window names ${field} (1-100 letters, digits and - _ / . : # ( ))`,
        `窗口签署须填写 ${field}（1-100 个字符）`,
        field,
      );
  if (signature.consent !== undefined && (typeof signature.consent !== 'string' || signature.consent.length > 500))
    throw new PledgeRefusal('BAD_VALUE', 'consent is at most 500 characters', '本人同意说明最多 500 个字符', 'consent');
}

/**
 * Signs the subject's pledge `pledgeId` (see the file's header). Refused with NOT_FOUND (not the
 * subject's), NOTICE_CHANGED (another notice's hash), ALREADY_SIGNED, PLEDGE_EXPIRED (lapsed) or
 * WRONG_STATUS (a pledge from before signatures, granted without one).
 */
export async function signPledge(deps: PledgeSignDeps, request: SignPledgeRequest): Promise<SignedPledge> {
  const { Pledge, Grant } = registerBenefitModels(deps.store);
  checkSignature(request.signature);
  const pledge = await Pledge.findById(request.pledgeId).lean();
  if (!pledge || pledge.subjectKey !== request.subjectKey)
    throw new PledgeRefusal('NOT_FOUND', 'no such pledge of yours', '未找到您的该项承诺', 'pledgeId');
  const settled = async (current: Pledge): Promise<SignedPledge> => {
    const grant = await Grant.findById(current.key).lean();
    return {
      pledgeId: current.key,
      status: current.status,
      signedAt: current.signature!.signedAt.toISOString(),
      channel: current.signature!.channel,
      ...(grant
        ? {
            grant: {
              key: grant.key,
              ...(typeof grant.amount === 'number' ? { amount: grant.amount } : {}),
              grantedAt: grant.grantedAt.toISOString(),
            },
          }
        : {}),
    };
  };
  const alreadySigned = () =>
    new PledgeRefusal('ALREADY_SIGNED', 'the pledge is already signed', '该承诺已签署', 'pledgeId');
  const expired = () =>
    new PledgeRefusal(
      'PLEDGE_EXPIRED',
      'the signing period is over: the pledge lapsed and nothing was granted',
      '签署期限已过，该承诺未办理',
      'pledgeId',
    );
  const changed = () =>
    new PledgeRefusal(
      'NOTICE_CHANGED',
      'the hash is not the written notice’s: read the notice again and sign what it says',
      '签署的告知书摘要与送达的告知书不一致，请重新阅读后签署',
      'noticeHash',
    );
  if (pledge.signature) {
    // The same signature again (a retried request) is answered with the pledge as signed.
    if (pledge.signature.noticeHash === request.signature.noticeHash) return settled(pledge);
    throw alreadySigned();
  }
  if (pledge.status === 'lapsed') throw expired();
  if (pledge.status !== 'awaiting-signature' || !pledge.noticeHash)
    throw new PledgeRefusal(
      'WRONG_STATUS',
      `the pledge is ${pledge.status}: there is nothing to sign`,
      '该承诺无需签署',
      'pledgeId',
    );
  if (request.signature.noticeHash !== pledge.noticeHash) throw changed();

  const handle = deps.temporal.workflow.getHandle(pledge.key);
  try {
    await deps.temporal.connection.withDeadline(Date.now() + (deps.waitMs ?? 10_000), () =>
      handle.executeUpdate(signPledgeUpdate, { args: [request.signature], updateId: SIGN_PLEDGE_UPDATE_ID }),
    );
  } catch (error) {
    if (updateRefusal(error, ErrorType.AlreadySigned) !== undefined) throw alreadySigned();
    if (updateRefusal(error, ErrorType.PledgeExpired) !== undefined) throw expired();
    if (updateRefusal(error, ErrorType.NoticeChanged) !== undefined) throw changed();
    if (error instanceof WorkflowNotFoundError) throw expired();
    throw error;
  }
  return settled((await Pledge.findById(pledge.key).lean()) ?? pledge);
}
