#!/usr/bin/env node
/**
 * The `applyfree` command, run with tsx. Seven commands run processes of their own (start, worker,
 * stack, seed, and audit, department, verifier, subject and user, which read and write the store directly on a server host);
 * every other command is a client command of the HTTP API, dispatched by cli/main.ts from
 * its one table, so a command added there is reachable here without a change.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PROCESSES = {
  start: {
    entry: '../workers/main.ts',
    usage: 'usage: applyfree start   the embedded stack, the workers, the API and the demo city',
  },
  worker: {
    entry: '../workers/worker-cli.ts',
    usage:
      'usage: applyfree worker   the Temporal and notice workers alone, against the configured or embedded servers',
  },
  stack: {
    entry: '../infra/stack-cli.ts',
    usage: 'usage: applyfree stack up|down|status   the embedded servers alone',
  },
  seed: {
    entry: '../infra/seed/cli.ts',
    usage:
      'usage: applyfree seed --residents N --enterprises M [--seed S] [--as-of YYYY-MM-DD] [--batch-size K] [--reset]',
  },
  // Answers --help itself (workers/audit-cli.ts holds its usage): it starts no server.
  audit: { entry: '../workers/audit-cli.ts' },
  department: {
    entry: '../workers/department-cli.ts',
    usage: `usage: applyfree department add|rotate|revoke|list   departments that publish life events, and their keys
  add <id> --name-zh 名称 --name-en NAME --sources S1,S2 --event-types T1,T2 [--backdating-days N]
                         register a department (kebab-case ID) for its event sources and types, events dated at most
                         N days back (default 30), and print its first key, once
  rotate <id> [--grace-days N]
                         issue a new key, printed once; the keys in use keep working N more days (default 7, 0: stop now)
  revoke <id> --key KEY | --all
                         revoke one key, or all: refused from the next request
  list                   every department, what it may publish, and its keys' status (never a secret)
  --json                 machine output
Run on a server host: keys are derived from APPLYFREE_SUBJECT_KEY_SECRET and only their fingerprints are
stored, in MONGODB_URI's database or the embedded one. Signing requests: README "Departments".`,
  },
  verifier: {
    entry: '../workers/verifier-cli.ts',
    usage: `usage: applyfree verifier add|rotate|revoke|list   verifiers that scan resident and enterprise codes, and their keys
  add <id> --name-zh 名称 --name-en NAME --kind department|outside [--department DEPT] --matters M1,M2
                         register a verifier (kebab-case ID): a department's counter (--kind department
                         --department its ID) or an outside party (a bank, a park, an employer), for the matters
                         it may check (senior-concession, benefit-decision, school-enrollment), and print its
                         first key, once
  rotate <id> [--grace-days N]
                         issue a new key, printed once; the keys in use keep working N more days (default 7, 0: stop now)
  revoke <id> --key KEY | --all
                         revoke one key, or all: refused from the next scan
  list                   every verifier, its matters, and its keys' status (never a secret)
  --json                 machine output
Run on a server host: keys are derived from APPLYFREE_SUBJECT_KEY_SECRET and only their fingerprints are
stored, in MONGODB_URI's database or the embedded one. Signing scans: README "Resident and enterprise codes".`,
  },
  subject: {
    entry: '../workers/subject-cli.ts',
    usage: `usage: applyfree subject erase <resident ID | credit code | subject key> --reason TEXT --by NAME [--dry-run] [--json]
  erase                  erases what applyfree keeps of a subject only to serve and explain them: the facts its cases
                         read, its decisions' values, notices, payloads and eligibility horizons, its sign-in, and the
                         key's link to the ID; keeps what the law requires under the pseudonymous key (grants and the
                         ledger, decisions' outcomes, audit records); records the erasure, hash-chained, first.
                         Refused while the subject has an open offer, pledge, objection or review.
  --reason TEXT          why (at least 5 characters, e.g. the request it answers); recorded
  --by NAME              who runs it; recorded
  --dry-run              count what would be removed; change nothing
  --json                 machine output
Run on a server host: MONGODB_URI's database (or the embedded one) and APPLYFREE_SUBJECT_KEY_SECRET.
Retention of everything else: docs/RETENTION.md.`,
  },
  user: {
    entry: '../workers/user-cli.ts',
    usage: `usage: applyfree user add|disable|rotate-token|list   the people who use applyfree, and their tokens
  add --name 姓名 --role ROLE[,ROLE] [--department 部门] [--resident-id ID | --credit-code CODE]
      [--oidc-subject SUB] [--no-token]
                         add a user (a new user ID, u_…): staff in a department, with one role or more
                         (officer, reviewer, supervisor, inspector); a citizen (--role citizen) bound to
                         their subject by resident ID or credit code. Prints a token per role, once;
                         --oidc-subject links the identity provider's subject (then --no-token, usually)
  disable <user-id>      disable the user: every session and token of theirs is refused from the next request
  rotate-token <user-id> [--role ROLE]
                         revoke every session and token of the user and print new ones (one per role, or ROLE's)
  list                   every user: ID, name, roles, department, status, linked sign-ins (never a token)
  --json                 machine output
Run on a server host: it writes MONGODB_URI's database or the embedded one, and binds citizens through
APPLYFREE_SUBJECT_KEY_SECRET's key ring. Tokens last APPLYFREE_TOKEN_IDLE_DAYS unused (30) and
APPLYFREE_TOKEN_ABSOLUTE_DAYS at most (90). Sign-in and sessions: README "Sign-in and sessions".`,
  },
};
const CLIENT = '../cli/main.ts';

const [command, ...args] = process.argv.slice(2);
const process_ = Object.hasOwn(PROCESSES, command ?? '') ? PROCESSES[command] : undefined;
// A process's --help answers here: it must not start servers to print a line.
if (process_?.usage && (args.includes('--help') || args.includes('-h'))) {
  console.log(process_.usage);
  process.exit(0);
}
const entry = fileURLToPath(new URL(process_ ? process_.entry : CLIENT, import.meta.url));
const child = spawn(
  process.execPath,
  ['--import', import.meta.resolve('tsx'), entry, ...(process_ ? args : process.argv.slice(2))],
  {
    stdio: 'inherit',
  },
);
// Ctrl-C reaches the child through the terminal; a SIGTERM to this process is passed on.
process.on('SIGTERM', () => child.kill('SIGTERM'));
process.on('SIGINT', () => undefined);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
