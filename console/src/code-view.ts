/**
 * My code (亮码, #/code): the resident code (居民码) — or, for a firm's staff, the enterprise code
 * (企业码) — as a QR code showing what the holder chose: one certificate of their wallet, or only
 * the yes/no claim "holds a valid …". Each code is good for one scan and about a minute (POST
 * /me/codes); the page asks for a fresh one a few seconds before the minute ends, counting down
 * from when the code arrived (the phone's clock may differ from the server's). The QR is drawn on
 * a canvas by the `qrcode` package, bundled: nothing leaves the page but the request for a code.
 */
import QRCode from 'qrcode';
import { claimStatement, CODE_CLAIMS } from '../../domain/code-claims.js';
import { api, errorText } from './api.js';
import { h, mount } from './dom.js';
import { pick, t } from './i18n.js';
import type { Text } from './types.js';
import { showCertificateHash, showClaimHash, type WalletEntryView } from './wallet-view.js';

/** What POST /me/codes answers. */
export interface IssuedCodeView {
  code: string;
  expiresAt: string;
  validitySeconds: number;
  holderKind: 'person' | 'enterprise';
  shows:
    | { kind: 'certificate'; certificate: { id: string; type: string; title: Text } }
    | { kind: 'claim'; claim: { id: string; certificateType: string; statement: Text } };
}

/** A fresh code is asked for this many seconds before the one shown ends. */
export const REFRESH_BEFORE_SECONDS = 5;
const CLAIM = CODE_CLAIMS[0];

type Choice = { value: string; label: string; show: object };

/** What the holder may show: each valid certificate, and the claim about each type they hold. */
function choicesOf(wallet: WalletEntryView[]): Choice[] {
  const certificates = wallet
    .filter((entry) => entry.status === 'valid')
    .map((entry) => ({
      value: `certificate:${entry.id}`,
      label: t('codeChoiceCertificate', { title: pick(entry.title), id: entry.id.slice(0, 10) }),
      show: { kind: 'certificate', certificateId: entry.id },
    }));
  const types = new Map(wallet.map((entry) => [entry.type, entry.title] as const));
  const claims = [...types].map(([type, title]) => ({
    value: `claim:${type}`,
    label: t('codeChoiceClaim', { statement: pick(claimStatement(CLAIM, title)) }),
    show: { kind: 'claim', claim: CLAIM.id, certificateType: type },
  }));
  return [...certificates, ...claims];
}

/** The choice the hash names (`#/code/certificate/<id>`, `#/code/claim/<type>`), if any. */
function chosenInHash(): string | undefined {
  const match = /^#\/code\/(certificate|claim)\/(.+)$/.exec(location.hash);
  return match ? `${match[1]}:${decodeURIComponent(match[2])}` : undefined;
}

/** The code page: the choice, the QR, what it shows and the countdown; refreshed while the page is open. */
export function renderMyCode(): HTMLElement {
  const body = h('div', { class: 'code-body' }, h('p', { class: 'muted' }, t('loading')));
  const heading = h('h3', {}, t('codeTitle'));
  const section = h('section', { class: 'card me-section my-code' }, heading, body);

  void api<WalletEntryView[]>('GET', '/me/certificates').then(
    (wallet) => {
      const choices = choicesOf(wallet);
      if (!choices.length) return mount(body, h('p', { class: 'muted none' }, t('codeNothingToShow')));
      const select = h(
        'select',
        { class: 'code-choice', 'aria-label': t('codeChoose') },
        ...choices.map((choice) => h('option', { value: choice.value }, choice.label)),
      );
      const wanted = chosenInHash();
      if (wanted && choices.some((choice) => choice.value === wanted)) select.value = wanted;
      const canvas = h('canvas', { class: 'code-qr', 'aria-label': t('codeQrLabel') });
      const shows = h('p', { class: 'code-shows' });
      const countdown = h('p', { class: 'code-countdown', role: 'timer', 'aria-live': 'off' });
      const problem = h('p', { class: 'error-box code-problem', hidden: true });
      const text = h('p', { class: 'mono muted code-text' });
      const live = startCode({ select, canvas, shows, countdown, problem, text, heading, choices, section });
      select.addEventListener('change', () => {
        const [kind, id] = select.value.split(/:(.*)/s, 2);
        history.replaceState(null, '', kind === 'certificate' ? showCertificateHash(id) : showClaimHash(id));
        void live.refresh();
      });
      mount(
        body,
        h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('codeChoose')), select),
        h('div', { class: 'code-frame' }, canvas),
        shows,
        countdown,
        problem,
        h(
          'div',
          { class: 'actions' },
          h(
            'button',
            { type: 'button', class: 'act-refresh-code', onclick: () => void live.refresh() },
            t('codeRefresh'),
          ),
        ),
        h('p', { class: 'muted code-note' }, t('codeNote')),
        text,
      );
    },
    (error: unknown) => mount(body, h('p', { class: 'error-box' }, errorText(error))),
  );
  return section;
}

interface CodeParts {
  select: HTMLSelectElement;
  canvas: HTMLCanvasElement;
  shows: HTMLElement;
  countdown: HTMLElement;
  problem: HTMLElement;
  text: HTMLElement;
  heading: HTMLElement;
  choices: Choice[];
  section: HTMLElement;
}

/** Asks for codes and draws them, ticking each second until the page is left (the section leaves the document). */
function startCode(parts: CodeParts): { refresh: () => Promise<void> } {
  let endsAt = 0;
  let asking: Promise<void> | undefined;
  const refresh = (): Promise<void> =>
    (asking ??= (async () => {
      const choice = parts.choices.find((candidate) => candidate.value === parts.select.value) ?? parts.choices[0];
      try {
        const issued = await api<IssuedCodeView>('POST', '/me/codes', { show: choice.show });
        endsAt = Date.now() + issued.validitySeconds * 1000;
        await QRCode.toCanvas(parts.canvas, issued.code, { errorCorrectionLevel: 'M', margin: 2, width: 264 });
        parts.canvas.dataset.code = issued.code;
        mount(parts.heading, t(issued.holderKind === 'enterprise' ? 'codeTitleEnterprise' : 'codeTitlePerson'));
        mount(
          parts.shows,
          issued.shows.kind === 'certificate'
            ? t('codeShowsCertificate', {
                title: pick(issued.shows.certificate.title),
                id: issued.shows.certificate.id,
              })
            : t('codeShowsClaim', { statement: pick(issued.shows.claim.statement) }),
        );
        parts.text.textContent = issued.code;
        parts.problem.hidden = true;
        tick();
      } catch (error) {
        endsAt = 0;
        parts.problem.textContent = errorText(error);
        parts.problem.hidden = false;
      } finally {
        asking = undefined;
      }
    })());
  const tick = () => {
    const left = Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
    parts.countdown.textContent = endsAt ? t('codeCountdown', { seconds: left }) : '';
    parts.section.dataset.secondsLeft = String(left);
  };
  const timer = window.setInterval(() => {
    if (!parts.section.isConnected) return window.clearInterval(timer);
    tick();
    if (endsAt && endsAt - Date.now() <= REFRESH_BEFORE_SECONDS * 1000) void refresh();
  }, 1000);
  void refresh();
  return { refresh };
}
