/**
 * Every `applyfree` command the README shows is reachable through the installed command
 * (bin/applyfree.mjs, what `npm link` puts on the PATH and `npm run applyfree --` runs): its
 * `--help` exits 0 with the command's own usage, and that usage names each subcommand the README
 * uses. The README once advertised `case`, `objection` and `metrics` while the bin could not reach them.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8');

/** `applyfree <command> [<sub>|<sub>…]` and `npm run applyfree -- <command> …` wherever the README prints them. */
function readmeCommands(text: string): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const match of text.matchAll(
    /(?:npm run applyfree --|(?<![\w/.-])applyfree)[ \t\n]+([a-z]+(?:-[a-z]+)*)(?:[ \t\n]+([a-z][a-z|-]*))?/g,
  )) {
    const [, command, sub] = match;
    if (command === 'is' || command === 'help') continue; // "applyfree is ready"; help is checked on its own
    const subs = found.get(command) ?? new Set<string>();
    for (const word of sub?.split('|') ?? []) if (!word.startsWith('-')) subs.add(word);
    found.set(command, subs);
  }
  return found;
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${root}bin/applyfree.mjs`, ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const commands = readmeCommands(readme);

describe('the applyfree command reaches every command the README shows', () => {
  it('finds the README commands (the scan itself works)', () => {
    expect([...commands.keys()]).toEqual(expect.arrayContaining(['policy', 'sweep', 'case', 'objection', 'metrics']));
    expect([...commands.get('case')!]).toEqual(expect.arrayContaining(['search', 'timeline', 'unmask']));
  });

  it.each([...commands.entries()].map(([command, subs]) => [command, [...subs]] as const))(
    'applyfree %s --help answers with its usage, naming %j',
    async (command, subs) => {
      const { code, stdout, stderr } = await run([command, '--help']);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout.split('\n')[0]).toMatch(new RegExp(`^usage: applyfree ${command}\\b`));
      for (const sub of subs)
        expect(stdout, `${command} ${sub}`).toMatch(new RegExp(`(^|[\\s|])${sub}([\\s|]|$)`, 'm'));
    },
  );

  it('lists every command under applyfree help, with exit 0', async () => {
    const { code, stdout } = await run(['help']);
    expect(code).toBe(0);
    for (const command of [...commands.keys(), 'start', 'worker', 'stack', 'seed']) expect(stdout).toContain(command);
  });

  it('refuses an unknown command with the whole usage and exit 2', async () => {
    const { code, stderr } = await run(['no-such-command']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command "no-such-command"');
    for (const command of commands.keys()) expect(stderr).toContain(`usage: applyfree ${command}`);
  });
});
