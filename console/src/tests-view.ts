/**
 * The test runner: the version's given/expect cases, editable on a draft, run through the
 * API; each result says pass or fail, and a failure shows what was expected against what
 * the rules decided, and the conditions that were not met or could not be decided.
 */
import { errorText } from './api.js';
import { h } from './dom.js';
import { button, factIndex, field, numberOrText, select, textInput, type EditorContext } from './form-kit.js';
import { currentLang, formatNumber, pick, t, tOr } from './i18n.js';
import { at } from './paths.js';
import type { Outcome, PolicyTest, TestReport } from './types.js';
import { factSelect, factValueInput } from './value-input.js';

/** Runs the tests of the saved version; `save` first stores unsaved edits. */
export function renderTests(
  ctx: EditorContext,
  run: () => Promise<TestReport>,
  last: TestReport | undefined,
  remember: (report: TestReport) => void,
): HTMLElement {
  const { doc, catalog } = ctx;
  const disabled = !ctx.editable;
  const facts = factIndex(catalog);
  const declared = new Set(Object.keys(doc.facts ?? {}));
  const edit = (structural = false) => {
    ctx.touched();
    if (structural) ctx.refresh();
  };
  const results = h('div', { class: 'test-results' });
  const outcomeLabel = (outcome: string | undefined) =>
    outcome === undefined ? t('notInForce') : tOr(`outcome_${outcome}`, outcome);
  /** What a case expects, as the outcome column shows it: a version not in force decides nothing. */
  const expectedOutcome = (expect: PolicyTest['expect']) => ('inForce' in expect ? undefined : expect.outcome);
  const expectedAmount = (expect: PolicyTest['expect']) => ('inForce' in expect ? undefined : expect.amount);

  const showReport = (report: TestReport) => {
    results.replaceChildren(
      h(
        'p',
        { class: `test-summary ${report.failed === 0 ? 'ok' : 'bad'}` },
        t('testsSummary', { passed: report.passed, failed: report.failed }),
      ),
      ...report.results.map((result) =>
        h(
          'div',
          { class: `test-result ${result.passed ? 'pass' : 'fail'}` },
          h(
            'div',
            { class: 'test-head' },
            h(
              'span',
              { class: `badge ${result.passed ? 'ok' : 'bad'}` },
              result.passed ? `✓ ${t('testPassed')}` : `✗ ${t('testFailed')}`,
            ),
            ' ',
            h('strong', {}, result.name),
            h('span', { class: 'muted' }, ` · ${t('asOf')} ${result.asOf}`),
          ),
          result.passed
            ? null
            : h(
                'div',
                { class: 'test-detail' },
                h(
                  'table',
                  { class: 'compare' },
                  h('tr', {}, h('th', {}, ''), h('th', {}, t('outcome')), h('th', {}, t('amount'))),
                  h(
                    'tr',
                    {},
                    h('th', {}, t('expected')),
                    h('td', {}, outcomeLabel(expectedOutcome(result.expected))),
                    h(
                      'td',
                      {},
                      expectedAmount(result.expected) === undefined
                        ? '—'
                        : formatNumber(expectedAmount(result.expected)!),
                    ),
                  ),
                  h(
                    'tr',
                    { class: 'actual' },
                    h('th', {}, t('actual')),
                    h('td', {}, outcomeLabel(result.actual.outcome)),
                    h('td', {}, result.actual.amount === undefined ? '—' : formatNumber(result.actual.amount)),
                  ),
                ),
                h(
                  'ul',
                  { class: 'problems' },
                  ...result.problems.map((problem, i) =>
                    h('li', {}, (currentLang() === 'zh' ? result.problemsZh?.[i] : undefined) ?? problem),
                  ),
                ),
                h('div', { class: 'muted' }, t('failingConditions')),
                h(
                  'ul',
                  { class: 'leaves' },
                  ...result.conditions
                    .filter((leaf) => leaf.result !== true)
                    .map((leaf) =>
                      h(
                        'li',
                        { class: leaf.result === false ? 'false' : 'unknown' },
                        `${leaf.result === false ? '✗' : '?'} ${leaf.label ? pick(leaf.label) : (leaf.name ?? leaf.fact)}: ${pick(facts.get(leaf.fact)?.label) || leaf.fact} = ${leaf.factValue === undefined ? t('missing') : JSON.stringify(leaf.factValue)} · ${leaf.operator} ${JSON.stringify(leaf.value)}`,
                      ),
                    ),
                ),
              ),
        ),
      ),
    );
  };
  if (last) showReport(last);

  const runButton = button(
    t('runTests'),
    async () => {
      runButton.disabled = true;
      results.replaceChildren(h('p', { class: 'muted' }, t('loading')));
      try {
        const report = await run();
        remember(report);
        showReport(report);
      } catch (error) {
        results.replaceChildren(h('p', { class: 'error-box' }, errorText(error)));
      } finally {
        runButton.disabled = false;
      }
    },
    { class: 'primary run-tests' },
  );

  const caseCard = (test: PolicyTest, i: number) => {
    const path = at('tests', i);
    const factRows = Object.entries(test.facts ?? {}).map(([key, value]) =>
      h(
        'div',
        { class: 'row fact-row', 'data-path': at(at(path, 'facts'), key) },
        h('span', { class: 'fact-name' }, pick(facts.get(key)?.label) || key),
        factValueInput(facts.get(key), value, (next) => {
          test.facts[key] = next;
          edit();
        }),
        disabled
          ? null
          : button(
              '✕',
              () => {
                delete test.facts[key];
                edit(true);
              },
              { class: 'small ghost danger', title: t('remove'), 'aria-label': t('remove') },
            ),
        h('span', { class: 'field-error' }),
      ),
    );
    const addFact = factSelect(
      catalog.sources,
      doc.subject,
      undefined,
      (key) => {
        if (!key || key in test.facts) return;
        test.facts[key] = undefined;
        edit(true);
      },
      declared,
    );
    return h(
      'div',
      { class: 'card test-case', 'data-path': path },
      h('span', { class: 'field-error' }),
      h(
        'div',
        { class: 'grid-test' },
        field(
          t('testName'),
          textInput(
            test.name,
            (v) => {
              test.name = v;
              edit();
            },
            { disabled },
          ),
          at(path, 'name'),
        ),
        field(
          t('asOf'),
          (() => {
            const input = h('input', { type: 'date', value: test.asOf, disabled });
            input.addEventListener('change', () => {
              test.asOf = input.value;
              edit();
            });
            return input;
          })(),
          at(path, 'asOf'),
        ),
        field(
          t('outcome'),
          select(
            [
              ...(['eligible', 'ineligible', 'undetermined'] as const).map((o): [string, string] => [
                o,
                outcomeLabel(o),
              ]),
              ['not-in-force', t('notInForce')],
            ],
            expectedOutcome(test.expect) ?? 'not-in-force',
            (v) => {
              if (v === 'not-in-force') test.expect = { inForce: false };
              else test.expect = { ...('inForce' in test.expect ? {} : test.expect), outcome: v as Outcome };
              edit();
            },
            { disabled },
          ),
          at(at(path, 'expect'), 'outcome'),
        ),
        field(
          t('amount'),
          textInput(
            expectedAmount(test.expect) === undefined ? '' : String(expectedAmount(test.expect)),
            (v) => {
              const expect = test.expect;
              if ('inForce' in expect) return;
              const value = numberOrText(v);
              if (v.trim() === '') delete expect.amount;
              else expect.amount = value as number;
              edit();
            },
            // A case that expects the version not in force expects no amount either.
            { disabled: disabled || 'inForce' in test.expect, inputmode: 'decimal' },
          ),
          at(at(path, 'expect'), 'amount'),
        ),
      ),
      h('div', { class: 'muted facts-given' }, t('factsGiven')),
      ...factRows,
      disabled ? null : h('div', { class: 'row' }, h('span', { class: 'muted' }, `+ ${t('addFactValue')}`), addFact),
      disabled
        ? null
        : button(
            t('remove'),
            () => {
              doc.tests.splice(i, 1);
              edit(true);
            },
            { class: 'small ghost danger' },
          ),
    );
  };

  return h(
    'div',
    { class: 'tests' },
    h('section', { class: 'card' }, h('div', { class: 'row' }, h('h3', {}, t('testsTitle')), runButton), results),
    ...(doc.tests ?? []).map(caseCard),
    disabled
      ? null
      : button(
          `+ ${t('addTest')}`,
          () => {
            doc.tests = [
              ...(doc.tests ?? []),
              { name: '', asOf: doc.effective?.from ?? '', facts: {}, expect: { outcome: 'eligible' } },
            ];
            edit(true);
          },
          { class: 'add-test' },
        ),
  );
}
