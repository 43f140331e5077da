/**
 * One entry of the citizen's "who used my data" (GET /me/access): who used it — a department, a
 * population screening or simulation, a member of staff, a verifier that scanned their code — when,
 * what and why, by kind.
 */
import { h } from './dom.js';
import { formatTime, pick, t, tOr } from './i18n.js';
import type { Text } from './types.js';

type PolicyLabel = { id: string; version: number; title: Text };
type Who = { name: string; role?: string };
/** One entry of "who used my data" (GET /me/access), by kind. */
export type AccessView =
  | {
      kind: 'data-pull';
      at: string;
      department: Text;
      fields: Array<{ label: Text }>;
      purposes: string[];
      policy: PolicyLabel;
    }
  | {
      kind: 'screening';
      at: string;
      programme: 'sweep' | 'simulation';
      departments: Text[];
      fields: Array<{ label: Text }>;
      policy: PolicyLabel;
      asOf: string;
      by: Who;
    }
  | { kind: 'case-read'; at: string; caseId: string; by: Who }
  | { kind: 'unmask'; at: string; caseId: string; by: Who; reason: string }
  | { kind: 'explanation'; at: string; caseId: string; policy: PolicyLabel; by: Who; reason: string }
  | { kind: 'subject-search'; at: string; by: Who; reason: string }
  | { kind: 'window-visit'; at: string; by: Who; reason: string; window: string }
  | {
      kind: 'code-scan';
      at: string;
      verifier: { name: Text; kind: string };
      matter: { id: string; title: Text };
      shown: {
        kind: 'certificate' | 'claim';
        certificateType: string;
        certificateTitle?: Text;
        certificateId?: string;
        answer?: boolean;
      };
    }
  | {
      kind: 'verification';
      at: string;
      department: Text;
      matter: { id: string; title: Text };
      claim: { id: string; statement: Text };
      certifiedBy: Text;
      answer: 'yes' | 'no' | 'cannot-tell' | 'pending';
      reused: boolean;
    }
  | {
      kind: 'correction';
      at: string;
      department: Text;
      fields: Array<{ label: Text }>;
      reason: string;
      by: Who;
      confirmedBy?: Who;
    };

const fieldList = (fields: Array<{ label: Text }>) => fields.map((f) => pick(f.label)).join('、');
const whoIs = (by: Who) => (by.role ? `${tOr(`role_${by.role}`, by.role)} ${by.name}` : by.name);

/** One entry of "who used my data": who (a department, a programme, a person), when, what and why. */
export function accessItem(a: AccessView): HTMLElement {
  const line = (who: string, ...rest: Array<HTMLElement | null>) =>
    h(
      'div',
      { class: `me-item access-item access-${a.kind}`, 'data-kind': a.kind },
      h(
        'div',
        { class: 'me-line' },
        h('strong', { class: 'department' }, who),
        h('span', { class: 'muted' }, formatTime(a.at)),
      ),
      ...rest,
    );
  switch (a.kind) {
    case 'data-pull':
      return line(
        pick(a.department),
        h('div', {}, t('meAccessFields', { fields: fieldList(a.fields) })),
        h(
          'div',
          { class: 'muted' },
          t('meAccessPurpose', { policy: pick(a.policy.title), purposes: a.purposes.join('；') }),
        ),
      );
    case 'screening':
      return line(
        t(a.programme === 'sweep' ? 'meAccessSweep' : 'meAccessSimulation', { policy: pick(a.policy.title) }),
        h(
          'div',
          {},
          t('meAccessFields', { fields: fieldList(a.fields) }),
          h('span', { class: 'muted' }, ` · ${a.departments.map(pick).join('、')}`),
        ),
        h('div', { class: 'muted' }, t('meAccessScreening', { asOf: a.asOf, by: whoIs(a.by) })),
      );
    case 'case-read':
      return line(whoIs(a.by), h('div', {}, t('meAccessCaseRead', { caseId: a.caseId })));
    case 'unmask':
      return line(
        whoIs(a.by),
        h('div', {}, t('meAccessUnmask', { caseId: a.caseId })),
        h('div', { class: 'muted' }, t('meAccessReason', { reason: a.reason })),
      );
    case 'explanation':
      return line(
        whoIs(a.by),
        h('div', {}, t('meAccessExplanation', { policy: pick(a.policy.title), caseId: a.caseId })),
        h('div', { class: 'muted' }, t('meAccessReason', { reason: a.reason })),
      );
    case 'subject-search':
      return line(
        whoIs(a.by),
        h('div', {}, t('meAccessSubjectSearch')),
        h('div', { class: 'muted' }, t('meAccessReason', { reason: a.reason })),
      );
    case 'window-visit':
      return line(
        whoIs(a.by),
        h('div', {}, t('meAccessWindowVisit', { window: a.window })),
        h('div', { class: 'muted' }, t('meAccessReason', { reason: a.reason })),
      );
    case 'code-scan': {
      const type = pick(a.shown.certificateTitle) || a.shown.certificateType;
      return line(
        pick(a.verifier.name),
        h('div', {}, t('meAccessCodeScan', { matter: pick(a.matter.title) })),
        h(
          'div',
          { class: 'muted' },
          a.shown.kind === 'certificate'
            ? t('meAccessCodeScanCertificate', { type, id: a.shown.certificateId ?? '' })
            : t('meAccessCodeScanClaim', { type, answer: t(a.shown.answer ? 'codeAnswerYes' : 'codeAnswerNo') }),
        ),
      );
    }
    case 'verification':
      return line(
        pick(a.department),
        h('div', {}, t('meAccessVerification', { matter: pick(a.matter.title), claim: pick(a.claim.statement) })),
        h(
          'div',
          { class: 'muted' },
          t(a.reused ? 'meAccessVerificationReused' : 'meAccessVerificationAnswer', {
            answer: t(`verificationAnswer_${a.answer}`),
            by: pick(a.certifiedBy),
          }),
        ),
      );
    case 'correction':
      return line(
        pick(a.department),
        h('div', {}, t('meAccessCorrected', { fields: fieldList(a.fields) })),
        h(
          'div',
          { class: 'muted' },
          a.confirmedBy
            ? t('meAccessCorrectedConfirmed', { reason: a.reason, by: whoIs(a.by), confirmer: whoIs(a.confirmedBy) })
            : t('meAccessCorrectedBy', { reason: a.reason, by: whoIs(a.by) }),
        ),
      );
  }
}
