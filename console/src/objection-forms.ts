/**
 * The objections page's forms (objections-view.ts): the owning department's correction of the
 * disputed fact, a second supervisor's confirmation or rejection of it, and a supervisor's
 * re-check or rejection of the objection — each with a required reason, and the API's refusal
 * shown at the field it names.
 */
import { api, ApiFailure, errorText } from './api.js';
import { h, mount } from './dom.js';
import { pick, t } from './i18n.js';
import type { Catalog, Objection } from './types.js';
import { factSelect, factValueInput } from './value-input.js';

export const objectionPath = (id: string) => `/objections/${encodeURIComponent(id)}`;
/** The fact in dispute: the objection's own, or the one a correction of a decision objection named; none for a decision as such. */
export const disputedFact = (o: Objection) =>
  pick(o.factLabel ?? o.correction?.factLabel) || o.fact || o.correction?.fact || '—';

/** A labelled control with a slot where the API's refusal of this field is shown. */
function fieldBox(name: string, label: string, control: HTMLElement): HTMLElement {
  return h(
    'div',
    { class: 'field', 'data-field': name },
    h('span', { class: 'field-label' }, label),
    control,
    h('span', { class: 'field-error' }),
  );
}

/** Shows a refusal at the field it names, or in the form's flash when the form has no such field. */
function showRefusal(form: HTMLElement, flash: HTMLElement, error: unknown): void {
  const place =
    error instanceof ApiFailure && error.field
      ? form.querySelector<HTMLElement>(`[data-field="${CSS.escape(error.field)}"]`)
      : null;
  if (place && error instanceof ApiFailure) {
    place.classList.add('invalid');
    mount(place.querySelector('.field-error')!, h('span', { class: 'issue' }, error.shown));
  } else mount(flash, h('div', { class: 'flash-bad' }, errorText(error)));
}

function clearRefusals(form: HTMLElement, flash: HTMLElement): void {
  for (const place of form.querySelectorAll('.invalid')) place.classList.remove('invalid');
  for (const slot of form.querySelectorAll('.field-error')) slot.replaceChildren();
  mount(flash);
}

/** The department's correction: the disputed fact (fixed for a data objection), its new value and the reason. */
export function correctionForm(o: Objection, catalog: Catalog, done: (updated: Objection) => void): HTMLElement {
  const fields = new Map(
    catalog.sources.flatMap((source) => source.fields.map((field) => [field.key, field] as const)),
  );
  let fact = o.fact ?? '';
  let value: unknown;
  const valueInput = () => {
    value = undefined;
    const input = factValueInput(fields.get(fact), undefined, (v) => {
      value = v;
    });
    input.classList.add('correction-value');
    input.setAttribute('aria-label', t('objNewValue'));
    return input;
  };
  let input = valueInput();
  const valueField = fieldBox('value', t('objNewValue'), input);
  const factControl = o.fact
    ? h('input', {
        type: 'text',
        class: 'correction-fact',
        disabled: true,
        value: `${disputedFact(o)} · ${o.fact}`,
        'aria-label': t('objCorrectFact'),
      })
    : factSelect(catalog.sources, o.subject.kind, undefined, (key) => {
        fact = key;
        const next = valueInput();
        input.replaceWith(next);
        input = next;
      });
  factControl.classList.add('correction-fact');
  const reason = h('textarea', {
    class: 'correction-reason',
    rows: 2,
    placeholder: t('objCorrectReasonPlaceholder'),
    'aria-label': t('objCorrectReason'),
    'aria-required': 'true',
  });
  const flash = h('div', { class: 'flash', role: 'status' });
  const submit = h('button', { type: 'submit', class: 'primary act-correct' }, t('objCorrectSubmit'));
  const form = h(
    'form',
    { class: 'obj-form objection-correct' },
    h('h4', {}, t('objCorrectTitle')),
    h('p', { class: 'muted' }, t('objCorrectIntro')),
    h('div', { class: 'grid2' }, fieldBox('fact', t('objCorrectFact'), factControl), valueField),
    fieldBox('reason', t('objCorrectReason'), reason),
    h('div', { class: 'actions' }, submit),
    flash,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearRefusals(form, flash);
    submit.disabled = true;
    // Whatever was typed goes to the API, which checks it against the catalog and names the field at fault.
    const body = { ...(fact ? { fact } : {}), value: value ?? '', reason: reason.value };
    api<Objection>('POST', `${objectionPath(o.id)}/correct`, body).then(done, (error: unknown) => {
      showRefusal(form, flash, error);
      submit.disabled = false;
    });
  });
  return form;
}

/** Re-evaluate on the records as they stand, or reject; either with a reason the citizen is told. */
export function resolveForm(o: Objection, done: (updated: Objection) => void): HTMLElement {
  const reason = h('textarea', {
    class: 'resolve-reason',
    rows: 2,
    placeholder: t('objResolveReasonPlaceholder'),
    'aria-label': t('objResolveReason'),
    'aria-required': 'true',
  });
  const flash = h('div', { class: 'flash', role: 'status' });
  const buttons: HTMLButtonElement[] = [];
  const act = (action: 'reevaluate' | 'reject') => () => {
    clearRefusals(form, flash);
    for (const b of buttons) b.disabled = true;
    api<Objection>('POST', `${objectionPath(o.id)}/resolve`, { action, reason: reason.value }).then(
      done,
      (error: unknown) => {
        showRefusal(form, flash, error);
        for (const b of buttons) b.disabled = false;
      },
    );
  };
  buttons.push(
    h('button', { type: 'button', class: 'act-reevaluate', onclick: act('reevaluate') }, t('objReevaluate')),
    h('button', { type: 'button', class: 'danger act-reject', onclick: act('reject') }, t('objReject')),
  );
  const form = h(
    'div',
    { class: 'obj-form objection-resolve' },
    h('h4', {}, t('objResolveTitle')),
    fieldBox('reason', t('objResolveReason'), reason),
    h('div', { class: 'actions' }, ...buttons),
    flash,
  );
  return form;
}

/** A second supervisor confirms the recorded correction (the record changes, the citizen is told) or rejects it with a reason. */
export function confirmForm(o: Objection, done: (updated: Objection) => void): HTMLElement {
  const reason = h('textarea', {
    class: 'confirm-reason',
    rows: 2,
    placeholder: t('objConfirmReasonPlaceholder'),
    'aria-label': t('objConfirmReason'),
  });
  const flash = h('div', { class: 'flash', role: 'status' });
  const buttons: HTMLButtonElement[] = [];
  const act = (action: 'confirm' | 'reject') => () => {
    clearRefusals(form, flash);
    for (const b of buttons) b.disabled = true;
    const body = action === 'reject' ? { action, reason: reason.value } : { action };
    api<Objection>('POST', `${objectionPath(o.id)}/confirm`, body).then(done, (error: unknown) => {
      showRefusal(form, flash, error);
      for (const b of buttons) b.disabled = false;
    });
  };
  buttons.push(
    h('button', { type: 'button', class: 'primary act-confirm', onclick: act('confirm') }, t('objConfirm')),
    h('button', { type: 'button', class: 'danger act-confirm-reject', onclick: act('reject') }, t('objConfirmReject')),
  );
  const form = h(
    'div',
    { class: 'obj-form objection-confirm' },
    h('h4', {}, t('objConfirmTitle')),
    fieldBox('reason', t('objConfirmReason'), reason),
    h('div', { class: 'actions' }, ...buttons),
    flash,
  );
  return form;
}
