/**
 * Proof-free applications in the console (依申请 免提交, /applications): the matters one may apply
 * for and one's own applications (#/apply), the form of a matter pre-filled from shared data with
 * each value's source beside it — "来自 市公安局（共享）" — the rest as inputs, and each proof with
 * how the agency obtains it: nothing to do for sharing and verification, a certificate picked from
 * the wallet, a pledge signed with its text (#/apply/<matter>); then the application's status page,
 * where a proof asked for (its replacement failed) takes an upload (#/application/<id>).
 */
import { api, ApiFailure, errorText } from './api.js';
import { h, mount } from './dom.js';
import { formatTime, pick, t, tOr } from './i18n.js';
import type { Text } from './types.js';

interface MatterItem {
  id: string;
  subject: 'person' | 'enterprise';
  title: Text;
  department: { id: string; name: Text };
}

interface FormField {
  id: string;
  label: Text;
  required: boolean;
  source: 'shared' | 'typed';
  fact?: string;
  department?: Text;
  value?: string | number | boolean;
  input?: 'text' | 'number' | 'date' | 'boolean';
}

interface FormProof {
  id: string;
  title: Text;
  issuedBy: Text;
  method: string;
  how: Text;
  statement?: Text;
  certificateType?: string;
  certificates?: Array<{ id: string; title: Text; validUntil?: string }>;
}

interface ApplicationForm {
  matter: { id: string; title: Text; department: { id: string; name: Text } };
  listVersion: number;
  timeLimitWorkingDays: number;
  fields: FormField[];
  proofs: FormProof[];
}

interface ApplicationView {
  id: string;
  matter: { id: string; title: Text };
  department: { id: string; name: Text };
  status: string;
  submittedAt: string;
  dueAt: string;
  fields: Array<FormField & { value?: string | number | boolean }>;
  proofs: Array<{
    id: string;
    title: Text;
    method: string;
    obtainedBy?: string;
    reused: boolean;
    asked?: Text;
    upload?: { fileName: string; at: string };
  }>;
  asked: string[];
  decision?: { outcome: string; reason: string; at: string };
}

const shownValue = (value: string | number | boolean | undefined): string =>
  value === undefined ? '—' : typeof value === 'boolean' ? t(value ? 'yes' : 'no') : String(value);

const statusBadge = (status: string) =>
  h('span', { class: `badge application-status status-${status}` }, tOr(`applicationStatus_${status}`, status));

/** The matters and one's applications (#/apply). */
export function renderApplications(): HTMLElement {
  const matters = h('div', { class: 'application-matters' }, h('p', { class: 'muted' }, t('loading')));
  const mine = h('div', { class: 'application-list' }, h('p', { class: 'muted' }, t('loading')));
  void api<MatterItem[]>('GET', '/applications/matters').then(
    (items) =>
      mount(
        matters,
        items.map((item) =>
          h(
            'a',
            {
              class: 'me-item application-matter',
              href: `#/apply/${encodeURIComponent(item.id)}`,
              'data-matter': item.id,
            },
            h('strong', {}, pick(item.title)),
            h('div', { class: 'muted' }, pick(item.department.name)),
          ),
        ),
      ),
    (error: unknown) => mount(matters, h('p', { class: 'error-box' }, errorText(error))),
  );
  void api<{ applications: ApplicationView[] }>('GET', '/applications').then(
    ({ applications }) =>
      mount(
        mine,
        applications.length
          ? applications.map((a) =>
              h(
                'a',
                {
                  class: 'me-item application-item',
                  href: `#/application/${encodeURIComponent(a.id)}`,
                  'data-application': a.id,
                },
                h('div', { class: 'me-line' }, h('strong', {}, pick(a.matter.title)), statusBadge(a.status)),
                h('div', { class: 'muted' }, t('applicationSubmittedAt', { at: formatTime(a.submittedAt) })),
              ),
            )
          : h('p', { class: 'muted none' }, t('applicationsNone')),
      ),
    (error: unknown) => mount(mine, h('p', { class: 'error-box' }, errorText(error))),
  );
  return h(
    'div',
    {},
    h(
      'section',
      { class: 'card me-section' },
      h('h3', {}, t('applyTitle')),
      h('p', { class: 'muted' }, t('applyIntro')),
      matters,
    ),
    h('section', { class: 'card me-section' }, h('h3', {}, t('applicationsMine')), mine),
  );
}

/** One field of the form: a shared value with its source, or an input. */
function fieldRow(field: FormField, inputs: Map<string, HTMLInputElement>): HTMLElement {
  const label = h('span', { class: 'field-label' }, pick(field.label), field.required ? ' *' : '');
  if (field.source === 'shared')
    return h(
      'div',
      { class: 'field application-field shared', 'data-field': field.id },
      label,
      h(
        'div',
        { class: 'application-value' },
        h('strong', { class: 'field-value' }, shownValue(field.value)),
        h(
          'span',
          { class: 'badge ok field-source' },
          t('applicationFieldSource', { department: pick(field.department) }),
        ),
      ),
    );
  const input = h('input', {
    name: field.id,
    type:
      field.input === 'number'
        ? 'number'
        : field.input === 'date'
          ? 'date'
          : field.input === 'boolean'
            ? 'checkbox'
            : 'text',
  });
  inputs.set(field.id, input);
  return h(
    'label',
    { class: 'field application-field typed', 'data-field': field.id },
    label,
    input,
    h('span', { class: 'muted field-error', hidden: true }),
  );
}

/** One proof of the form: how it is obtained, with the pledge to sign or the certificate to pick. */
function proofRow(proof: FormProof, pledges: Map<string, HTMLInputElement>, pickers: Map<string, HTMLSelectElement>) {
  let action: HTMLElement | null = null;
  if (proof.method === 'pledge' && proof.statement) {
    const box = h('input', { type: 'checkbox', name: `pledge-${proof.id}` });
    pledges.set(proof.id, box);
    action = h('label', { class: 'pledge-sign' }, box, h('span', {}, pick(proof.statement)));
  }
  if (proof.method === 'certificate') {
    const select = h(
      'select',
      { name: `certificate-${proof.id}` },
      h('option', { value: '' }, t('applicationNoCertificate')),
      ...(proof.certificates ?? []).map((c) =>
        h(
          'option',
          { value: c.id },
          `${pick(c.title)}${c.validUntil ? ` · ${t('applicationValidUntil', { date: c.validUntil })}` : ''}`,
        ),
      ),
    );
    if (proof.certificates?.length) select.value = proof.certificates[0].id;
    pickers.set(proof.id, select);
    action = h('label', { class: 'certificate-pick' }, h('span', {}, t('applicationPickCertificate')), select);
  }
  return h(
    'div',
    { class: `me-item application-proof method-${proof.method}`, 'data-proof': proof.id },
    h(
      'div',
      { class: 'me-line' },
      h('strong', {}, pick(proof.title)),
      h('span', { class: 'badge proof-method' }, tOr(`proofMethod_${proof.method}`, proof.method)),
    ),
    h('div', { class: 'muted proof-how' }, pick(proof.how)),
    action,
  );
}

/** The pre-filled form of a matter (#/apply/<matter>). */
export function renderApplicationForm(matterId: string): HTMLElement {
  const body = h('div', {}, h('p', { class: 'muted' }, t('loading')));
  const submissionKey = `form-${crypto.randomUUID()}`;
  void api<ApplicationForm>('GET', `/applications/form/${encodeURIComponent(matterId)}`).then(
    (form) => {
      const inputs = new Map<string, HTMLInputElement>();
      const pledges = new Map<string, HTMLInputElement>();
      const pickers = new Map<string, HTMLSelectElement>();
      const problem = h('p', { class: 'error-box application-problem', hidden: true });
      const submit = h('button', { type: 'submit', class: 'primary application-submit' }, t('applicationSubmit'));
      const element = h(
        'form',
        { class: 'card application-form' },
        h('h3', {}, pick(form.matter.title)),
        h(
          'p',
          { class: 'muted' },
          t('applicationFormIntro', { department: pick(form.matter.department.name), days: form.timeLimitWorkingDays }),
        ),
        h('h4', {}, t('applicationFields')),
        ...form.fields.map((field) => fieldRow(field, inputs)),
        h('h4', {}, t('applicationProofs')),
        h('p', { class: 'muted' }, t('applicationProofsIntro')),
        ...form.proofs.map((proof) => proofRow(proof, pledges, pickers)),
        problem,
        submit,
      );
      element.addEventListener('submit', (event) => {
        event.preventDefault();
        const fields: Record<string, string | number | boolean> = {};
        for (const [id, input] of inputs) {
          if (input.type === 'checkbox') fields[id] = input.checked;
          else if (input.value.trim() !== '') fields[id] = input.type === 'number' ? Number(input.value) : input.value;
        }
        const body = {
          matter: form.matter.id,
          fields,
          pledges: [...pledges].filter(([, box]) => box.checked).map(([id]) => id),
          certificates: [...pickers.values()].map((select) => select.value).filter(Boolean),
          submissionKey,
        };
        submit.disabled = true;
        void api<{ id: string }>('POST', '/applications', body).then(
          (created) => {
            location.hash = `#/application/${encodeURIComponent(created.id)}`;
          },
          (error: unknown) => {
            submit.disabled = false;
            problem.hidden = false;
            problem.textContent = errorText(error);
            const field = error instanceof ApiFailure ? error.field : undefined;
            const at = field?.startsWith('fields.') ? element.querySelector(`[data-field="${field.slice(7)}"]`) : null;
            at?.classList.add('invalid');
          },
        );
      });
      mount(body, element);
    },
    (error: unknown) => mount(body, h('p', { class: 'error-box' }, errorText(error))),
  );
  return h('div', {}, h('a', { href: '#/apply' }, t('back')), body);
}

/** The upload form of a proof asked for. */
function uploadForm(application: ApplicationView, proofId: string, reload: () => void): HTMLElement {
  const file = h('input', { type: 'file', name: `upload-${proofId}` });
  const problem = h('span', { class: 'error-box', hidden: true });
  const form = h(
    'form',
    { class: 'application-upload' },
    file,
    h('button', { type: 'submit', class: 'primary' }, t('applicationUpload')),
    problem,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) return;
    void chosen.arrayBuffer().then((buffer) => {
      let binary = '';
      for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
      return api('POST', `/applications/${encodeURIComponent(application.id)}/uploads`, {
        proof: proofId,
        fileName: chosen.name,
        contentBase64: btoa(binary),
      }).then(reload, (error: unknown) => {
        problem.hidden = false;
        problem.textContent = errorText(error);
      });
    });
  });
  return form;
}

/** The application's status page (#/application/<id>); the applicant uploads a proof asked for here, staff only read. */
export function renderApplication(id: string, options: { mayUpload?: boolean } = {}): HTMLElement {
  const mayUpload = options.mayUpload ?? true;
  const body = h('div', {}, h('p', { class: 'muted' }, t('loading')));
  const load = () =>
    void api<ApplicationView>('GET', `/applications/${encodeURIComponent(id)}`).then(
      (a) =>
        mount(
          body,
          h(
            'section',
            { class: 'card application-page', 'data-status': a.status },
            h('div', { class: 'me-line' }, h('h3', {}, pick(a.matter.title)), statusBadge(a.status)),
            h(
              'p',
              { class: 'muted' },
              t('applicationDue', {
                department: pick(a.department.name),
                submitted: formatTime(a.submittedAt),
                due: formatTime(a.dueAt),
              }),
            ),
            a.decision
              ? h(
                  'p',
                  { class: `notice application-decision decision-${a.decision.outcome}` },
                  tOr(`applicationStatus_${a.decision.outcome}`, a.decision.outcome),
                  `：${a.decision.reason}`,
                )
              : null,
            h('h4', {}, t('applicationFields')),
            ...a.fields.map((f) =>
              h(
                'div',
                { class: `field application-field ${f.source}`, 'data-field': f.id },
                h('span', { class: 'field-label' }, pick(f.label)),
                h(
                  'div',
                  { class: 'application-value' },
                  h('strong', { class: 'field-value' }, shownValue(f.value)),
                  h(
                    'span',
                    { class: `badge field-source ${f.source === 'shared' ? 'ok' : ''}` },
                    f.source === 'shared'
                      ? t('applicationFieldSource', { department: pick(f.department) })
                      : t('applicationFieldTyped'),
                  ),
                ),
              ),
            ),
            h('h4', {}, t('applicationProofs')),
            ...a.proofs.map((p) =>
              h(
                'div',
                { class: `me-item application-proof${p.asked ? ' asked' : ''}`, 'data-proof': p.id },
                h(
                  'div',
                  { class: 'me-line' },
                  h('strong', {}, pick(p.title)),
                  h(
                    'span',
                    { class: `badge proof-obtained ${p.obtainedBy ? 'ok' : 'bad'}` },
                    p.obtainedBy
                      ? `${tOr(`proofObtained_${p.obtainedBy}`, p.obtainedBy)}${p.reused ? ` · ${t('proofReused')}` : ''}`
                      : t('proofPending'),
                  ),
                ),
                p.asked ? h('div', { class: 'error-box proof-asked' }, pick(p.asked)) : null,
                p.upload ? h('div', { class: 'muted' }, t('proofUploaded', { name: p.upload.fileName })) : null,
                p.asked && mayUpload ? uploadForm(a, p.id, load) : null,
              ),
            ),
          ),
        ),
      (error: unknown) => mount(body, h('p', { class: 'error-box' }, errorText(error))),
    );
  load();
  return h('div', {}, mayUpload ? h('a', { href: '#/apply' }, t('back')) : null, body);
}
