/**
 * The README's "Who may do what" table, rendered from domain/permissions.ts (who may take each
 * action) and api/route-permissions.ts (which routes are that action); test/unit/permissions.test.ts
 * holds the README to it. Print it to paste: `node --import tsx test/support/permissions-table.ts`.
 */
import { pathToFileURL } from 'node:url';
import {
  ACTIONS,
  CONDITIONS,
  PERMISSIONS,
  allows,
  allowsDepartment,
  allowsVerifier,
  conditionOf,
  departmentConditionOf,
  verifierConditionOf,
  type Action,
  type Role,
} from '../../domain/permissions.js';
import { ROUTE_PERMISSIONS } from '../../api/route-permissions.js';
import { ROLES } from '../../store/users.js';

/** Each caller the table has a column for: nobody signed in, every role, then a department and a verifier signing their requests. */
export const CALLERS: ReadonlyArray<{ label: string; role?: Role; department?: true; verifier?: true }> = [
  { label: 'anonymous' },
  ...ROLES.map((role) => ({ label: role, role })),
  { label: 'department', department: true },
  { label: 'verifier', verifier: true },
];

/** The routes that are an action, in the route table's order. */
export const routesOf = (action: Action): string[] =>
  Object.entries(ROUTE_PERMISSIONS)
    .filter(([, routeAction]) => routeAction === action)
    .map(([route]) => route);

/** Where an action no route is gets checked. */
const INSIDE: Partial<Record<Action, string>> = {
  'policy.read-drafts': '(inside the `policy.read` routes, when they show a draft)',
  'staff.names': '(inside the `policy.read` and `sweep.read` routes: who drafted, approved or launched what)',
  'case.temporal-ui': '(inside the `case.search` and `case.timeline` routes: links to the Temporal Web UI)',
  'case.read-birth-date': '(inside the `case.search` and `case.timeline` routes: staff get none)',
};

function cell(action: Action, caller: (typeof CALLERS)[number]): string {
  const { role } = caller;
  const allowed = caller.department
    ? allowsDepartment(action)
    : caller.verifier
      ? allowsVerifier(action)
      : allows(role, action);
  if (!allowed) return '✗';
  const condition = caller.department
    ? departmentConditionOf(action)
    : caller.verifier
      ? verifierConditionOf(action)
      : role && conditionOf(role, action);
  return condition ? `✓ ${condition}` : '✓';
}

/** The Markdown table, one row per action, and what each condition means. */
export function renderPermissions(): string {
  const rows = ACTIONS.map((action) => {
    const routes = routesOf(action).map((route) => `\`${route}\``);
    return [
      `\`${action}\``,
      PERMISSIONS[action].what.en,
      ...CALLERS.map((caller) => cell(action, caller)),
      routes.length ? routes.join('<br>') : (INSIDE[action] ?? '(no route)'),
    ];
  });
  const header = ['action', 'what', ...CALLERS.map(({ label }) => label), 'routes'];
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(header),
    line(header.map(() => '---')),
    ...rows.map(line),
    '',
    ...Object.entries(CONDITIONS).map(([name, { means }]) => `- **${name}**: ${means.en}.`),
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) console.log(renderPermissions());
