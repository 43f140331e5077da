/**
 * The verification log (证明核验记录, `#/verifications`): every verification departments asked of
 * applyfree — which department, for which matter, which claim, about whom (masked), the answer
 * with its validity, whether an archived answer was reused, how it was signed — newest first,
 * filtered by requesting department, certifying department or status. A claim the certifying
 * department answers by its procedure shows its due time; a supervisor enters the department's
 * written answer here. Officers and supervisors read it (domain/permissions.ts verification.read).
 * Uses GET /staff/verifications and POST /staff/verifications/:id/answer.
 */
import { api, errorText } from './api.js';
import { h, mount } from './dom.js';
import { button, field, select, textInput, type Session } from './form-kit.js';
import { formatTime, pick, t } from './i18n.js';
import type { MessageKey } from './messages.js';
import type { Text } from './types.js';
import { allows } from '../../domain/permissions.js';

type Answer = 'yes' | 'no' | 'cannot-tell' | 'pending';

/** GET /staff/verifications (services/verifications/service.ts VerificationLogEntry), as shown here. */
interface VerificationRow {
  verificationId: string;
  status: 'answered' | 'pending';
  answer: Answer;
  validUntil?: string;
  dueAt?: string;
  /** A pending answer past its time limit. */
  overdue?: boolean;
  reused: boolean;
  proofId: string;
  signature?: { scheme: 'sm2-seal' | 'hmac-sha256'; sealId?: string; keyId?: string };
  signedBy: { department: string; name: Text };
  matter: { id: string; title?: Text };
  claim: { id: string; statement?: Text };
  requester: { kind: string; id: string; department?: string; name?: Text };
  subjectKind: 'person' | 'enterprise';
  subject?: string;
  requestedAt: string;
  answeredAt?: string;
  answeredBy?: { kind: string; id: string; name?: string };
  reference?: string;
}

const ANSWER_BADGE: Record<Answer, string> = { yes: 'ok', no: 'bad', 'cannot-tell': 'warn', pending: 'warn' };

const answerText = (answer: Answer) => t(`verificationAnswer_${answer}` as MessageKey);

/** A supervisor's entry of the certifying department's written answer to a pending verification. */
function answerForm(row: VerificationRow, onAnswered: () => void): HTMLElement {
  let reference = '';
  const note = h('span', { class: 'muted verification-answer-note', role: 'status' });
  const give = (answer: Exclude<Answer, 'pending'>) =>
    void api('POST', `/staff/verifications/${encodeURIComponent(row.verificationId)}/answer`, {
      answer,
      ...(reference.trim() ? { reference: reference.trim() } : {}),
    })
      .then(onAnswered)
      .catch((error) => mount(note, errorText(error)));
  return h(
    'div',
    { class: 'verification-answer-form' },
    field(
      t('verificationReference'),
      textInput('', (v) => (reference = v), { class: 'verification-reference', maxlength: '200' }),
      'reference',
    ),
    h(
      'div',
      { class: 'row' },
      button(answerText('yes'), () => give('yes'), { class: 'verification-answer-yes' }),
      button(answerText('no'), () => give('no'), { class: 'ghost verification-answer-no' }),
      button(answerText('cannot-tell'), () => give('cannot-tell'), { class: 'ghost verification-answer-unknown' }),
    ),
    note,
  );
}

function row(r: VerificationRow, session: Session, reload: () => void): HTMLElement {
  const mayAnswer = r.status === 'pending' && allows(session.role, 'verification.answer');
  return h(
    'tr',
    { class: `verification verification-${r.status}`, 'data-verification': r.verificationId },
    h('td', {}, formatTime(r.requestedAt)),
    h(
      'td',
      { class: 'verification-requester' },
      r.requester.name ? pick(r.requester.name) : (r.requester.department ?? r.requester.id),
      r.requester.kind === 'application' ? h('div', { class: 'muted' }, t('verificationForApplication')) : null,
    ),
    h(
      'td',
      { class: 'verification-matter' },
      r.matter.title ? pick(r.matter.title) : r.matter.id,
      h('div', { class: 'muted mono' }, r.matter.id),
    ),
    h(
      'td',
      { class: 'verification-claim' },
      r.claim.statement ? pick(r.claim.statement) : r.claim.id,
      h('div', { class: 'muted' }, pick(r.signedBy.name)),
    ),
    h(
      'td',
      { class: 'mono verification-subject' },
      r.subject ?? '—',
      h('div', { class: 'muted' }, t(r.subjectKind === 'person' ? 'verificationPerson' : 'verificationEnterprise')),
    ),
    h(
      'td',
      {},
      h('span', { class: `badge ${ANSWER_BADGE[r.answer]} verification-answer` }, answerText(r.answer)),
      r.reused ? h('div', { class: 'muted verification-reused' }, t('verificationReused')) : null,
    ),
    h(
      'td',
      { class: 'verification-validity' },
      r.status === 'pending'
        ? [
            t('verificationDue', { at: r.dueAt ? formatTime(r.dueAt) : '—' }),
            r.overdue ? h('span', { class: 'badge bad verification-overdue' }, t('verificationOverdue')) : null,
          ]
        : r.validUntil
          ? t('verificationValidUntil', { at: formatTime(r.validUntil) })
          : '—',
    ),
    h(
      'td',
      { class: 'verification-signature' },
      r.signature
        ? h(
            'span',
            { class: 'badge' },
            t(r.signature.scheme === 'sm2-seal' ? 'verificationSignedSeal' : 'verificationSignedHmac'),
          )
        : '—',
      r.answeredBy
        ? h(
            'div',
            { class: 'muted' },
            r.answeredBy.kind === 'staff' ? (r.answeredBy.name ?? r.answeredBy.id) : r.answeredBy.id,
            r.reference ? ` · ${r.reference}` : '',
          )
        : null,
      mayAnswer ? answerForm(r, reload) : null,
    ),
  );
}

/** The verification log page. */
export function renderVerifications(session: Session): HTMLElement {
  const filter = { requester: '', certifiedBy: '', status: '' };
  const content = h('div', { class: 'verifications-body' }, h('p', { class: 'muted' }, t('loading')));
  async function load(): Promise<void> {
    try {
      const query = new URLSearchParams(Object.entries(filter).filter(([, value]) => value !== '')).toString();
      const rows = await api<VerificationRow[]>('GET', `/staff/verifications${query ? `?${query}` : ''}`);
      const answered = rows.filter((r) => r.status === 'answered');
      const counts = {
        total: rows.length,
        reused: answered.filter((r) => r.reused).length,
        pending: rows.length - answered.length,
      };
      mount(
        content,
        h('p', { class: 'muted verification-counts' }, t('verificationCounts', counts)),
        rows.length === 0
          ? h('p', { class: 'muted verifications-empty' }, t('verificationNone'))
          : h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { class: 'verifications' },
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    ...(
                      [
                        'verificationAt',
                        'verificationRequester',
                        'verificationMatter',
                        'verificationClaim',
                        'verificationSubject',
                        'verificationAnswer',
                        'verificationValidity',
                        'verificationSignature',
                      ] as const
                    ).map((key) => h('th', {}, t(key))),
                  ),
                ),
                h('tbody', {}, ...rows.map((r) => row(r, session, () => void load()))),
              ),
            ),
      );
    } catch (error) {
      mount(content, h('p', { class: 'error-box' }, errorText(error)));
    }
  }
  const filters = h(
    'form',
    { class: 'card verification-filters row' },
    field(
      t('verificationRequester'),
      textInput('', (v) => (filter.requester = v.trim()), {
        class: 'verification-filter-requester',
        placeholder: t('verificationAnyDepartment'),
      }),
      'requester',
    ),
    field(
      t('verificationCertifiedBy'),
      textInput('', (v) => (filter.certifiedBy = v.trim()), {
        class: 'verification-filter-certified',
        placeholder: t('verificationAnyDepartment'),
      }),
      'certifiedBy',
    ),
    field(
      t('verificationStatus'),
      select(
        [
          ['', t('verificationStatusAll')],
          ['answered', t('verificationStatus_answered')],
          ['pending', t('verificationStatus_pending')],
        ],
        '',
        (v) => (filter.status = v),
        { class: 'verification-filter-status' },
      ),
      'status',
    ),
    button(t('verificationFilter'), () => void load(), { class: 'verification-filter' }),
  );
  void load();
  return h(
    'section',
    { class: 'verifications-page' },
    h('h2', {}, t('verificationTitle')),
    h('p', { class: 'muted' }, t('verificationIntro')),
    filters,
    content,
  );
}
