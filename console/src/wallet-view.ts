/**
 * The holder's wallet (我的证照, GET /me/certificates): each electronic certificate with its
 * issuers, dates and standing (valid, revoked, expired), and the ways to show it with a code —
 * the whole certificate, or only the yes/no claim "holds a valid …" (code-view.ts). A firm's
 * staff see the firm's wallet: they sign in bound to the firm.
 */
import { api, errorText } from './api.js';
import { h, mount } from './dom.js';
import { currentLang, formatTime, pick, t, tOr } from './i18n.js';
import type { Text } from './types.js';

/** One certificate of the wallet, as GET /me/certificates answers it. */
export interface WalletEntryView {
  id: string;
  type: string;
  title: Text;
  about?: { matter: string; outcome: string };
  issuers: Array<{ department: string; name: Text }>;
  issuedOn: string;
  validUntil?: string;
  status: 'valid' | 'revoked' | 'expired' | 'invalid';
  problems: string[];
  revokedAt?: string;
}

/** The hash that opens the code view showing a certificate, or a claim about its type. */
export const showCertificateHash = (id: string) => `#/code/certificate/${encodeURIComponent(id)}`;
export const showClaimHash = (type: string) => `#/code/claim/${encodeURIComponent(type)}`;

/** The certificate's PDF, the console's language leading. */
export const certificatePdfPath = (id: string) =>
  `/me/certificates/${encodeURIComponent(id)}/pdf?lang=${currentLang()}`;

/** One certificate of the wallet, with its ways to show it when it is valid, and its PDF and signed file. */
function walletItem(entry: WalletEntryView): HTMLElement {
  const valid = entry.status === 'valid';
  return h(
    'div',
    { class: `me-item certificate certificate-${entry.status}`, 'data-certificate': entry.id, 'data-type': entry.type },
    h(
      'div',
      { class: 'me-line' },
      h(
        'strong',
        { class: 'certificate-title' },
        pick(entry.title),
        entry.about
          ? h('span', { class: 'certificate-about' }, ` · ${entry.about.matter}（${entry.about.outcome}）`)
          : '',
      ),
      h(
        'span',
        { class: `badge certificate-status ${valid ? 'ok' : 'bad'}` },
        tOr(`certificateStatus_${entry.status}`, entry.status),
      ),
    ),
    h('div', { class: 'muted' }, entry.issuers.map((issuer) => pick(issuer.name)).join('、')),
    h(
      'div',
      { class: 'muted' },
      t('walletDates', { issued: entry.issuedOn, until: entry.validUntil ?? t('walletUntilRevoked') }),
      entry.revokedAt ? ` · ${t('walletRevokedAt', { at: formatTime(entry.revokedAt) })}` : '',
    ),
    h('div', { class: 'muted mono certificate-id' }, entry.id),
    h(
      'div',
      { class: 'actions' },
      valid
        ? h('a', { class: 'button primary act-show-certificate', href: showCertificateHash(entry.id) }, t('walletShow'))
        : null,
      valid
        ? h('a', { class: 'button ghost act-show-claim', href: showClaimHash(entry.type) }, t('walletShowClaim'))
        : null,
      // The session cookie goes with a plain link: the PDF opens in the browser's viewer, the file downloads.
      h(
        'a',
        {
          class: 'button ghost act-certificate-pdf',
          href: certificatePdfPath(entry.id),
          target: '_blank',
          rel: 'noopener',
        },
        t('walletPdf'),
      ),
      h(
        'a',
        {
          class: 'button ghost act-certificate-file',
          href: `/me/certificates/${encodeURIComponent(entry.id)}`,
          download: `${entry.id}.json`,
        },
        t('walletFile'),
      ),
    ),
  );
}

/** The wallet page (#/wallet). */
export function renderWallet(): HTMLElement {
  const body = h('div', { class: 'me-body' }, h('p', { class: 'muted' }, t('loading')));
  void api<WalletEntryView[]>('GET', '/me/certificates').then(
    (entries) =>
      mount(
        body,
        entries.length
          ? [h('p', { class: 'muted' }, t('walletIntro')), ...entries.map(walletItem)]
          : h('p', { class: 'muted none' }, t('walletEmpty')),
      ),
    (error: unknown) => mount(body, h('p', { class: 'error-box' }, errorText(error))),
  );
  return h('section', { class: 'card me-section me-wallet' }, h('h3', {}, t('walletTitle')), body);
}
