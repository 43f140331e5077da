/**
 * Form controls that carry the document path they edit (`data-path`), so the validator's
 * issues can be shown next to the field at fault, and the shared editor context.
 */
import { issueText } from './api.js';
import { h } from './dom.js';
import { closest } from './paths.js';
import type { Catalog, CatalogField, Issue, Policy, Role, VersionView } from './types.js';

/** Who is signed in (GET /console/session): user ID, display name, the role the session acts in, and until when. */
export interface Session {
  id: string;
  name: string;
  role: Role;
  department?: string;
  expiresAt?: string;
  idleExpiresAt?: string;
}

/** What every editor pane works on: the working copy of the document and how to report edits. */
export interface EditorContext {
  catalog: Catalog;
  session: Session;
  view: VersionView;
  doc: Policy;
  editable: boolean;
  issues: Issue[];
  /** An in-place edit of `doc` (nothing re-rendered). */
  touched(): void;
  /** A structural edit: re-render the pane. */
  refresh(): void;
}

/** A labelled control with a slot for its issues, found by `path`. */
export function field(label: string, control: HTMLElement, path: string, className = ''): HTMLElement {
  return h(
    'label',
    { class: `field ${className}`, 'data-path': path },
    h('span', { class: 'field-label' }, label),
    control,
    h('span', { class: 'field-error' }),
  );
}

export function textInput(
  value: string | undefined,
  onInput: (value: string) => void,
  attrs: Record<string, string | boolean | undefined> = {},
): HTMLInputElement {
  const input = h('input', { type: 'text', value: value ?? '', ...attrs });
  input.addEventListener('input', () => onInput(input.value));
  return input;
}

export function textArea(
  value: string | undefined,
  onInput: (value: string) => void,
  attrs: Record<string, string | number | boolean | undefined> = {},
): HTMLTextAreaElement {
  const area = h('textarea', { rows: 2, ...attrs });
  area.value = value ?? '';
  area.addEventListener('input', () => onInput(area.value));
  return area;
}

export function select(
  options: Array<[string, string]>,
  value: string | undefined,
  onChange: (value: string) => void,
  attrs: Record<string, string | boolean | undefined> = {},
): HTMLSelectElement {
  const control = h(
    'select',
    attrs,
    ...options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)),
  );
  if (value !== undefined && !options.some(([v]) => v === value))
    control.prepend(h('option', { value, selected: true }, value));
  control.addEventListener('change', () => onChange(control.value));
  return control;
}

export function button(
  label: string,
  onClick: () => void,
  attrs: Record<string, string | boolean | undefined> = {},
): HTMLButtonElement {
  return h(
    'button',
    {
      type: 'button',
      ...attrs,
      onclick: (event: Event) => {
        event.preventDefault();
        onClick();
      },
    },
    label,
  );
}

/** A number if the text is one, otherwise the text itself, so the validator can name the bad value. */
export const numberOrText = (text: string): number | string =>
  text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;

/** Marks each issue on the closest element with its path; returns the issues that found no place. */
export function decorateIssues(root: HTMLElement, issues: Issue[]): Issue[] {
  for (const old of root.querySelectorAll('.invalid')) old.classList.remove('invalid');
  for (const old of root.querySelectorAll('.field-error')) old.replaceChildren();
  const places = new Map<string, HTMLElement>();
  for (const element of root.querySelectorAll<HTMLElement>('[data-path]'))
    places.set(element.dataset.path ?? '', element);
  const unplaced: Issue[] = [];
  for (const issue of issues) {
    const place = closest(places, issue.path);
    if (!place) {
      unplaced.push(issue);
      continue;
    }
    place.classList.add('invalid');
    let slot = place.querySelector(':scope > .field-error, :scope > .cond-head > .field-error');
    if (!slot) {
      slot = h('span', { class: 'field-error' });
      place.prepend(slot);
    }
    slot.append(h('span', { class: 'issue', title: issue.path }, issueText(issue)));
  }
  return unplaced;
}

/** Every fact of the catalog by key. */
export function factIndex(catalog: Catalog): Map<string, CatalogField & { source: string }> {
  return new Map(
    catalog.sources.flatMap((source) => source.fields.map((f) => [f.key, { ...f, source: source.id }] as const)),
  );
}
