/**
 * The JSON view of the working document, in step with the form: editing it replaces the
 * document once the text parses; the validator's issues mark their lines in the gutter and
 * are listed below with their line numbers.
 */
import { issueText } from './api.js';
import { h } from './dom.js';
import type { EditorContext } from './form-kit.js';
import { t } from './i18n.js';
import { closest, prettyJson } from './paths.js';
import type { Issue, Policy } from './types.js';

/** The JSON pane: a textarea with a line gutter marking issues, and the issues by line. */
export function renderJsonView(ctx: EditorContext): HTMLElement {
  const area = h('textarea', { class: 'json-text mono', spellcheck: 'false', wrap: 'off', 'aria-label': 'JSON' });
  area.readOnly = !ctx.editable;
  const gutter = h('div', { class: 'json-gutter mono', 'aria-hidden': 'true' });
  const problems = h('div', { class: 'json-problems' });

  const paint = (text: string, lines: Map<string, number> | undefined, parseError?: string) => {
    const marks = new Map<number, Issue[]>();
    for (const issue of lines ? ctx.issues : []) {
      const line = closest(lines!, issue.path) ?? 1;
      marks.set(line, [...(marks.get(line) ?? []), issue]);
    }
    const count = text.split('\n').length;
    gutter.replaceChildren(
      ...Array.from({ length: count }, (_, i) => {
        const issues = marks.get(i + 1);
        return h(
          'div',
          {
            class: issues ? 'gl marked' : 'gl',
            title: issues?.map((issue) => `${issue.path}: ${issueText(issue)}`).join('\n'),
          },
          String(i + 1),
        );
      }),
    );
    problems.replaceChildren(
      ...(parseError ? [h('div', { class: 'issue-line' }, t('jsonParseError', { message: parseError }))] : []),
      ...[...marks.entries()]
        .sort(([a], [b]) => a - b)
        .flatMap(([line, issues]) =>
          issues.map((issue) =>
            h(
              'button',
              { type: 'button', class: 'issue-line', onclick: () => jumpTo(line) },
              h('span', { class: 'badge bad' }, t('line', { line })),
              ` ${issue.path}: ${issueText(issue)}`,
            ),
          ),
        ),
    );
  };

  const jumpTo = (line: number) => {
    const offset =
      area.value
        .split('\n')
        .slice(0, line - 1)
        .join('\n').length + (line > 1 ? 1 : 0);
    area.focus();
    area.setSelectionRange(offset, offset);
    area.scrollTop = (line - 3) * 18;
  };

  const { text, lines } = prettyJson(ctx.doc);
  area.value = text;
  paint(text, lines);

  let timer: number | undefined;
  area.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => {
      try {
        const parsed = JSON.parse(area.value) as Policy;
        Object.keys(ctx.doc).forEach((key) => delete (ctx.doc as unknown as Record<string, unknown>)[key]);
        Object.assign(ctx.doc, parsed);
        ctx.touched();
        paint(area.value, prettyJson(parsed).lines);
      } catch (error) {
        paint(area.value, undefined, error instanceof Error ? error.message : String(error));
      }
    }, 300);
  });
  area.addEventListener('scroll', () => {
    gutter.scrollTop = area.scrollTop;
  });

  return h(
    'section',
    { class: 'card json-view' },
    h('p', { class: 'muted' }, t('jsonHint')),
    h('div', { class: 'json-editor' }, gutter, area),
    problems,
  );
}
