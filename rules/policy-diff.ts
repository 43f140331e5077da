/**
 * A readable diff between two policy versions: one line per changed field, by path, with
 * the old and the new value — "parameters.annualAmount[0].value: 3600 → 4000". Arrays of
 * dated values and test cases compare item by item; objects member by member.
 */
export interface PolicyChange {
  path: string;
  change: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  const safe = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
  if (path === '') return safe;
  return /^[A-Za-z_$]/.test(safe) ? `${path}.${safe}` : `${path}[${safe}]`;
}

function walk(before: unknown, after: unknown, path: string, out: PolicyChange[]): void {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    for (const key of keys) {
      if (!(key in after)) out.push({ path: childPath(path, key), change: 'removed', before: before[key] });
      else if (!(key in before)) out.push({ path: childPath(path, key), change: 'added', after: after[key] });
      else walk(before[key], after[key], childPath(path, key), out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      if (i >= after.length) out.push({ path: childPath(path, i), change: 'removed', before: before[i] });
      else if (i >= before.length) out.push({ path: childPath(path, i), change: 'added', after: after[i] });
      else walk(before[i], after[i], childPath(path, i), out);
    }
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after))
    out.push({ path: path || '(document)', change: 'changed', before, after });
}

/** Every difference between two policy documents (the version number included), in document order. */
export function diffPolicies(before: unknown, after: unknown): PolicyChange[] {
  const out: PolicyChange[] = [];
  walk(before, after, '', out);
  return out;
}

const shown = (value: unknown) => {
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
};

/** The changes as lines: "~ path: old → new", "+ path: new", "- path: old". */
export function formatDiff(changes: PolicyChange[]): string[] {
  return changes.map((change) =>
    change.change === 'changed'
      ? `~ ${change.path}: ${shown(change.before)} → ${shown(change.after)}`
      : change.change === 'added'
        ? `+ ${change.path}: ${shown(change.after)}`
        : `- ${change.path}: ${shown(change.before)}`,
  );
}
