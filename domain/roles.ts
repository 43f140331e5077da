/**
 * Every role a person holds in applyfree, in one place: policy officers and reviewers (the
 * policy lifecycle), supervisors (督查: every case, identifiers masked), inspectors (follow-up
 * inspections assigned to them), window staff (窗口人员: serve a person who comes to the service window,
 * their presence recorded) and citizens (their own records). The store's users and policy
 * versions both use these, so neither imports the other.
 */

/** The roles that author and review policies. */
export type PolicyRole = 'officer' | 'reviewer';
export type Role = PolicyRole | 'supervisor' | 'inspector' | 'window' | 'citizen';

export const ROLES: readonly Role[] = ['officer', 'reviewer', 'supervisor', 'inspector', 'window', 'citizen'];
export const POLICY_ROLES: readonly PolicyRole[] = ['officer', 'reviewer'];

/** Role names in Chinese, for refusals. */
export const ROLE_ZH: Record<Role, string> = {
  officer: '政策经办人',
  reviewer: '审核人',
  supervisor: '督查人员',
  inspector: '核查人员',
  window: '窗口人员',
  citizen: '群众',
};

export const isPolicyRole = (role: Role): role is PolicyRole => (POLICY_ROLES as readonly Role[]).includes(role);
