/**
 * Where applyfree may send data it does not keep (webhook notices, verification calls): https
 * only; plain http only in development and only to this machine (a gateway or department stub
 * on loopback, as the tests run). Redirects are never followed (callers pass `redirect: 'error'`).
 */

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Why `url` may not receive outbound data in this mode, or undefined when it may. */
export function outboundUrlProblem(url: string, options: { development: boolean }): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a valid URL';
  }
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol !== 'http:') return `expected an https URL, got scheme "${parsed.protocol.replace(/:$/, '')}"`;
  if (!options.development) return 'must be https outside development (plain http is refused in production)';
  if (!LOOPBACK.has(parsed.hostname))
    return `plain http is allowed only to this machine (127.0.0.1, localhost) in development, not to ${parsed.hostname}`;
  return undefined;
}
