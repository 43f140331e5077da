/**
 * A value typed by its fact and operator: a date picker for dates, a number for counts and
 * amounts, yes/no for booleans, a select for closed value sets, a list for in/notIn, and a
 * parameter of the policy where the operator takes a number.
 */
import { h } from './dom.js';
import { numberOrText, select } from './form-kit.js';
import { pick, t } from './i18n.js';
import type { CatalogField } from './types.js';

export type ValueKind = 'scalar' | 'list' | 'number' | 'wholeNumber' | 'date' | 'ageOn';

/** An input for a fact's own value (test cases; the `scalar` comparison of a condition). */
export function factValueInput(
  fact: CatalogField | undefined,
  value: unknown,
  onChange: (value: unknown) => void,
): HTMLElement {
  switch (fact?.type) {
    case 'date': {
      const input = h('input', { type: 'date', value: typeof value === 'string' ? value : '' });
      input.addEventListener('change', () => onChange(input.value));
      return input;
    }
    case 'boolean':
      return select(
        [
          ['', t('choose')],
          ['true', t('yes')],
          ['false', t('no')],
        ],
        value === undefined ? '' : String(value),
        (v) => onChange(v === '' ? undefined : v === 'true'),
      );
    case 'number': {
      const input = h('input', { type: 'text', inputmode: 'decimal', value: value === undefined ? '' : String(value) });
      input.addEventListener('input', () => onChange(numberOrText(input.value)));
      return input;
    }
    default:
      if (fact?.values) {
        return select(
          [['', t('choose')], ...fact.values.map((v): [string, string] => [v, v])],
          typeof value === 'string' ? value : '',
          (v) => onChange(v),
        );
      }
      {
        const input = h('input', { type: 'text', value: value === undefined ? '' : String(value) });
        input.addEventListener('input', () => onChange(input.value));
        return input;
      }
  }
}

/**
 * The value of a condition leaf. `parameters` are the policy's number parameters, offered
 * where the operator compares with a number; choosing one writes `{ "parameter": name }`.
 */
export function conditionValueInput(
  fact: CatalogField | undefined,
  kind: ValueKind,
  value: unknown,
  parameters: string[],
  onChange: (value: unknown, structural: boolean) => void,
): HTMLElement {
  const ref =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as { parameter?: string }).parameter
      : undefined;
  if (kind === 'number' || kind === 'wholeNumber') {
    const source = select(
      [['', t('literal')], ...parameters.map((name): [string, string] => [name, t('parameterRef', { name })])],
      ref ?? '',
      (name) => onChange(name ? { parameter: name } : undefined, true),
      { class: 'value-source', 'aria-label': t('value') },
    );
    if (ref) return h('span', { class: 'value-input' }, source);
    const input = h('input', {
      type: 'text',
      inputmode: 'numeric',
      class: 'value-number',
      value: value === undefined ? '' : String(value),
      'aria-label': t('value'),
    });
    input.addEventListener('input', () => onChange(numberOrText(input.value), false));
    return h('span', { class: 'value-input' }, parameters.length > 0 ? source : null, input);
  }
  if (kind === 'ageOn') return ageOnInput(value, (v) => onChange(v, false));
  if (kind === 'date') {
    const input = h('input', { type: 'date', value: typeof value === 'string' ? value : '', 'aria-label': t('value') });
    input.addEventListener('change', () => onChange(input.value, false));
    return input;
  }
  if (kind === 'list') {
    const items = Array.isArray(value) ? value : [];
    if (fact?.values) {
      return h(
        'span',
        { class: 'value-input checks' },
        ...fact.values.map((v) => {
          const box = h('input', { type: 'checkbox', checked: items.includes(v) });
          box.addEventListener('change', () =>
            onChange(box.checked ? [...items, v] : items.filter((item) => item !== v), false),
          );
          return h('label', { class: 'check' }, box, v);
        }),
      );
    }
    const input = h('input', {
      type: 'text',
      value: items.join(', '),
      placeholder: t('listHint'),
      'aria-label': t('value'),
    });
    input.addEventListener('input', () => {
      const parts = input.value
        .split(/[,，]/)
        .map((part) => part.trim())
        .filter(Boolean);
      onChange(fact?.type === 'number' ? parts.map(numberOrText) : parts, false);
    });
    return input;
  }
  return factValueInput(fact, value, (v) => onChange(v, false));
}

/**
 * The value of ageOnAtLeast / ageOnBelow: an age in years and the month-day of the as-of year it is
 * reached by (`{ "age": 6, "on": "08-31" }`); a member naming a parameter is kept as it is.
 */
function ageOnInput(value: unknown, onChange: (value: unknown) => void): HTMLElement {
  const current = (typeof value === 'object' && value !== null ? value : {}) as { age?: unknown; on?: unknown };
  const age = h('input', {
    type: 'text',
    inputmode: 'numeric',
    class: 'value-number',
    value: typeof current.age === 'number' ? String(current.age) : '',
    'aria-label': t('ageOnAge'),
  });
  const on = h('input', {
    type: 'text',
    class: 'value-month-day',
    placeholder: 'MM-DD',
    value: typeof current.on === 'string' ? current.on : '',
    'aria-label': t('ageOnDay'),
  });
  const update = () =>
    onChange({
      age: typeof current.age === 'object' ? current.age : numberOrText(age.value),
      on: typeof current.on === 'object' ? current.on : on.value.trim(),
    });
  age.addEventListener('input', update);
  on.addEventListener('input', update);
  // A member naming a parameter shows the parameter (edited in the JSON view), not an empty box.
  const shown = (member: unknown, input: HTMLElement) => {
    const name =
      typeof member === 'object' && member !== null ? (member as { parameter?: string }).parameter : undefined;
    return name === undefined ? input : h('span', { class: 'param-ref' }, t('parameterRef', { name }));
  };
  return h('span', { class: 'value-input' }, shown(current.age, age), t('ageOnBy'), shown(current.on, on));
}

/** A select of facts grouped by department, showing labels. */
export function factSelect(
  sources: Array<{ department: { zh: string; en: string }; subject: string; fields: CatalogField[] }>,
  subject: string,
  value: string | undefined,
  onChange: (key: string) => void,
  only?: Set<string>,
): HTMLSelectElement {
  const control = h(
    'select',
    { class: 'fact-select', 'aria-label': t('fact') },
    h('option', { value: '' }, t('choose')),
  );
  // One group per department: a department keeps several sources (civil affairs: assistance,
  // the low-income population, older people), and an officer looks a fact up by who holds it.
  const byDepartment = new Map<string, CatalogField[]>();
  for (const source of sources.filter((s) => s.subject === subject)) {
    const fields = source.fields.filter((f) => !only || only.has(f.key));
    const label = pick(source.department);
    if (fields.length > 0) byDepartment.set(label, [...(byDepartment.get(label) ?? []), ...fields]);
  }
  for (const [label, fields] of byDepartment)
    control.append(
      h(
        'optgroup',
        { label },
        ...fields.map((f) => h('option', { value: f.key, selected: f.key === value }, `${pick(f.label)} · ${f.key}`)),
      ),
    );
  if (value && !control.querySelector(`option[value="${CSS.escape(value)}"]`))
    control.append(h('option', { value, selected: true }, value));
  control.value = value ?? '';
  control.addEventListener('change', () => onChange(control.value));
  return control;
}
