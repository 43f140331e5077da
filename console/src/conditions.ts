/**
 * The condition builder: the all/any/not tree of the policy and its named conditions. A
 * leaf picks a fact from the data catalog (grouped by department), an operator the fact's
 * type allows, and a value typed by both; groups nest, wrap and unwrap.
 */
import { h } from './dom.js';
import { button, factIndex, field, select, textInput, type EditorContext } from './form-kit.js';
import { pick, t } from './i18n.js';
import { at } from './paths.js';
import type { Condition, Text } from './types.js';
import { conditionValueInput, factSelect, type ValueKind } from './value-input.js';

type Node = Condition & { label?: Text };
type Leaf = { fact: string; operator: string; value: unknown };

function withoutLabel(node: Node): Condition {
  const { label: _label, ...rest } = node as Node & Record<string, unknown>;
  return rest as Condition;
}

/** The conditions section: the top-level group and every named condition, editable on a draft. */
export function renderConditions(ctx: EditorContext): HTMLElement {
  const { doc, catalog } = ctx;
  const facts = factIndex(catalog);
  // A number comparison may also take a fact table (a cohort table): its row's number for the subject.
  const isFactTable = (value: unknown) =>
    typeof value === 'object' && value !== null && 'keys' in value && 'rows' in value;
  const numberParameters = Object.entries(doc.parameters ?? {})
    .filter(
      ([, rows]) => Array.isArray(rows) && rows.every((row) => typeof row.value === 'number' || isFactTable(row.value)),
    )
    .map(([name]) => name);
  const disabled = !ctx.editable;
  const change = (structural: boolean) => {
    ctx.touched();
    if (structural) ctx.refresh();
  };

  function defaultValue(kind: ValueKind, type: string | undefined, values?: string[]): unknown {
    if (kind === 'list') return [];
    if (kind === 'date') return '';
    if (kind === 'ageOn') return { age: 6, on: '08-31' };
    if (kind === 'number' || kind === 'wholeNumber') return 0;
    if (type === 'boolean') return true;
    if (type === 'number') return 0;
    return values?.[0] ?? '';
  }

  function leafRow(node: Leaf & Node, path: string, actions: HTMLElement[]): HTMLElement {
    const fact = facts.get(node.fact);
    const operators = catalog.operators.filter((op) => !fact || op.factTypes.includes(fact.type));
    const operator = catalog.operators.find((op) => op.name === node.operator);
    const factControl = factSelect(catalog.sources, doc.subject, node.fact, (key) => {
      node.fact = key;
      const next = facts.get(key);
      const allowed = catalog.operators.filter((op) => !next || op.factTypes.includes(next.type));
      if (!allowed.some((op) => op.name === node.operator)) node.operator = allowed[0]?.name ?? 'equal';
      const kind = catalog.operators.find((op) => op.name === node.operator)?.value ?? 'scalar';
      node.value = defaultValue(kind, next?.type, next?.values);
      change(true);
    });
    factControl.disabled = disabled;
    const operatorControl = select(
      [['', t('choose')], ...operators.map((op): [string, string] => [op.name, pick(op.label)])],
      node.operator,
      (name) => {
        const before = operator?.value;
        node.operator = name;
        const kind = catalog.operators.find((op) => op.name === name)?.value ?? 'scalar';
        if (kind !== before) node.value = defaultValue(kind, fact?.type, fact?.values);
        change(true);
      },
      { class: 'operator-select', 'aria-label': t('operator'), disabled },
    );
    const valueControl = conditionValueInput(
      fact,
      operator?.value ?? 'scalar',
      node.value,
      numberParameters,
      (value, structural) => {
        node.value = value;
        change(structural);
      },
    );
    for (const control of valueControl.querySelectorAll('input, select'))
      (control as HTMLInputElement).disabled = disabled;
    if (valueControl instanceof HTMLInputElement || valueControl instanceof HTMLSelectElement)
      valueControl.disabled = disabled;
    return h(
      'div',
      { class: 'cond cond-leaf', 'data-path': path },
      h('span', { class: 'field-error' }),
      h(
        'span',
        { class: 'leaf-part', 'data-path': at(path, 'fact') },
        factControl,
        h('span', { class: 'field-error' }),
      ),
      h(
        'span',
        { class: 'leaf-part', 'data-path': at(path, 'operator') },
        operatorControl,
        h('span', { class: 'field-error' }),
      ),
      h(
        'span',
        { class: 'leaf-part', 'data-path': at(path, 'value') },
        valueControl,
        h('span', { class: 'field-error' }),
      ),
      disabled ? null : h('span', { class: 'cond-actions' }, ...actions),
    );
  }

  /**
   * A group's name and label (rules/explain-groups.ts): explanations group its conditions under the
   * label, said once — what keeps a condition of a hundred cohorts readable.
   */
  function groupNaming(node: GroupNode, path: string): HTMLElement {
    const setLabel = (language: 'zh' | 'en', value: string) => {
      node.label = { zh: node.label?.zh ?? '', en: node.label?.en ?? '', [language]: value };
      if (!node.label.zh && !node.label.en) delete node.label;
      change(false);
    };
    return h(
      'span',
      { class: 'group-naming', 'data-path': at(path, 'name') },
      textInput(
        node.name,
        (value) => {
          if (value.trim()) node.name = value.trim();
          else delete node.name;
          change(false);
        },
        { class: 'group-name mono', placeholder: t('groupName'), disabled },
      ),
      textInput(node.label?.zh, (value) => setLabel('zh', value), {
        class: 'group-label-zh',
        placeholder: t('groupLabelZh'),
        disabled,
      }),
      textInput(node.label?.en, (value) => setLabel('en', value), {
        class: 'group-label-en',
        placeholder: t('groupLabelEn'),
        disabled,
      }),
      h('span', { class: 'field-error' }),
    );
  }

  /** One node; `replace` swaps it in its parent, `remove` takes it out (absent at the root). */
  function renderNode(
    node: Node,
    path: string,
    replace: (next: Node) => void,
    remove?: () => void,
    root = false,
  ): HTMLElement {
    const actions: HTMLElement[] = [];
    if (!root)
      actions.push(
        button(
          t('wrap'),
          () => {
            replace({ any: [withoutLabel(node)] });
            change(true);
          },
          { class: 'small ghost' },
        ),
      );
    if (remove)
      actions.push(
        button(
          '✕',
          () => {
            remove();
            change(true);
          },
          { class: 'small ghost danger', title: t('remove'), 'aria-label': t('remove') },
        ),
      );

    if ('all' in node || 'any' in node) {
      const kind: 'all' | 'any' = 'all' in node ? 'all' : 'any';
      const children = (node as { all?: Condition[]; any?: Condition[] })[kind] ?? [];
      const kindControl = select(
        [
          ['all', t('all')],
          ['any', t('any')],
        ],
        kind,
        (next) => {
          const { label, name } = node as { label?: Text; name?: string };
          replace({ [next]: children, ...(name ? { name } : {}), ...(label ? { label } : {}) } as Node);
          change(true);
        },
        { class: 'group-kind', disabled },
      );
      const add = (child: Condition) => {
        children.push(child);
        change(true);
      };
      const firstNamed = Object.keys(doc.namedConditions ?? {})[0] ?? '';
      return h(
        'div',
        { class: `cond cond-group ${kind}`, 'data-path': path },
        h(
          'div',
          { class: 'cond-head' },
          kindControl,
          // The top level and a named condition's own group are named already (its key).
          root || Object.keys(doc.namedConditions ?? {}).some((name) => at('namedConditions', name) === path)
            ? null
            : groupNaming(node as GroupNode, path),
          h('span', { class: 'field-error' }),
          disabled ? null : h('span', { class: 'cond-actions' }, ...actions),
        ),
        h(
          'div',
          { class: 'cond-children' },
          ...children.map((child, i) =>
            renderNode(
              child as Node,
              at(at(path, kind), i),
              (next) => {
                children[i] = next;
              },
              () => {
                children.splice(i, 1);
              },
            ),
          ),
        ),
        disabled
          ? null
          : h(
              'div',
              { class: 'cond-add' },
              button(`+ ${t('addLeaf')}`, () => add({ fact: '', operator: 'equal', value: '' }), {
                class: 'small add-leaf',
              }),
              button(`+ ${t('addGroup')}`, () => add({ all: [] }), { class: 'small' }),
              button(`+ ${t('addNot')}`, () => add({ not: { fact: '', operator: 'equal', value: '' } }), {
                class: 'small',
              }),
              firstNamed
                ? button(`+ ${t('addReference')}`, () => add({ condition: firstNamed }), { class: 'small' })
                : null,
            ),
      );
    }
    if ('not' in node) {
      const unwrap = button(
        t('unwrap'),
        () => {
          replace(node.not as Node);
          change(true);
        },
        { class: 'small ghost' },
      );
      return h(
        'div',
        { class: 'cond cond-not', 'data-path': path },
        h(
          'div',
          { class: 'cond-head' },
          h('strong', {}, t('not')),
          h('span', { class: 'field-error' }),
          disabled ? null : h('span', { class: 'cond-actions' }, unwrap, ...actions),
        ),
        renderNode(node.not as Node, at(path, 'not'), (next) => {
          (node as { not: Condition }).not = next;
        }),
      );
    }
    if ('condition' in node) {
      const names = Object.keys(doc.namedConditions ?? {});
      const named = doc.namedConditions?.[node.condition];
      return h(
        'div',
        { class: 'cond cond-ref', 'data-path': path },
        h('span', { class: 'ref-kind' }, t('refersTo')),
        h(
          'span',
          { class: 'leaf-part', 'data-path': at(path, 'condition') },
          select(
            names.map((name): [string, string] => [name, name]),
            node.condition,
            (name) => {
              (node as { condition: string }).condition = name;
              change(true);
            },
            { disabled },
          ),
          h('span', { class: 'field-error' }),
        ),
        named?.label ? h('span', { class: 'ref-label' }, pick(named.label)) : null,
        h('span', { class: 'field-error' }),
        disabled ? null : h('span', { class: 'cond-actions' }, ...actions),
      );
    }
    return leafRow(node as Leaf & Node, path, actions);
  }

  const namedCards = Object.entries(doc.namedConditions ?? {}).map(([name, node]) => {
    const path = at('namedConditions', name);
    const replace = (next: Node) => {
      const { label } = doc.namedConditions[name];
      doc.namedConditions[name] = {
        ...(withoutLabel(next) as Node),
        ...(label ? { label } : {}),
      } as Policy['namedConditions'][string];
    };
    const label = (language: 'zh' | 'en') =>
      textInput(
        node.label?.[language],
        (value) => {
          node.label = { zh: node.label?.zh ?? '', en: node.label?.en ?? '', [language]: value };
          change(false);
        },
        { disabled },
      );
    const rename = textInput(name, () => undefined, { disabled, class: 'named-name' });
    rename.addEventListener('change', () => {
      const next = rename.value.trim();
      if (!next || next === name || next in doc.namedConditions) return;
      doc.namedConditions = Object.fromEntries(
        Object.entries(doc.namedConditions).map(([k, v]) => [k === name ? next : k, v]),
      );
      renameReferences(doc.conditions, name, next);
      for (const other of Object.values(doc.namedConditions)) renameReferences(other, name, next);
      change(true);
    });
    return h(
      'div',
      { class: 'named card', 'data-path': path, 'data-name': name },
      h('span', { class: 'field-error' }),
      h(
        'div',
        { class: 'grid3' },
        field(t('conditionName'), rename, `${path}#name`),
        field(t('labelZh'), label('zh'), at(at(path, 'label'), 'zh')),
        field(t('labelEn'), label('en'), at(at(path, 'label'), 'en')),
      ),
      renderNode(
        node,
        path,
        replace,
        disabled
          ? undefined
          : () => {
              delete doc.namedConditions[name];
            },
      ),
    );
  });

  const newName = textInput('', () => undefined, { placeholder: t('namedPlaceholder'), class: 'new-named' });
  return h(
    'section',
    { class: 'card conditions', 'data-path': 'conditions' },
    h('h3', {}, t('sectionConditions')),
    h('span', { class: 'field-error' }),
    h('h4', {}, t('rootConditions')),
    renderNode(
      doc.conditions as Node,
      'conditions',
      (next) => {
        doc.conditions = next as Policy['conditions'];
      },
      undefined,
      true,
    ),
    h('h4', { 'data-path': 'namedConditions' }, t('namedConditions'), h('span', { class: 'field-error' })),
    ...namedCards,
    disabled
      ? null
      : h(
          'div',
          { class: 'row' },
          newName,
          button(`+ ${t('addNamed')}`, () => {
            const name = newName.value.trim();
            if (!name || name in (doc.namedConditions ?? {})) return;
            doc.namedConditions = {
              ...doc.namedConditions,
              [name]: { fact: '', operator: 'equal', value: '', label: { zh: '', en: '' } },
            };
            change(true);
          }),
        ),
  );
}

function renameReferences(node: unknown, from: string, to: string): void {
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  if (record.condition === from) record.condition = to;
  for (const key of ['all', 'any'])
    if (Array.isArray(record[key])) for (const child of record[key] as unknown[]) renameReferences(child, from, to);
  if (record.not) renameReferences(record.not, from, to);
}

type Policy = EditorContext['doc'];

/** An `all`/`any` group with its optional name and label. */
type GroupNode = { name?: string; label?: Text } & ({ all: Condition[] } | { any: Condition[] });
