/**
 * The `applyfree` client commands, each a client of the HTTP API (or, for policy files, of
 * nothing at all): one table names every command with its usage, so `bin/applyfree.mjs` reaches
 * each one and `--help` works on all of them. Exit codes: 0 done, 1 refused or failed, 2 usage.
 */
import { exitWhenFlushed } from '../infra/exit.js';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CASE_USAGE, runCaseCommand } from './case.js';
import { CATALOG_USAGE, runCatalogCommand } from './catalog.js';
import { MATTER_USAGE, runMatterCommand } from './matter.js';
import { CERTIFICATE_USAGE, runCertificateCommand, runSealCommand, SEAL_USAGE } from './certificate.js';
import { api, flag, identifierFlag, Refused, UsageError, type CommandContext, type Output } from './context.js';
import { CREDIT_USAGE, runCreditCommand } from './credit.js';
import { FACT_REQUEST_USAGE, runFactRequestCommand } from './fact-request.js';
import { METRICS_USAGE, runMetricsCommand } from './metrics.js';
import { OBJECTION_USAGE, runObjectionCommand } from './objection.js';
import { PAYROLL_USAGE, runPayrollCommand } from './payroll.js';
import { POLICY_USAGE, runPolicyCommand } from './policy.js';
import { runSweepCommand, SWEEP_USAGE } from './sweep.js';
import { runTaskCommand, TASK_USAGE } from './task.js';

interface ClientCommand {
  usage: string;
  run(argv: string[], context: CommandContext): Promise<number>;
}

/** Every client command; `bin/applyfree.mjs` sends any command that is not a process here. */
export const CLIENT_COMMANDS: Record<string, ClientCommand> = {
  policy: { usage: POLICY_USAGE, run: (argv, context) => runPolicyCommand(argv, context.out) },
  catalog: { usage: CATALOG_USAGE, run: runCatalogCommand },
  matter: { usage: MATTER_USAGE, run: runMatterCommand },
  sweep: { usage: SWEEP_USAGE, run: runSweepCommand },
  payroll: { usage: PAYROLL_USAGE, run: runPayrollCommand },
  case: { usage: CASE_USAGE, run: runCaseCommand },
  objection: { usage: OBJECTION_USAGE, run: runObjectionCommand },
  task: { usage: TASK_USAGE, run: runTaskCommand },
  'fact-request': { usage: FACT_REQUEST_USAGE, run: runFactRequestCommand },
  metrics: { usage: METRICS_USAGE, run: runMetricsCommand },
  credit: { usage: CREDIT_USAGE, run: runCreditCommand },
  certificate: { usage: CERTIFICATE_USAGE, run: runCertificateCommand },
  seal: { usage: SEAL_USAGE, run: runSealCommand },
};

/** The processes `bin/applyfree.mjs` starts itself; listed here so one usage names everything. */
export const PROCESS_USAGE = `usage: applyfree start | worker | stack up|down|status | seed --residents N --enterprises M
  start                                the embedded stack, the workers, the API and the demo city (npm start)
  worker                               a processing node alone: the Temporal and notice workers (npm run worker)
  stack up|down|status                 the embedded servers alone (npm run stack)
  seed --residents N --enterprises M   the synthetic city (npm run seed)

usage: applyfree audit verify [--stream S] [--json] [--anchor FILE] | audit adopt [--stream S]
  verify                               checks every audit stream's hash chain in the database itself, not
                                       through the API (MONGODB_URI); applyfree audit --help says more

usage: applyfree department add|rotate|revoke|list [--json]
  departments that publish life events, and their keys, on a server host (applyfree department --help for the flags)

usage: applyfree verifier add|rotate|revoke|list [--json]
  verifiers that scan resident and enterprise codes, their matters and keys, on a server host (applyfree verifier --help for the flags)

usage: applyfree subject erase <ID> --reason TEXT --by NAME [--dry-run] [--json]
  erase a subject's personal data as far as the law allows, on a server host (applyfree subject --help says more)

usage: applyfree user add|disable|rotate-token|list [--json]
  the people who use applyfree (user IDs, roles, departments) and their tokens, on a server host
  (applyfree user --help for the flags)`;

const FOOTER = 'Server commands use APPLYFREE_API_URL (default the local API) and APPLYFREE_TOKEN.';

/** The whole usage: the processes, then every client command. */
export function fullUsage(): string {
  return [PROCESS_USAGE, ...Object.values(CLIENT_COMMANDS).map((command) => command.usage), FOOTER].join('\n\n');
}

const wantsHelp = (args: readonly string[]) => args.includes('--help') || args.includes('-h');

export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const [name, ...rest] = argv.filter((arg) => arg !== '--json');
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? console.error : console.log)(fullUsage());
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(CLIENT_COMMANDS, name) ? CLIENT_COMMANDS[name] : undefined;
  if (!command) {
    console.error(`applyfree: unknown command "${name}"\n${fullUsage()}`);
    return 2;
  }
  if (wantsHelp(rest)) {
    console.log(`${command.usage}\n${FOOTER}`);
    return 0;
  }
  const out: Output = {
    json,
    print(human, data) {
      console.log(json ? JSON.stringify(data, null, 2) : (Array.isArray(human) ? human : [human]).join('\n'));
    },
  };
  const context: CommandContext = {
    api,
    flag,
    identifier: identifierFlag,
    out,
    usage: (message) => new UsageError(message),
    refused: (message) => new Refused(message),
  };
  try {
    return await command.run(rest, context);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`applyfree ${name}: ${error.message}\n${command.usage}`);
      return 2;
    }
    if (error instanceof Refused) {
      console.error(`applyfree: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void main(process.argv.slice(2)).then(exitWhenFlushed);
}
