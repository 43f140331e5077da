/**
 * The permission table itself (domain/permissions.ts), without servers: its roles are the
 * store's, every action is used by a route or named where it is checked, refusals say who may in
 * both languages, and the README shows the table as it is. test/permissions.test.ts drives the
 * running API from it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ROUTE_PERMISSIONS, actionOfRoute, routeKey } from '../../api/route-permissions.js';
import {
  ACTIONS,
  PERMISSIONS,
  PermissionRefusal,
  ROLE_NAMES,
  allows,
  allowsDepartment,
  authorize,
  conditionOf,
  forbiddenText,
  type Action,
  type Role,
} from '../../domain/permissions.js';
import { Refusal } from '../../domain/refusal.js';
import { ROLES, ROLE_ZH, type Role as StoredRole } from '../../store/users.js';
import { renderPermissions } from '../support/permissions-table.js';

const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

/** Actions no route is: checked inside routes of another action. */
const CHECKED_INSIDE: readonly Action[] = [
  'policy.read-drafts',
  'staff.names',
  'case.read-birth-date',
  'case.temporal-ui',
];

describe('the permission table', () => {
  it('names the roles the store issues tokens for, with the same Chinese names', () => {
    expectTypeOf<Role>().toEqualTypeOf<StoredRole>();
    expect(Object.keys(ROLE_NAMES)).toEqual([...ROLES]);
    expect(Object.fromEntries(ROLES.map((role) => [role, ROLE_NAMES[role].zh]))).toEqual(ROLE_ZH);
  });

  it('has no action that no route takes and no check names', () => {
    const routed = new Set<Action>(Object.values(ROUTE_PERMISSIONS));
    expect(ACTIONS.filter((action) => !routed.has(action))).toEqual(CHECKED_INSIDE);
  });

  it('gives conditions only to roles the action admits', () => {
    for (const action of ACTIONS) {
      const { roles, conditions = {} } = PERMISSIONS[action];
      for (const role of Object.keys(conditions) as Role[])
        expect(Array.isArray(roles) && roles.includes(role), `${action}: ${role}`).toBe(true);
    }
  });

  it('reads a route as its GET for HEAD and without a trailing slash', () => {
    expect(routeKey('HEAD', '/console/')).toBe('GET /console');
    expect(actionOfRoute('HEAD', '/cases')).toBe('case.search');
    expect(actionOfRoute('GET', '/docs/')).toBe('docs');
    expect(actionOfRoute('DELETE', '/cases')).toBeUndefined();
  });

  it.each([
    ['anyone reads the published record and sweeps, without a token', undefined, 'policy.read', true],
    ['nobody signed in may not open a session', undefined, 'console.session', false],
    ['a citizen may open a session', 'citizen', 'console.session', true],
    ['nobody signed in may sign in', undefined, 'session.sign-in', true],
    ['nobody signed in has no session to end', undefined, 'session.sign-out', false],
    ['an inspector ends their own session', 'inspector', 'session.sign-out', true],
    ['an officer writes drafts', 'officer', 'policy.draft', true],
    ['a reviewer may not write drafts', 'reviewer', 'policy.draft', false],
    ['an officer may not approve', 'officer', 'policy.approve', false],
    ['an officer may not cancel a sweep, only pause it', 'officer', 'sweep.cancel', false],
    ['an officer requests a sweep', 'officer', 'sweep.launch', true],
    ['an officer may not approve a sweep', 'officer', 'sweep.approve', false],
    ['nobody signed in may read a simulation (S7)', undefined, 'policy.simulation.read', false],
    ['a supervisor reads simulations', 'supervisor', 'policy.simulation.read', true],
    ['an officer may not trace cases', 'officer', 'case.search', false],
    ['a supervisor may not author policies', 'supervisor', 'policy.draft', false],
    ['a reviewer may not read objections', 'reviewer', 'objection.read', false],
    ['a supervisor may not read a citizen’s own page', 'supervisor', 'me.read', false],
    ['nobody signed in may not publish life events', undefined, 'events.publish', false],
    ['a supervisor may not publish life events: departments do', 'supervisor', 'events.publish', false],
  ] as const)('%s', (_sentence, role, action, allowed) => {
    expect(allows(role, action)).toBe(allowed);
  });

  it.each([
    ['a department publishes life events', 'events.publish', true],
    ['a department reads what anyone may', 'catalog', true],
    ['a department’s signature opens nothing a person’s token does', 'case.search', false],
    ['a department answers the fact requests filed to it', 'fact-request.answer', true],
    ['a department does not file fact requests: officers do', 'fact-request.file', false],
  ] as const)('%s', (_sentence, action, allowed) => {
    expect(allowsDepartment(action)).toBe(allowed);
  });

  it.each([
    ['a citizen reads only their own cases', 'citizen', 'case.search', 'own-subject'],
    ['an inspector reads only the cases assigned to them', 'inspector', 'case.timeline', 'assigned-inspector'],
    ['a reviewer approves only what they did not write or submit', 'reviewer', 'policy.approve', 'not-author'],
    ['a reviewer approves only sweeps they did not request', 'reviewer', 'sweep.approve', 'not-requester'],
    ['a supervisor reads every case', 'supervisor', 'case.search', undefined],
    ['an officer files for any citizen, naming them', 'officer', 'objection.file', undefined],
    ['a role the action refuses has no condition', 'officer', 'case.search', undefined],
    ['an officer withdraws only the fact requests they filed', 'officer', 'fact-request.withdraw', 'own-request'],
    ['a reviewer reads every fact request', 'reviewer', 'fact-request.read', undefined],
  ] as const)('%s', (_sentence, role, action, condition) => {
    expect(conditionOf(role, action)).toBe(condition);
  });
});

describe('refusals', () => {
  it('say who may, with their conditions, and what the person is, in both languages', () => {
    expect(forbiddenText({ name: '周督查', role: 'supervisor' }, 'policy.validate')).toEqual({
      message: 'only an officer or a reviewer may validate policies; 周督查 is a supervisor',
      messageZh: '只有政策经办人或审核人可以校验政策；周督查是督查人员',
    });
    expect(forbiddenText({ name: '王芳', role: 'officer' }, 'case.search')).toEqual({
      message:
        'only a supervisor, an inspector (assigned inspections) or the citizen concerned may search cases; 王芳 is an officer (officers and reviewers author policies; they do not trace cases)',
      messageZh: '只有督查人员、核查人员（限指派的核查）或本人可以查询案件；王芳是政策经办人，负责政策制定，不查阅个案',
    });
  });

  it('are 401 without a person and 403 as the caller’s own refusal class', () => {
    class ServiceRefusal extends Refusal {}
    expect(() => authorize(undefined, 'case.search')).toThrow(
      expect.objectContaining({ code: 'UNAUTHENTICATED', kind: 'unauthenticated' }),
    );
    expect(() => authorize({ name: '李明', role: 'reviewer' }, 'sweep.launch')).not.toThrow();
    expect(() => authorize(undefined, 'policy.read')).not.toThrow();
    // A sweep's progress is staff's working, not public (security review S14).
    expect(() => authorize(undefined, 'sweep.read')).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
    expect(() => authorize({ name: '陈核查', role: 'inspector' }, 'sweep.read')).toThrow(PermissionRefusal);
    expect(() => authorize({ name: '周督查', role: 'supervisor' }, 'sweep.read')).not.toThrow();
    let refused: unknown;
    try {
      authorize({ name: '王芳', role: 'officer' }, 'sweep.cancel', ServiceRefusal);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ServiceRefusal);
    expect(refused).toMatchObject({
      code: 'FORBIDDEN_ROLE',
      kind: 'forbidden',
      message: 'only a reviewer may cancel a sweep for good; 王芳 is an officer',
      messageZh: '只有审核人可以取消筛查；王芳是政策经办人',
    });
    expect(() => authorize({ name: '王芳', role: 'officer' }, 'case.unmask')).toThrow(PermissionRefusal);
  });

  it('on a departments’ action, are 401 DEPARTMENT_UNAUTHENTICATED without a signature and 403 for any person', () => {
    expect(() => authorize(undefined, 'events.publish')).toThrow(
      expect.objectContaining({ code: 'DEPARTMENT_UNAUTHENTICATED', kind: 'unauthenticated' }),
    );
    expect(forbiddenText({ name: '周督查', role: 'supervisor' }, 'events.publish')).toEqual({
      message: 'only a registered department (signed request) may publish life events; 周督查 is a supervisor',
      messageZh: '只有已登记的数据提供部门（签名请求）可以上报生活事件；周督查是督查人员',
    });
  });
});

describe('the README', () => {
  it('shows the table as it is (print it: node --import tsx test/support/permissions-table.ts)', () => {
    expect(readme).toContain('## Who may do what');
    expect(readme).toContain(renderPermissions());
  });
});
