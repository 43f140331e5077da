/**
 * The policy form: basics, triggers, the facts manifest (source and purpose of every fact),
 * dated parameters as rows, the benefit, and the condition builder. Every control edits the
 * working document in place and carries its path for inline issues.
 */
import { h } from './dom.js';
import { button, factIndex, field, numberOrText, select, textArea, textInput, type EditorContext } from './form-kit.js';
import { pick, t } from './i18n.js';
import { renderConditions } from './conditions.js';
import { at } from './paths.js';
import { factSelect } from './value-input.js';
import type { Text } from './types.js';

/** The form pane over the working document (read-only unless an officer holds a draft). */
export function renderForm(ctx: EditorContext): HTMLElement {
  const { doc, catalog } = ctx;
  const disabled = !ctx.editable;
  const edit = (structural = false) => {
    ctx.touched();
    if (structural) ctx.refresh();
  };
  const text = (get: () => Text | undefined, set: (value: Text) => void, language: 'zh' | 'en', long = false) => {
    const onInput = (value: string) => {
      set({ zh: get()?.zh ?? '', en: get()?.en ?? '', [language]: value });
      edit();
    };
    return long
      ? textArea(get()?.[language], onInput, { disabled })
      : textInput(get()?.[language], onInput, { disabled });
  };
  const date = (value: string | undefined, onChange: (value: string) => void) => {
    const input = h('input', { type: 'date', value: value ?? '', disabled });
    input.addEventListener('change', () => onChange(input.value));
    return input;
  };

  const basics = h(
    'section',
    { class: 'card' },
    h('h3', {}, t('sectionBasics')),
    h(
      'div',
      { class: 'grid2' },
      field(
        t('titleZh'),
        text(
          () => doc.title,
          (v) => (doc.title = v),
          'zh',
        ),
        'title.zh',
      ),
      field(
        t('titleEn'),
        text(
          () => doc.title,
          (v) => (doc.title = v),
          'en',
        ),
        'title.en',
      ),
      field(
        t('departmentZh'),
        text(
          () => doc.department,
          (v) => (doc.department = v),
          'zh',
        ),
        'department.zh',
      ),
      field(
        t('departmentEn'),
        text(
          () => doc.department,
          (v) => (doc.department = v),
          'en',
        ),
        'department.en',
      ),
      field(
        t('reference'),
        textArea(
          doc.reference,
          (v) => {
            doc.reference = v;
            edit();
          },
          { disabled, rows: 3 },
        ),
        'reference',
        'span2',
      ),
      field(
        t('effectiveFrom'),
        date(doc.effective?.from, (v) => {
          doc.effective = { ...doc.effective, from: v };
          edit();
        }),
        'effective.from',
      ),
      field(
        t('effectiveTo'),
        date(doc.effective?.to, (v) => {
          doc.effective = v ? { ...doc.effective, to: v } : { from: doc.effective.from };
          edit();
        }),
        'effective.to',
      ),
      field(
        t('mode'),
        select(
          (['auto', 'offer', 'pledge'] as const).map((m): [string, string] => [m, t(`mode_${m}`)]),
          doc.mode,
          (v) => {
            doc.mode = v as typeof doc.mode;
            edit();
          },
          { disabled },
        ),
        'mode',
      ),
      field(
        t('period'),
        select(
          (['once', 'year', 'month'] as const).map((p): [string, string] => [p, t(`period_${p}`)]),
          doc.period,
          (v) => {
            doc.period = v as typeof doc.period;
            edit();
          },
          { disabled },
        ),
        'period',
      ),
      field(
        t('subject'),
        select(
          (['person', 'enterprise'] as const).map((s): [string, string] => [s, t(`subject_${s}`)]),
          doc.subject,
          (v) => {
            doc.subject = v as typeof doc.subject;
            edit(true);
          },
          { disabled },
        ),
        'subject',
      ),
    ),
    h(
      'fieldset',
      { class: 'field triggers', 'data-path': 'triggers' },
      h('legend', {}, t('triggers')),
      h('span', { class: 'field-error' }),
      ...catalog.triggers
        .filter((trigger) => trigger.subject === doc.subject || doc.triggers?.includes(trigger.type))
        .map((trigger) => {
          const box = h('input', { type: 'checkbox', checked: doc.triggers?.includes(trigger.type), disabled });
          box.addEventListener('change', () => {
            const others = (doc.triggers ?? []).filter((type) => type !== trigger.type);
            doc.triggers = box.checked ? [...others, trigger.type] : others;
            edit();
          });
          return h('label', { class: 'check', title: trigger.type }, box, pick(trigger.label));
        }),
    ),
  );

  const facts = factIndex(catalog);
  const factRows = Object.entries(doc.facts ?? {}).map(([key, entry]) => {
    const path = at('facts', key);
    const known = facts.get(key);
    const purpose = textInput(
      entry.purpose,
      (v) => {
        entry.purpose = v;
        edit();
      },
      { disabled, 'aria-label': t('purpose') },
    );
    return h(
      'tr',
      { 'data-path': path, 'data-fact': key },
      h(
        'td',
        {},
        h('span', { class: 'field-error' }),
        h('strong', {}, known ? pick(known.label) : key),
        h('div', { class: 'muted mono' }, key),
      ),
      h('td', { 'data-path': at(path, 'source') }, entry.source, h('span', { class: 'field-error' })),
      h('td', { 'data-path': at(path, 'purpose') }, purpose, h('span', { class: 'field-error' })),
      h(
        'td',
        {},
        disabled
          ? null
          : button(
              '✕',
              () => {
                delete doc.facts[key];
                edit(true);
              },
              { class: 'small ghost danger', title: t('remove'), 'aria-label': t('remove') },
            ),
      ),
    );
  });
  const newFact = factSelect(catalog.sources, doc.subject, undefined, (key) => {
    const known = facts.get(key);
    if (!key || !known || doc.facts?.[key]) return;
    doc.facts = { ...doc.facts, [key]: { source: known.source, purpose: '' } };
    edit(true);
  });
  newFact.classList.add('add-fact');
  const manifest = h(
    'section',
    { class: 'card', 'data-path': 'facts' },
    h('h3', {}, t('sectionFacts')),
    h('span', { class: 'field-error' }),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'grid-table' },
        h(
          'thead',
          {},
          h('tr', {}, h('th', {}, t('fact')), h('th', {}, t('source')), h('th', {}, t('purpose')), h('th', {})),
        ),
        h('tbody', {}, ...factRows),
      ),
    ),
    disabled ? null : h('div', { class: 'row' }, h('span', { class: 'muted' }, `+ ${t('addFact')}`), newFact),
  );

  const parameterBlocks = Object.entries(doc.parameters ?? {}).map(([name, rows]) => {
    const path = at('parameters', name);
    return h(
      'div',
      { class: 'parameter', 'data-path': path, 'data-parameter': name },
      h('h4', {}, name, h('span', { class: 'field-error' })),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'grid-table' },
          h(
            'thead',
            {},
            h('tr', {}, h('th', {}, t('from')), h('th', {}, t('to')), h('th', {}, t('value')), h('th', {})),
          ),
          h(
            'tbody',
            {},
            ...rows.map((row, i) => {
              const rowPath = at(path, i);
              const isTable = typeof row.value === 'object' && row.value !== null;
              const value = textInput(
                isTable ? JSON.stringify(row.value) : String(row.value ?? ''),
                (v) => {
                  if (isTable) {
                    try {
                      row.value = JSON.parse(v) as Record<string, number>;
                    } catch {
                      (row as { value: unknown }).value = v;
                    }
                  } else (row as { value: unknown }).value = numberOrText(v);
                  edit();
                },
                { disabled, class: 'param-value', 'aria-label': `${name} ${t('value')}` },
              );
              return h(
                'tr',
                { 'data-path': rowPath },
                h(
                  'td',
                  { 'data-path': at(rowPath, 'from') },
                  date(row.from, (v) => {
                    row.from = v;
                    edit();
                  }),
                  h('span', { class: 'field-error' }),
                ),
                h(
                  'td',
                  { 'data-path': at(rowPath, 'to') },
                  date(row.to, (v) => {
                    if (v) row.to = v;
                    else delete row.to;
                    edit();
                  }),
                  h('span', { class: 'field-error' }),
                ),
                h('td', { 'data-path': at(rowPath, 'value') }, value, h('span', { class: 'field-error' })),
                h(
                  'td',
                  {},
                  disabled
                    ? null
                    : button(
                        '✕',
                        () => {
                          rows.splice(i, 1);
                          edit(true);
                        },
                        { class: 'small ghost danger', title: t('remove'), 'aria-label': t('remove') },
                      ),
                ),
              );
            }),
          ),
        ),
      ),
      disabled
        ? null
        : button(
            `+ ${t('addRow')}`,
            () => {
              const last = rows[rows.length - 1];
              rows.push({
                from: '',
                value: last && typeof last.value === 'object' ? { ...last.value } : (last?.value ?? 0),
              });
              edit(true);
            },
            { class: 'small add-row' },
          ),
    );
  });
  const newParameter = textInput('', () => undefined, { placeholder: t('parameterName') });
  const parameters = h(
    'section',
    { class: 'card', 'data-path': 'parameters' },
    h('h3', {}, t('sectionParameters')),
    h('span', { class: 'field-error' }),
    ...parameterBlocks,
    disabled
      ? null
      : h(
          'div',
          { class: 'row' },
          newParameter,
          button(`+ ${t('addParameter')}`, () => {
            const name = newParameter.value.trim();
            if (!name || doc.parameters?.[name]) return;
            doc.parameters = { ...doc.parameters, [name]: [{ from: doc.effective?.from ?? '', value: 0 }] };
            edit(true);
          }),
        ),
  );

  const benefit = doc.benefit;
  const benefitSection = h(
    'section',
    { class: 'card', 'data-path': 'benefit' },
    h('h3', {}, t('sectionBenefit')),
    h('span', { class: 'field-error' }),
    h(
      'div',
      { class: 'grid2' },
      field(
        t('benefitKind'),
        select(
          (['cash', 'service', 'card', 'enrollment'] as const).map((k): [string, string] => [k, t(`kind_${k}`)]),
          benefit?.kind,
          (v) => {
            doc.benefit =
              v === 'cash'
                ? {
                    kind: 'cash',
                    currency: 'CNY',
                    amount: { type: 'fixed', parameter: Object.keys(doc.parameters ?? {})[0] ?? '' },
                    description: benefit.description,
                  }
                : { kind: v as 'service', description: benefit.description };
            // A code of another kind would be refused: keep it only while the kind matches.
            const code = catalog.benefitCodes.find((entry) => entry.code === benefit.code);
            if (code?.kind === v) doc.benefit.code = code.code;
            edit(true);
          },
          { disabled },
        ),
        'benefit.kind',
      ),
      field(t('benefitCode'), benefitCodeSelect(ctx, disabled, edit), 'benefit.code'),
      field(
        t('benefitZh'),
        text(
          () => doc.benefit.description,
          (v) => (doc.benefit.description = v),
          'zh',
          true,
        ),
        'benefit.description.zh',
      ),
      field(
        t('benefitEn'),
        text(
          () => doc.benefit.description,
          (v) => (doc.benefit.description = v),
          'en',
          true,
        ),
        'benefit.description.en',
      ),
      benefit?.kind === 'cash'
        ? field(
            t('amountRule'),
            textArea(
              JSON.stringify(benefit.amount),
              (v) => {
                try {
                  (benefit as { amount: unknown }).amount = JSON.parse(v);
                  edit();
                } catch {
                  /* kept as typed until it parses */
                }
              },
              { disabled, class: 'mono', rows: 2 },
            ),
            'benefit.amount',
            'span2',
          )
        : null,
    ),
  );

  return h('div', { class: 'form' }, basics, manifest, parameters, renderConditions(ctx), benefitSection);
}

/**
 * The benefit's code, chosen from the list of benefits of the benefit's kind (GET /catalog
 * benefitCodes): the duplicate-benefit check compares codes, not the description's wording.
 */
function benefitCodeSelect(
  ctx: EditorContext,
  disabled: boolean,
  edit: (structural?: boolean) => void,
): HTMLSelectElement {
  const { doc, catalog } = ctx;
  const options: Array<[string, string]> = [
    [
      '',
      catalog.benefitCodeByPolicy[doc.id]
        ? t('benefitCodeByPolicy', { code: catalog.benefitCodeByPolicy[doc.id] })
        : t('benefitCodeNone'),
    ],
    ...catalog.benefitCodes
      .filter((entry) => entry.kind === doc.benefit?.kind)
      .map((entry): [string, string] => [entry.code, `${pick(entry.name)} · ${entry.code}`]),
  ];
  return select(
    options,
    doc.benefit?.code ?? '',
    (v) => {
      if (v) doc.benefit.code = v;
      else delete doc.benefit.code;
      edit();
    },
    { disabled, class: 'benefit-code' },
  );
}
