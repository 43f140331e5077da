/**
 * `applyfree policy …`: the policy officer's command line. Files are checked locally
 * (validate, test, diff of two files need no server); lifecycle steps go through the API
 * as the person whose token is in APPLYFREE_TOKEN, so the same roles and four-eyes rules
 * apply as in the console. Human output by default, `--json` for scripts. Exit codes:
 * 0 done, 1 the policy failed (invalid, tests failing) or the server refused, 2 usage.
 * `applyfree sweep …` (cli-sweep.ts) launches and steers sweeps the same way; `case`, `objection`
 * and `metrics` (cli-case.ts, cli-objection.ts, cli-metrics.ts) serve supervisors.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PolicyValidationError } from '../rules/errors.js';
import { runExplainCommand } from './cli-explain.js';
import { diffPolicies, formatDiff } from '../rules/policy-diff.js';
import { formatTestReport, runPolicyTests } from '../rules/policy-tests.js';
import { validatePolicy } from '../rules/validate.js';
import { loadConfig } from '../workers/config.js';
import { runSimulateCommand } from './cli-simulate.js';
import { runSweepCommand } from './cli-sweep.js';
import { runCaseCommand } from './cli-case.js';
import { OBJECTION_USAGE, runObjectionCommand } from './cli-objection.js';
import { METRICS_USAGE, runMetricsCommand } from './cli-metrics.js';

const USAGE = `usage: applyfree policy <command> [--json]
  validate <file.json>                 check a policy document (every issue with its path)
  test <file.json>                     run its test cases
  diff <old.json> <new.json>           what changed, field by field
  diff <id> <from> <to>                the same between published or draft versions on the server
  list [--status S]                    versions on the server
  show <id> <version>                  one version with its checks
  history <id>                         who did what, when
  draft <file.json>                    start the next version from a file (officer)
  update <id> <version> <file.json>    replace a draft (officer)
  check <id> <version>                 validate and test a version on the server
  simulate <id> <version> [--as-of D]  impact over the whole population as of a date (default today)
  submit|approve|publish <id> <version> [--note TEXT]
  reject|retire <id> <version> --note TEXT
  explain <id> --subject <ID> [--as-of D] [--version N]
                                       why a resident or enterprise is eligible or not, what would flip it, when it changes
  explain <file.json> --facts <facts.json> [--as-of D]
                                       the same offline, on hypothetical facts

usage: applyfree sweep <command> [--json]     主动筛查: screen everyone for a published version
  start <id> <version> [--as-of D] [--slice N] [--rate N] [--no-wait]
                                       launch (or rejoin) the sweep as of a date (default today) and follow it
  status <sweep-id> [--watch]          progress, or follow it to the end
  list [--policy ID] [--status S]      sweeps, newest first
  pause|resume <sweep-id>              between slices (officer or reviewer)
  cancel <sweep-id>                    stop for good; grants stay (reviewer)

usage: applyfree case <command> [--json]      案件督查: trace cases (supervisor; citizens their own, inspectors assigned ones)
  search [--subject ID] [--policy P] [--event-type T] [--status S] [--outcome O] [--from D] [--to D]
                                       cases, newest first, identifiers masked
  timeline <case-id>                   everything that happened, in order, with Temporal UI links
  unmask <case-id> --reason TEXT       the full resident ID or credit code; the reason is logged
  assign <case-id> --inspector NAME    assign the case's pledge inspections (supervisor)
${OBJECTION_USAGE}

${METRICS_USAGE}
Server commands use APPLYFREE_API_URL (default the local API) and APPLYFREE_TOKEN.`;

class UsageError extends Error {}
class Refused extends Error {}

interface Output {
  json: boolean;
  print(human: string[] | string, data: unknown): void;
}

async function readJson(file: string | undefined): Promise<unknown> {
  if (!file) throw new UsageError('name a policy file');
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new Refused(`${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Refused(`${file}: not valid JSON: ${(error as Error).message}`);
  }
}

function versionArgs(args: string[]): [string, number] {
  const [id, version] = args;
  if (!id || !version || !/^\d+$/.test(version))
    throw new UsageError('give a policy id and a version number, e.g. childcare-subsidy 2');
  return [id, Number(version)];
}

function flag(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
  args.splice(at, 2);
  return value;
}

/** Calls the policy API; a refusal becomes one line with its code, field and both languages. */
type Issue = { path: string; message: string; messageZh?: string };

/** One validation issue as a line: the path, then the English and the Chinese as every bilingual CLI line prints them. */
const issueLine = (issue: Issue): string =>
  `  ${issue.path || '(document)'}: ${issue.message}${issue.messageZh ? ` · ${issue.messageZh}` : ''}`;

async function api(method: string, path: string, body?: unknown): Promise<unknown> {
  const config = loadConfig();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (config.token) headers.authorization = `Bearer ${config.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${config.apiUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new Refused(
      `cannot reach the API at ${config.apiUrl} (${(error as Error).message}): start it with npm start, or set APPLYFREE_API_URL`,
    );
  }
  const answer = (await response.json().catch(() => ({}))) as {
    code?: string;
    message?: string;
    messageZh?: string;
    field?: string;
    issues?: Issue[];
  };
  if (!response.ok) {
    const field = answer.field ? ` [${answer.field}]` : '';
    const issues = (answer.issues ?? []).map((issue) => `\n${issueLine(issue)}`).join('');
    throw new Refused(
      `${answer.code ?? response.status}${field}: ${answer.message ?? response.statusText}${answer.messageZh ? ` · ${answer.messageZh}` : ''}${issues}`,
    );
  }
  return answer;
}

type VersionView = {
  policyId: string;
  version: number;
  status: string;
  title: { zh: string; en: string };
  validation?: { passed: boolean; detail: string };
  tests?: { passed: boolean; detail: string };
  simulation?: { passed: boolean; detail: string };
  createdBy: string;
  submittedBy?: string;
  approvedBy?: string;
  publishedBy?: string;
};

const versionLine = (v: VersionView) =>
  `${v.policyId} v${v.version}  ${v.status.padEnd(9)}  ${v.title.zh} · ${v.title.en}`;

function describeVersion(v: VersionView): string[] {
  return [
    versionLine(v),
    `  validation: ${v.validation ? `${v.validation.passed ? '✓' : '✗'} ${v.validation.detail}` : 'not run'}`,
    `  tests:      ${v.tests ? `${v.tests.passed ? '✓' : '✗'} ${v.tests.detail}` : 'not run'}`,
    `  simulation: ${v.simulation ? `${v.simulation.passed ? '✓' : '✗'} ${v.simulation.detail}` : 'not run'}`,
    `  by: ${[`drafted ${v.createdBy}`, v.submittedBy && `submitted ${v.submittedBy}`, v.approvedBy && `approved ${v.approvedBy}`, v.publishedBy && `published ${v.publishedBy}`].filter(Boolean).join(', ')}`,
  ];
}

export async function runPolicyCommand(argv: string[], out: Output): Promise<number> {
  const args = [...argv];
  const [command, ...rest] = args;
  const base = (id: string, version: number) => `/policies/${encodeURIComponent(id)}/versions/${version}`;
  switch (command) {
    case 'validate': {
      const document = await readJson(rest[0]);
      try {
        const policy = validatePolicy(document);
        out.print(`✓ ${policy.id} v${policy.version} is valid · 校验通过`, { valid: true, issues: [] });
        return 0;
      } catch (error) {
        if (!(error instanceof PolicyValidationError)) throw error;
        out.print([`✗ ${rest[0]}: ${error.issues.length} issue(s) · 校验未通过`, ...error.issues.map(issueLine)], {
          valid: false,
          issues: error.issues,
        });
        return 1;
      }
    }
    case 'test': {
      const document = await readJson(rest[0]);
      let policy;
      try {
        policy = validatePolicy(document);
      } catch (error) {
        if (!(error instanceof PolicyValidationError)) throw error;
        out.print([`✗ fix the validation issues first (applyfree policy validate ${rest[0]})`], {
          valid: false,
          issues: error.issues,
        });
        return 1;
      }
      const report = await runPolicyTests(policy);
      out.print(formatTestReport(report), report);
      return report.failed === 0 ? 0 : 1;
    }
    case 'diff': {
      if (rest.length === 2) {
        const changes = diffPolicies(await readJson(rest[0]), await readJson(rest[1]));
        out.print(changes.length ? formatDiff(changes) : ['no differences · 无差异'], changes);
        return 0;
      }
      const [id, from, to] = rest;
      if (!id || !/^\d+$/.test(from ?? '') || !/^\d+$/.test(to ?? ''))
        throw new UsageError('diff two files, or a policy id and two version numbers');
      const { changes } = (await api('GET', `/policies/${encodeURIComponent(id)}/diff?from=${from}&to=${to}`)) as {
        changes: string[];
      };
      out.print(changes.length ? changes : ['no differences · 无差异'], changes);
      return 0;
    }
    case 'list': {
      const status = flag(rest, '--status');
      const versions = (await api(
        'GET',
        `/policies${status ? `?status=${encodeURIComponent(status)}` : ''}`,
      )) as VersionView[];
      out.print(versions.map(versionLine), versions);
      return 0;
    }
    case 'show': {
      const view = (await api('GET', base(...versionArgs(rest)))) as VersionView;
      out.print(describeVersion(view), view);
      return 0;
    }
    case 'history': {
      if (!rest[0]) throw new UsageError('give a policy id');
      const entries = (await api('GET', `/policies/${encodeURIComponent(rest[0])}/history`)) as Array<{
        version: number;
        action: string;
        actor: string;
        at: string;
        note?: string;
        changes: string[];
      }>;
      out.print(
        entries.flatMap((e) => [
          `${e.at.slice(0, 19).replace('T', ' ')}  v${e.version} ${e.action.padEnd(9)} ${e.actor}${e.note ? ` — ${e.note}` : ''}`,
          ...e.changes.map((c) => `    ${c}`),
        ]),
        entries,
      );
      return 0;
    }
    case 'draft': {
      const view = (await api('POST', '/policies', await readJson(rest[0]))) as VersionView;
      out.print([`drafted ${view.policyId} v${view.version} · 已起草`, ...describeVersion(view)], view);
      return 0;
    }
    case 'update': {
      const [id, version] = versionArgs(rest);
      const view = (await api('PUT', base(id, version), await readJson(rest[2]))) as VersionView;
      out.print([`updated ${id} v${version} · 已修改`], view);
      return 0;
    }
    case 'check': {
      const [id, version] = versionArgs(rest);
      const validation = (await api('POST', `${base(id, version)}/validate`)) as { valid: boolean; issues: Issue[] };
      if (!validation.valid) {
        out.print([`✗ ${id} v${version}: ${validation.issues.length} issue(s)`, ...validation.issues.map(issueLine)], {
          validation,
        });
        return 1;
      }
      const report = (await api('POST', `${base(id, version)}/test`)) as Awaited<ReturnType<typeof runPolicyTests>>;
      out.print([`✓ ${id} v${version} is valid`, ...formatTestReport(report)], { validation, tests: report });
      return report.failed === 0 ? 0 : 1;
    }
    case 'submit':
    case 'approve':
    case 'publish':
    case 'reject':
    case 'retire': {
      const note = flag(rest, '--note');
      const [id, version] = versionArgs(rest);
      if ((command === 'reject' || command === 'retire') && !note)
        throw new UsageError(`${command} needs --note "why"`);
      const view = (await api('POST', `${base(id, version)}/${command}`, note ? { note } : {})) as VersionView;
      out.print(versionLine(view), view);
      return 0;
    }
    case 'explain':
      return runExplainCommand(rest, out, {
        api,
        readJson,
        usage: (message) => new UsageError(message),
        refused: (message) => new Refused(message),
      });
    case 'simulate':
      return runSimulateCommand(rest, { api, versionArgs, flag, usage: (message) => new UsageError(message), out });
    default:
      throw new UsageError(command ? `unknown policy command "${command}"` : 'name a policy command');
  }
}

export async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  const json = args.includes('--json');
  const rest = args.filter((arg) => arg !== '--json');
  const out: Output = {
    json,
    print(human, data) {
      console.log(json ? JSON.stringify(data, null, 2) : (Array.isArray(human) ? human : [human]).join('\n'));
    },
  };
  try {
    if (rest[0] === 'sweep') {
      return await runSweepCommand(rest.slice(1), {
        api,
        flag,
        out,
        usage: (message) => new UsageError(message),
        refused: (message) => new Refused(message),
      });
    }
    if (rest[0] === 'objection')
      return await runObjectionCommand(rest.slice(1), { api, flag, out, usage: (message) => new UsageError(message) });
    if (rest[0] === 'case')
      return await runCaseCommand(rest.slice(1), { api, flag, out, usage: (message) => new UsageError(message) });
    if (rest[0] === 'metrics')
      return await runMetricsCommand(rest.slice(1), { api, flag, out, usage: (message) => new UsageError(message) });
    if (rest[0] !== 'policy') throw new UsageError(rest[0] ? `unknown command "${rest[0]}"` : 'name a command');
    return await runPolicyCommand(rest.slice(1), out);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`applyfree: ${error.message}\n${USAGE}`);
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
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
