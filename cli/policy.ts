/**
 * `applyfree policy …`: the policy officer's command line. Files are checked locally
 * (validate, test, diff of two files need no server); lifecycle steps go through the API
 * as the person whose token is in APPLYFREE_TOKEN, so the same roles and four-eyes rules
 * apply as in the console. Human output by default, `--json` for scripts. Exit codes:
 * 0 done, 1 the policy failed (invalid, tests failing) or the server refused, 2 usage.
 */
import { PolicyValidationError } from '../rules/errors.js';
import { diffPolicies, formatDiff } from '../rules/policy-diff.js';
import { formatTestReport, runPolicyTests } from '../rules/policy-tests.js';
import { validatePolicy } from '../rules/validate.js';
import {
  api,
  flag,
  issueLine,
  readJson,
  Refused,
  UsageError,
  versionArgs,
  type Issue,
  type Output,
} from './context.js';
import { runExplainCommand } from './explain.js';
import { runSimulateCommand } from './simulate.js';

export const POLICY_USAGE = `usage: applyfree policy <command> [--json]
  validate <file.json>                 check a policy document (every issue with its path)
  test <file.json>                     run its test cases
  diff <old.json> <new.json>           what changed, field by field
  diff <id> <from> <to>                the same between published or draft versions on the server
  list [--status S] [--policy ID]      versions on the server with their effective ranges (a policy's drafts side by side)
  show <id> <version>                  one version with its checks
  history <id>                         who did what, when
  draft <file.json>                    start the next version from a file (officer)
  update <id> <version> <file.json>    replace a draft (officer)
  check <id> <version>                 validate and test a version on the server
  simulate <id> <version> [--as-of D]  impact over the whole population as of a date (default today)
  submit|approve|publish <id> <version> [--note TEXT]
  reject|retire <id> <version> --note TEXT
  explain <file.json> --facts <facts.json> [--as-of D]
                                       why hypothetical facts are eligible or not, what would flip it, when it
                                       changes, offline (a resident's decision: applyfree case explain)`;

type VersionView = {
  policyId: string;
  version: number;
  status: string;
  title: { zh: string; en: string };
  /** Absent on a draft whose document has no well-formed range yet. */
  effective?: { from: string; to?: string };
  validation?: { passed: boolean; detail: string };
  tests?: { passed: boolean; detail: string };
  simulation?: { passed: boolean; detail: string };
  createdBy: string;
  submittedBy?: string;
  approvedBy?: string;
  publishedBy?: string;
};

/** A version's effective range in a list: several drafts of one policy read side by side by their dates. */
const rangeOf = (v: VersionView) =>
  v.effective ? `${v.effective.from} – ${v.effective.to ?? '…'}` : '(no effective range 未定生效期)';

const versionLine = (v: VersionView) =>
  `${v.policyId} v${v.version}  ${v.status.padEnd(9)}  ${rangeOf(v).padEnd(23)}  ${v.title.zh} · ${v.title.en}`;

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
      const only = flag(rest, '--policy');
      const versions = (
        (await api('GET', `/policies${status ? `?status=${encodeURIComponent(status)}` : ''}`)) as VersionView[]
      ).filter((v) => only === undefined || v.policyId === only);
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
