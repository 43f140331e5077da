/**
 * How the commands run on a server host (`applyfree department`, `applyfree verifier`, `applyfree
 * user`) read their arguments: `--flag value` or `--flag=value`, a switch (`--all`) taking none,
 * each flag once, only the flags the subcommand has; everything else positional. Bad input is an InputError: one line
 * naming the flag, exit 2, before anything is opened.
 */

/** Bad input: one line naming the flag, exit 2. */
export class InputError extends Error {}

/** Flags as given, and the positional arguments; `switches` take no value. */
export function readFlags(
  command: string,
  allowed: readonly string[],
  argv: readonly string[],
  switches: readonly string[] = ['--all'],
): { flags: Map<string, string>; args: string[] } {
  const flags = new Map<string, string>();
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (!argv[i].startsWith('--')) {
      args.push(argv[i]);
      continue;
    }
    const [flag, inline] = argv[i].split(/=(.*)/s, 2) as [string, string | undefined];
    if (!allowed.includes(flag)) throw new InputError(`${flag}: not a flag of ${command}`);
    if (flags.has(flag)) throw new InputError(`${flag}: given twice`);
    if (switches.includes(flag)) {
      if (inline !== undefined) throw new InputError(`${flag}: takes no value`);
      flags.set(flag, 'yes');
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new InputError(`${flag}: needs a value`);
    flags.set(flag, value);
  }
  return { flags, args };
}

/** A whole number of days from a flag, `fallback` when absent; InputError beyond 0-`max`. */
export function daysFlag(flag: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > max)
    throw new InputError(`${flag}: expected a whole number of days 0-${max}, got "${value}"`);
  return Number(value);
}

/** A comma-separated list, trimmed, empties dropped. */
export const listFlag = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
