/**
 * `applyfree subject erase`: erases a subject's personal data as far as the law allows
 * (services/retention/erase.ts), on a server host with the master secret (the key ring resolves a
 * resident ID or credit code to its key). Uses MONGODB_URI, or the embedded database that
 * `npm start` or `npm run stack -- up` keep running. Exit codes: 0 done (or counted, with
 * --dry-run), 1 refused or failed (one line saying why; nothing removed), 2 bad input (one line
 * naming the flag). The usage is bin/applyfree.mjs's.
 */
import { ErasureRefusal, eraseSubject, type ErasureReport } from '../services/retention/erase.js';
import { IdentityError } from '../domain/identity.js';
import { serverConfigOrExit } from './processing.js';
import { exitWhenDone, openCommandStore } from './server-command.js';

const NAME = 'applyfree subject';
const FLAGS = ['--reason', '--by', '--dry-run', '--json'] as const;

/** Bad input: one line naming the flag, exit 2. */
class InputError extends Error {}

interface Command {
  subject: string;
  reason: string;
  operator: string;
  dryRun: boolean;
  json: boolean;
}

function parse(argv: string[]): Command {
  const [command, ...rest] = argv;
  if (command !== 'erase')
    throw new InputError(command ? `unknown subcommand "${command}"` : 'name a subcommand: erase');
  const flags = new Map<string, string>();
  const args: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (!rest[i].startsWith('--')) {
      args.push(rest[i]);
      continue;
    }
    const [flag, inline] = rest[i].split(/=(.*)/s, 2) as [string, string | undefined];
    if (!(FLAGS as readonly string[]).includes(flag)) throw new InputError(`${flag}: not a flag of erase`);
    if (flags.has(flag)) throw new InputError(`${flag}: given twice`);
    if (flag === '--dry-run' || flag === '--json') flags.set(flag, '');
    else {
      const value = inline ?? rest[++i];
      if (value === undefined || value.startsWith('--')) throw new InputError(`${flag}: needs a value`);
      flags.set(flag, value);
    }
  }
  if (args.length !== 1) throw new InputError('give one subject: a resident ID, a credit code or a subject key');
  if (!flags.get('--reason')?.trim()) throw new InputError('--reason: say why (it is recorded)');
  if (!flags.get('--by')?.trim()) throw new InputError('--by: name who runs the erasure (it is recorded)');
  return {
    subject: args[0],
    reason: flags.get('--reason')!,
    operator: flags.get('--by')!,
    dryRun: flags.has('--dry-run'),
    json: flags.has('--json'),
  };
}

function print(report: ErasureReport, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  const total = Object.values(report.removed).reduce((sum, n) => sum + n, 0);
  console.log(
    report.dryRun
      ? `${report.subjectKey} (${report.kind}): would remove ${total} record(s) · 将删除 ${total} 条 (dry run, nothing changed · 未作更改)`
      : `${report.subjectKey} (${report.kind}): erased · 已删除, recorded as ${report.record!._id}`,
  );
  for (const [collection, count] of Object.entries(report.removed))
    if (count > 0) console.log(`  ${collection.padEnd(22)} ${count}`);
  console.log('kept · 保留:');
  for (const kept of report.kept) console.log(`  - ${kept}`);
}

async function main(): Promise<number> {
  let command: Command;
  try {
    command = parse(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    console.error(`${NAME}: ${error.message}`);
    return 2;
  }
  const config = serverConfigOrExit(NAME);
  const store = await openCommandStore(NAME, config.mongodbUri);
  if (!store) return 1;
  try {
    print(await eraseSubject(store, config.keys, command), command.json);
    return 0;
  } catch (error) {
    if (error instanceof IdentityError) {
      console.error(`${NAME}: ${error.message}`);
      return 2;
    }
    if (!(error instanceof ErasureRefusal)) throw error;
    console.error(`${NAME}: ${error.message}`);
    return 1;
  } finally {
    await store.close();
  }
}

exitWhenDone(NAME, main);
