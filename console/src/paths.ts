/**
 * Paths into a policy document written exactly as the validator writes them
 * (`facts["person.birthDate"].purpose`, `parameters.minimumAge[1].from`), so an issue
 * finds its form field and its JSON line.
 */
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const LAST_SEGMENT = /(\.[A-Za-z_$][\w$]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])$/;

export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (IDENTIFIER.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** The path one level up, or undefined at the top. */
export function parentPath(path: string): string | undefined {
  if (!path) return undefined;
  const stripped = path.replace(LAST_SEGMENT, '');
  return stripped === path ? '' : stripped;
}

/** The closest path (the path itself or an ancestor) that `known` has. */
export function closest<T>(known: Map<string, T>, path: string): T | undefined {
  for (let current: string | undefined = path; current !== undefined; current = parentPath(current)) {
    const found = known.get(current);
    if (found !== undefined) return found;
    if (current === '') return undefined;
  }
  return undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** JSON.stringify(value, null, 2), with the line (1-based) each path starts on. */
export function prettyJson(value: unknown): { text: string; lines: Map<string, number> } {
  const out: string[] = [];
  const lines = new Map<string, number>();
  const walk = (node: unknown, path: string, indent: string, head: string, tail: string): void => {
    lines.set(path, out.length + 1);
    const inner = `${indent}  `;
    if (Array.isArray(node) && node.length > 0) {
      out.push(`${head}[`);
      node.forEach((item, i) =>
        walk(item === undefined ? null : item, at(path, i), inner, inner, i < node.length - 1 ? ',' : ''),
      );
      out.push(`${indent}]${tail}`);
    } else if (isObject(node) && Object.values(node).some((v) => v !== undefined)) {
      const entries = Object.entries(node).filter(([, v]) => v !== undefined);
      out.push(`${head}{`);
      entries.forEach(([key, item], i) =>
        walk(item, at(path, key), inner, `${inner}${JSON.stringify(key)}: `, i < entries.length - 1 ? ',' : ''),
      );
      out.push(`${indent}}${tail}`);
    } else out.push(`${head}${JSON.stringify(node)}${tail}`);
  };
  walk(value, '', '', '', '');
  return { text: out.join('\n'), lines };
}
