/**
 * The citizen's pledges (告知承诺) and credit records on their own page: a pledge awaiting signature
 * shows its one-time written notice (告知书) and a 签署承诺 / Sign button that signs the hash of the
 * text shown (POST /me/pledges/:key/sign), so a signature never covers a text the citizen did not
 * see; others show their inspection outcome. The credit records say why each was written and until
 * when it bars pledge mode. Reads /me only.
 */
import { api, errorText } from './api.js';
import { h, mount } from './dom.js';
import { formatNumber, formatTime, pick, t, tOr } from './i18n.js';
import type { Text } from './types.js';

type PolicyLabel = { id: string; version: number; title: Text };
export interface PledgeView {
  key: string;
  policy: PolicyLabel;
  pledgedFacts: Array<{ label: Text }>;
  inspectOn: string;
  status: string;
  signBy?: string;
  signature?: { signedAt: string; channel: string };
  inspectedAt?: string;
  discrepancies?: Array<{ label: Text }>;
  recovery?: { amount: number; status: string };
}
interface PledgeNotice {
  notice: { zh: string; en: string };
  noticeHash: string;
  signBy?: string;
}
export interface CreditRecordView {
  key: string;
  policy: { id: string; title: Text };
  recordedAt: string;
  reason: string;
  barsPledgeModeUntil: string;
}

const money = (amount: number | undefined) => (amount === undefined ? '' : `¥${formatNumber(amount)}`);

/** The written notice and its Sign button: the hash sent is the one of the notice fetched and shown. */
function signBox(p: PledgeView, signed: () => Promise<void>): HTMLElement {
  const box = h('div', { class: 'pledge-sign' }, h('p', { class: 'muted' }, t('mePledgeLoading')));
  void api<PledgeNotice>('GET', `/me/pledges/${encodeURIComponent(p.key)}/notice`).then(
    (notice) => {
      const flash = h('div', { class: 'flash', role: 'status' });
      const sign = h('button', { type: 'button', class: 'primary act-sign-pledge' }, t('meSignPledge'));
      sign.addEventListener('click', async () => {
        (sign as HTMLButtonElement).disabled = true;
        try {
          await api('POST', `/me/pledges/${encodeURIComponent(p.key)}/sign`, { noticeHash: notice.noticeHash });
          await signed();
        } catch (error) {
          (sign as HTMLButtonElement).disabled = false;
          mount(flash, h('div', { class: 'flash-bad' }, errorText(error)));
        }
      });
      mount(
        box,
        h('p', {}, t('meSignBy', { date: notice.signBy ? formatTime(notice.signBy) : '—' })),
        h('pre', { class: 'pledge-notice', lang: 'zh' }, pick({ zh: notice.notice.zh, en: notice.notice.en })),
        h('p', { class: 'muted notice-hash' }, t('meNoticeHash', { hash: notice.noticeHash.slice(0, 16) })),
        h('div', { class: 'actions' }, sign),
        flash,
      );
    },
    (error: unknown) => mount(box, h('div', { class: 'flash-bad' }, errorText(error))),
  );
  return box;
}

/** One pledge: awaiting signature (the notice and the button) or its signature and inspection outcome. */
export function pledgeItem(p: PledgeView, signed: () => Promise<void>): HTMLElement {
  return h(
    'div',
    { class: `me-item pledge pledge-${p.status}`, 'data-pledge': p.key },
    h(
      'div',
      { class: 'me-line' },
      h('strong', {}, pick(p.policy.title)),
      h('span', { class: `badge pledge-status-${p.status}` }, tOr(`pledgeStatus_${p.status}`, p.status)),
    ),
    p.status === 'awaiting-signature'
      ? signBox(p, signed)
      : h(
          'div',
          { class: 'muted' },
          t('mePledged', { facts: p.pledgedFacts.map((f) => pick(f.label)).join('、') || '—', date: p.inspectOn }),
        ),
    p.signature
      ? h(
          'div',
          { class: 'muted pledge-signed' },
          t('meSigned', {
            time: formatTime(p.signature.signedAt),
            channel: tOr(`channel_${p.signature.channel}`, p.signature.channel),
          }),
        )
      : null,
    p.discrepancies?.length
      ? h(
          'div',
          { class: 'flash-bad' },
          t('meDiscrepancies', { facts: p.discrepancies.map((f) => pick(f.label)).join('、') }),
        )
      : null,
    p.recovery ? h('div', { class: 'notice' }, t('meRecovery', { amount: money(p.recovery.amount) })) : null,
  );
}

/** The citizen's credit records, each with its reason and the day pledge mode is open to them again. */
export async function loadMyCreditRecords(): Promise<HTMLElement[]> {
  const list = await api<CreditRecordView[]>('GET', '/me/credit-records');
  if (list.length === 0) return [h('p', { class: 'muted' }, t('meNoCreditRecords'))];
  return list.map((r) =>
    h(
      'div',
      { class: 'me-item credit-record', 'data-credit': r.key },
      h('div', { class: 'me-line' }, h('strong', {}, t('meCreditFalsePledge')), h('span', {}, pick(r.policy.title))),
      h('div', { class: 'muted' }, t('meCreditRecorded', { time: formatTime(r.recordedAt) })),
      h('div', {}, t('meCreditReason', { reason: r.reason || '—' })),
      h('div', { class: 'notice credit-bar' }, t('meCreditBars', { date: r.barsPledgeModeUntil })),
    ),
  );
}
