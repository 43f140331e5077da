/**
 * Staff identity without servers: what a user may be (validateUserSpec), who counts as a
 * version's author for four-eyes (isAuthorOf: by user ID, by name only for versions recorded
 * before user IDs), and what an ended session says (sessionRefusal), in both languages.
 */
import { describe, expect, it } from 'vitest';
import { isAuthorOf } from '../../services/policies/lifecycle.js';
import { sessionRefusal } from '../../services/identity/sessions.js';
import type { PolicyVersionRecord } from '../../store/policy-versions.js';
import { DEFAULT_SESSION_LIMITS } from '../../store/sessions.js';
import { newUserId, USER_ID_PATTERN, UserSpecError, validateUserSpec } from '../../store/users.js';

const KEY = `p_${'a'.repeat(26)}`;

describe('a user', () => {
  it('gets a new random ID of the published form', () => {
    const ids = new Set(Array.from({ length: 1000 }, newUserId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(USER_ID_PATTERN);
  });

  it('is staff in a department with one role or more (in the table’s order), or a citizen bound to a subject', () => {
    expect(
      validateUserSpec({ name: ' 钱伟 ', roles: ['reviewer', 'officer', 'reviewer'], department: '市民政局' }),
    ).toEqual({ name: '钱伟', roles: ['officer', 'reviewer'], department: '市民政局' });
    expect(validateUserSpec({ name: '张秀英', roles: ['citizen'], subjectKey: KEY })).toEqual({
      name: '张秀英',
      roles: ['citizen'],
      subjectKey: KEY,
    });
  });

  it.each([
    ['no name', { name: ' ', roles: ['officer'], department: 'x' }, 'name'],
    ['no role', { name: '王芳', roles: [], department: 'x' }, 'roles'],
    ['an unknown role', { name: '王芳', roles: ['boss'], department: 'x' }, 'roles'],
    ['a citizen who is also staff', { name: '王芳', roles: ['citizen', 'officer'], subjectKey: KEY }, 'roles'],
    ['a citizen without a subject', { name: '王芳', roles: ['citizen'] }, 'subjectKey'],
    ['staff bound to a subject', { name: '王芳', roles: ['officer'], department: 'x', subjectKey: KEY }, 'subjectKey'],
    ['a subject that is not a key', { name: '王芳', roles: ['citizen'], subjectKey: '371402…' }, 'subjectKey'],
    ['staff without a department', { name: '王芳', roles: ['inspector'] }, 'department'],
  ])('is refused with %s, naming the field in both languages', (_case, spec, field) => {
    let refused: unknown;
    try {
      validateUserSpec(spec as Parameters<typeof validateUserSpec>[0]);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(UserSpecError);
    expect(refused).toMatchObject({ field, messageZh: expect.stringMatching(/\S/) });
  });
});

describe('four eyes', () => {
  const version = (authors: Partial<PolicyVersionRecord>) =>
    ({ createdBy: '王芳', updatedBy: '王芳', ...authors }) as PolicyVersionRecord;

  it('compares user IDs, whatever the names', () => {
    const written = version({
      createdById: 'u_wang',
      updatedById: 'u_wang',
      submittedBy: '王芳',
      submittedById: 'u_wang',
    });
    expect(isAuthorOf({ id: 'u_wang', name: '王芳（审核）' }, written)).toBe(true);
    expect(isAuthorOf({ id: 'u_other', name: '王芳' }, written)).toBe(false);
  });

  it('compares names where a version recorded before user IDs has no ID for that author', () => {
    const legacy = version({ updatedBy: '赵强', updatedById: 'u_zhao' });
    expect(isAuthorOf({ id: 'u_anyone', name: '王芳' }, legacy)).toBe(true);
    expect(isAuthorOf({ id: 'u_zhao', name: '赵强（新名）' }, legacy)).toBe(true);
    expect(isAuthorOf({ id: 'u_li', name: '李明' }, legacy)).toBe(false);
  });
});

describe('an ended session', () => {
  it('says why, in both languages, with the limit it reached', () => {
    expect(sessionRefusal({ failure: 'idle', limit: DEFAULT_SESSION_LIMITS.console })).toMatchObject({
      code: 'SESSION_EXPIRED',
      kind: 'unauthenticated',
      message: 'your session ended after 30 minutes without activity: sign in again',
      messageZh: '会话已因 30 分钟无操作而结束，请重新登录',
    });
    expect(sessionRefusal({ failure: 'absolute', limit: DEFAULT_SESSION_LIMITS.machine })).toMatchObject({
      message: 'your session reached its limit of 90 days: sign in again',
      messageZh: '会话已达 90 天上限，请重新登录',
    });
    expect(sessionRefusal({ failure: 'unknown' })).toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
