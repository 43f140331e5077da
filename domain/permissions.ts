/**
 * Who may do what: one table of every action applyfree offers, the roles that may take it (or, for
 * publishing life events, the departments, and for scanning resident and enterprise codes, the
 * verifiers: a registered party's signed request, never a person) and, where a caller's reach is narrower, the condition that narrows it. The API authorises each route
 * from it (api/route-permissions.ts), the services call `authorize` before they act, and the
 * console shows only what `allows` admits. A condition is evaluated where its data is (the case's
 * pledges, the version's authors) but named here, so no caller decides it again. Pure: the
 * console bundles this file.
 */
import { Refusal } from './refusal.js';
import { ROLE_ZH, type Role } from './roles.js';
import type { Text } from './sources.js';

export type { Role };

/** How a refusal names each role: in English with its article, and in Chinese. */
export const ROLE_NAMES: Readonly<Record<Role, Text>> = {
  officer: { en: 'an officer', zh: ROLE_ZH.officer },
  reviewer: { en: 'a reviewer', zh: ROLE_ZH.reviewer },
  supervisor: { en: 'a supervisor', zh: ROLE_ZH.supervisor },
  inspector: { en: 'an inspector', zh: ROLE_ZH.inspector },
  window: { en: 'window staff', zh: ROLE_ZH.window },
  citizen: { en: 'a citizen', zh: ROLE_ZH.citizen },
};

/** How a refusal names the caller of a departments' action: a department, never a person. */
export const DEPARTMENT_CALLER: Text = {
  en: 'a registered department (signed request)',
  zh: '已登记的数据提供部门（签名请求）',
};

/** How a refusal names the caller of a verifiers' action: a registered verifier, never a person. */
export const VERIFIER_CALLER: Text = {
  en: 'a registered verifier (signed request)',
  zh: '已登记的核验方（签名请求）',
};

/** A role's (or a department's, or a verifier's) narrower reach for one action. */
export type Condition =
  | 'own-subject'
  | 'assigned-inspector'
  | 'not-author'
  | 'not-requester'
  | 'not-filer'
  | 'not-recorder'
  | 'registered'
  | 'registered-matters'
  | 'task-types'
  | 'task-holder'
  | 'at-the-window'
  | 'own-request'
  | 'addressed-department'
  | 'handling-department'
  | 'own-submission'
  | 'handled-matters'
  | 'own-verifications'
  | 'certifying-department';

/** What each condition means, and how a refusal names a role that holds it (where that differs from the role). */
export const CONDITIONS: Readonly<Record<Condition, { means: Text; names?: Text }>> = {
  'own-subject': {
    means: {
      en: 'only the token’s own subject: another’s record answers 404 as if absent, and naming another subject is FORBIDDEN_SUBJECT',
      zh: '仅限令牌绑定的本人：他人的记录按不存在答复（404），指定他人为 FORBIDDEN_SUBJECT',
    },
    names: { en: 'the citizen concerned', zh: '本人' },
  },
  'assigned-inspector': {
    means: {
      en: 'only cases with a pledge a supervisor assigned to this inspector (by user ID); another case answers 404 as if absent',
      zh: '仅限督查人员指派给本人（按用户编号）核查的案件；其他案件按不存在答复（404）',
    },
    names: { en: 'an inspector (assigned inspections)', zh: '核查人员（限指派的核查）' },
  },
  'not-author': {
    means: {
      en: 'not whoever wrote, last edited or submitted the version, compared by user ID (four eyes: FOUR_EYES)',
      zh: '不得是起草、最后修改或提交该版本的人，按用户编号比对（双人复核）',
    },
  },
  'not-requester': {
    means: {
      en: 'not whoever requested it, compared by user ID (four eyes: FOUR_EYES)',
      zh: '不得是提出申请的人，按用户编号比对（双人复核）',
    },
    names: { en: 'a reviewer other than the requester', zh: '申请人以外的审核人' },
  },
  'not-filer': {
    means: {
      en: 'not whoever filed the objection, compared by user ID (four eyes: FOUR_EYES)',
      zh: '不得是提出该异议的人，按用户编号比对（双人复核）',
    },
    names: { en: 'a supervisor who did not file the objection', zh: '未提出该异议的督查人员' },
  },
  'not-recorder': {
    means: {
      en: 'neither whoever recorded the correction nor whoever filed the objection, compared by user ID (four eyes: FOUR_EYES)',
      zh: '不得是登记该更正的人或提出该异议的人，按用户编号比对（双人复核）',
    },
    names: { en: 'a second supervisor', zh: '另一位督查人员' },
  },
  registered: {
    means: {
      en: 'only the sources and event types the department is registered for, dated within its back-dating window (SOURCE_NOT_ALLOWED, EVENT_TYPE_NOT_ALLOWED, BACKDATED)',
      zh: '仅限该部门登记的事件来源和事件类型，且事件日期在其补报期限内（SOURCE_NOT_ALLOWED、EVENT_TYPE_NOT_ALLOWED、BACKDATED）',
    },
  },
  'registered-matters': {
    means: {
      en: 'only the matters the verifier is registered for (MATTER_NOT_ALLOWED), and of a code only what its holder chose to show and the matter may see (NOT_SHOWN); each code once (REPLAYED), within its minute (EXPIRED)',
      zh: '仅限该核验方登记的核验事项（MATTER_NOT_ALLOWED），且只能看到持码人选择出示、该事项可以查看的内容（NOT_SHOWN）；每个码只能核验一次（REPLAYED），须在有效期内（EXPIRED）',
    },
  },
  'task-types': {
    means: {
      en: 'only tasks of the types the role handles (domain/tasks.ts TASK_ROLES); an inspector, only inspections assigned to them or unassigned',
      zh: '仅限本角色办理的任务类型；核查人员仅限指派给本人或未指派的核查任务',
    },
    names: { en: 'staff who handle that type of task', zh: '办理该类任务的工作人员' },
  },
  'task-holder': {
    means: {
      en: 'only a task they have claimed or been assigned (by user ID): another’s is NOT_TASK_HOLDER',
      zh: '仅限本人认领或被指派的任务（按用户编号），他人的任务为 NOT_TASK_HOLDER',
    },
    names: { en: 'the task’s assignee', zh: '任务承办人' },
  },
  'own-request': {
    means: {
      en: 'only a fact request they filed themselves, compared by user ID (another’s is NOT_FILER)',
      zh: '仅限本人提出的数据需求，按用户编号比对（他人的为 NOT_FILER）',
    },
    names: { en: 'the officer who filed it', zh: '提出该需求的经办人' },
  },
  'addressed-department': {
    means: {
      en: 'only the fact requests filed to that department (another’s answers 404 as if absent), and facts added only to the sources it is registered for (SOURCE_NOT_ALLOWED)',
      zh: '仅限向该部门提出的数据需求（其他部门的按不存在答复，404），且只能向本部门登记的数据源增加数据项（SOURCE_NOT_ALLOWED）',
    },
  },
  'handled-matters': {
    means: {
      en: 'only for a matter the department handles (MATTER_NOT_ALLOWED) and a claim that matter lists (CLAIM_NOT_LISTED); rate-limited per department',
      zh: '仅限本部门办理的事项（MATTER_NOT_ALLOWED）及该事项清单列明的核验事项（CLAIM_NOT_LISTED）；按部门限流',
    },
  },
  'own-verifications': {
    means: {
      en: 'only the verifications the department asked, or certifies (another’s answers 404 as if absent)',
      zh: '仅限本部门申请或由本部门出具的核验（其他的按不存在答复，404）',
    },
  },
  'certifying-department': {
    means: {
      en: 'only the pending verifications of claims the department certifies (another’s answers 404 as if absent)',
      zh: '仅限由本部门出具、尚待答复的核验（其他的按不存在答复，404）',
    },
  },
  'at-the-window': {
    means: {
      en: 'only for the person present at the window, in the open window visit that recorded their presence (window, staff ID, reason); the person sees it under who accessed their data',
      zh: '仅限在窗口现场、已登记到场（窗口、工作人员编号、事由）的本人，本人可在“谁查询了我的数据”中看到',
    },
    names: { en: 'window staff serving the person present', zh: '为到场群众办理的窗口人员' },
  },
  'handling-department': {
    means: {
      en: 'only the applications their own department handles (the matter’s department, by the staff member’s department); another answers 404 as if absent',
      zh: '仅限本部门承办的申请（按工作人员所属部门比对事项的承办部门）；其他申请按不存在答复（404）',
    },
    names: { en: 'staff of the handling department', zh: '承办部门工作人员' },
  },
  'own-submission': {
    means: {
      en: 'only the applications they submitted for a person at the window; another answers 404 as if absent',
      zh: '仅限本人在窗口代为提交的申请；其他申请按不存在答复（404）',
    },
    names: { en: 'window staff who submitted it', zh: '代为提交的窗口人员' },
  },
};

/** Parties that sign their requests instead of holding a session (domain/signed-request.ts). */
export type SignedCaller = 'departments' | 'verifiers';

/** Who may take an action. */
export interface Permission {
  /**
   * Named roles; `anyone`, with or without a token (a token sent is not read); `authenticated`, any
   * known token; `departments`, a registered department's signed request (no person: their
   * tokens are refused), always within what it is `registered` for; `verifiers`, likewise a
   * registered verifier's, within its `registered-matters`.
   */
  roles: readonly Role[] | 'anyone' | 'authenticated' | SignedCaller;
  /** A departments' action's narrower reach, when it is not `registered` (what it may publish). */
  departmentCondition?: Condition;
  /** Roles whose reach is narrower, and how (checked where the data is). */
  conditions?: Partial<Record<Role, Condition>>;
  /** The action, completing "only … may …" in a refusal. */
  what: Text;
  /** Why the roles left out are left out, added to their refusal. */
  note?: Text;
}

const POLICY_ROLES = ['officer', 'reviewer'] as const;
/** Drafts, reviews, history and explanations: policy work, and supervisors who trace its effect. */
const POLICY_READERS = ['officer', 'reviewer', 'supervisor'] as const;
/** Cases: supervisors all, inspectors the ones assigned to them, citizens their own. */
const CASE_READERS = {
  roles: ['supervisor', 'inspector', 'citizen'],
  conditions: { inspector: 'assigned-inspector', citizen: 'own-subject' },
  note: { en: 'officers and reviewers author policies; they do not trace cases', zh: '负责政策制定，不查阅个案' },
} as const;
/**
 * Objections: the citizen about their own decisions; supervisors, who handle them, from a case.
 * Officers author policies and read aggregates (the programme metrics), not residents' objections (S10).
 */
const OBJECTION_PARTIES = {
  roles: ['citizen', 'supervisor'],
  conditions: { citizen: 'own-subject' },
  note: { en: 'objections are handled by supervisors', zh: '异议由督查人员处理' },
} as const;
const CITIZEN_OWN = { roles: ['citizen'], conditions: { citizen: 'own-subject' } } as const;

const TABLE = {
  // The service describes itself, and the catalog lists what a policy may be written with: no data.
  health: { roles: 'anyone', what: { en: 'see what this service is and whether it is up', zh: '查看服务简介和状态' } },
  docs: {
    roles: 'anyone',
    what: { en: 'read the API documentation and the policy schema', zh: '查看接口文档和政策格式' },
  },
  catalog: { roles: 'anyone', what: { en: 'read the data catalog and operators', zh: '查看数据目录和运算符' } },
  'console.assets': { roles: 'anyone', what: { en: 'load the console', zh: '打开控制台' } },
  'console.session': { roles: 'authenticated', what: { en: 'see who is signed in', zh: '查看当前登录人' } },
  // Signing in is how one becomes someone: a token, or the city's identity provider.
  'session.sign-in': {
    roles: 'anyone',
    what: { en: 'sign in (a token, or the city’s identity provider)', zh: '登录（令牌或统一身份认证）' },
  },
  // Whoever is signed in ends their own session, on the server.
  'session.sign-out': { roles: 'authenticated', what: { en: 'sign out', zh: '退出登录' } },
  // Registries publish with their own credential, for their own sources and event types (security review S1).
  'events.publish': { roles: 'departments', what: { en: 'publish life events', zh: '上报生活事件' } },
  // Aggregates only, never a subject.
  summary: { roles: 'anyone', what: { en: 'read the live summary', zh: '查看实时概况' } },
  'metrics.prometheus': { roles: 'anyone', what: { en: 'scrape the Prometheus metrics', zh: '采集 Prometheus 指标' } },
  // Supervisors watch the programme; officers and reviewers the take-up of what they write and approve.
  'metrics.programme': {
    roles: ['supervisor', 'officer', 'reviewer'],
    what: { en: 'read the programme metrics', zh: '查看监督指标' },
  },

  // Published and retired versions are the public record of what is (was) in force.
  'policy.read': {
    roles: 'anyone',
    what: { en: 'read published policies, their diffs and cross-checks', zh: '查看已发布的政策、版本差异和跨政策检查' },
  },
  // Drafts and versions under review are internal.
  'policy.read-drafts': {
    roles: POLICY_READERS,
    what: { en: 'read drafts and versions under review', zh: '查看草稿和审核中的版本' },
  },
  'policy.history': { roles: POLICY_READERS, what: { en: 'read the change history', zh: '查看变更记录' } },
  // Which staff member drafted, approved or launched what: for those who work with policies, not in public answers (security review S14).
  'staff.names': {
    roles: POLICY_READERS,
    what: { en: 'see which staff member drafted, approved or launched what', zh: '查看经办人员姓名' },
  },
  // Officers write; reviewers check what officers wrote, so they never write it themselves.
  'policy.draft': { roles: ['officer'], what: { en: 'write policy drafts', zh: '起草政策' } },
  'policy.edit': { roles: ['officer'], what: { en: 'edit policy drafts', zh: '修改政策草稿' } },
  'policy.validate': { roles: POLICY_ROLES, what: { en: 'validate policies', zh: '校验政策' } },
  'policy.test': { roles: POLICY_ROLES, what: { en: 'test policies', zh: '测试政策' } },
  'policy.simulate': { roles: POLICY_ROLES, what: { en: 'run impact simulations', zh: '发起影响模拟' } },
  // Aggregates of everyone, drafts' included, with small cells withheld: policy work, and supervisors (S7).
  'policy.simulation.read': {
    roles: POLICY_READERS,
    what: { en: 'read impact simulations', zh: '查看影响模拟结果' },
  },
  'policy.submit': { roles: ['officer'], what: { en: 'submit policies for review', zh: '提交政策审核' } },
  'policy.approve': {
    roles: ['reviewer'],
    conditions: { reviewer: 'not-author' },
    what: { en: 'approve policies', zh: '批准政策' },
  },
  'policy.reject': { roles: ['reviewer'], what: { en: 'reject policies', zh: '退回政策' } },
  // Either puts an approved version in force: the four eyes were at approval.
  'policy.publish': { roles: POLICY_ROLES, what: { en: 'publish policies', zh: '发布政策' } },
  'policy.retire': { roles: ['reviewer'], what: { en: 'retire policies', zh: '停用政策' } },
  // The data catalog as data (数据目录): officers draft additions and submit them; a reviewer who
  // did not draft or submit one approves it, which publishes it; drafts are policy work's to read.
  'catalog.read-drafts': {
    roles: POLICY_READERS,
    what: { en: 'read data-catalog drafts', zh: '查看数据目录草稿' },
  },
  'catalog.draft': { roles: ['officer'], what: { en: 'draft data-catalog additions', zh: '起草数据目录新增' } },
  'catalog.submit': { roles: ['officer'], what: { en: 'submit data-catalog additions', zh: '提交数据目录新增' } },
  'catalog.approve': {
    roles: ['reviewer'],
    conditions: { reviewer: 'not-author' },
    what: { en: 'approve and publish data-catalog additions', zh: '批准并发布数据目录新增' },
  },
  'catalog.reject': { roles: ['reviewer'], what: { en: 'reject data-catalog additions', zh: '退回数据目录新增' } },
  // The list of matters (用证事项清单) is public: what no longer has to be brought, and its versions.
  // Officers draft the next version and submit it; a reviewer who did not draft or submit it
  // approves it, which publishes it and puts it in force; drafts are policy work's to read.
  matters: {
    roles: 'anyone',
    what: { en: 'read the list of matters and what each no longer asks for', zh: '查看用证事项清单' },
  },
  'matters.read-drafts': {
    roles: POLICY_READERS,
    what: { en: 'read drafts of the list of matters', zh: '查看用证事项清单草稿' },
  },
  'matters.draft': {
    roles: ['officer'],
    what: { en: 'draft versions of the list of matters', zh: '起草用证事项清单' },
  },
  'matters.submit': {
    roles: ['officer'],
    what: { en: 'submit versions of the list of matters', zh: '提交用证事项清单审核' },
  },
  'matters.approve': {
    roles: ['reviewer'],
    conditions: { reviewer: 'not-author' },
    what: { en: 'approve and publish versions of the list of matters', zh: '批准并发布用证事项清单' },
  },
  'matters.reject': {
    roles: ['reviewer'],
    what: { en: 'reject versions of the list of matters', zh: '退回用证事项清单' },
  },
  // Made-up facts read no one's data: policy work, and supervisors checking a rule.
  'policy.explain-hypothetical': {
    roles: POLICY_READERS,
    what: { en: 'explain decisions on hypothetical facts', zh: '查看假设事实的资格解释' },
  },

  // A sweep's progress, counts and undetermined causes are the programme's internal working: staff who work
  // with policies and supervisors who trace their effect, never an anonymous caller (security review S14).
  'sweep.read': { roles: POLICY_READERS, what: { en: 'read sweeps', zh: '查看主动筛查' } },
  // A sweep a person launches screens everyone and may back-pay every period since its date: it starts once
  // a reviewer other than the requester approves (S5). The scheduler's sweeps are the city's standing rule.
  'sweep.launch': { roles: POLICY_ROLES, what: { en: 'request sweeps', zh: '申请主动筛查' } },
  'sweep.approve': {
    roles: ['reviewer'],
    conditions: { reviewer: 'not-requester' },
    what: { en: 'approve sweeps', zh: '批准主动筛查' },
  },
  'sweep.pause': { roles: POLICY_ROLES, what: { en: 'pause sweeps', zh: '暂停筛查' } },
  'sweep.resume': { roles: POLICY_ROLES, what: { en: 'resume sweeps', zh: '继续筛查' } },
  // Stopping a published policy's outreach for good is a reviewer's call.
  'sweep.cancel': { roles: ['reviewer'], what: { en: 'cancel a sweep for good', zh: '取消筛查' } },

  // The payroll (按月发放): officers start and preview it; money leaves only when a reviewer other
  // than whoever started it releases the batch (four eyes, by user ID). Batches hold figures, no subject.
  'payroll.read': { roles: POLICY_READERS, what: { en: 'read payment batches', zh: '查看发放批次' } },
  'payroll.start': { roles: ['officer'], what: { en: 'start a payroll (preview)', zh: '发起按月发放（预览）' } },
  'payroll.release': {
    roles: ['reviewer'],
    conditions: { reviewer: 'not-requester' },
    what: { en: 'release a payment batch', zh: '放款（发放批次）' },
  },
  // Money to the bank and back: the officer who runs the payroll sends the released batch's file and
  // brings back the bank's answer; the files and the returns worklist are read like the batches.
  'payroll.export': {
    roles: ['officer'],
    what: { en: 'export a released batch to the bank', zh: '导出代发文件' },
  },
  'payroll.returns': {
    roles: ['officer'],
    what: { en: 'import the bank’s answer to a batch', zh: '导入银行回盘' },
  },
  // Entitlements: staff list a policy's (references and masked identifiers); an officer suspends,
  // resumes or ends one with a reason the citizen reads (a transition, cause officer).
  'entitlement.read': { roles: POLICY_READERS, what: { en: 'list entitlements', zh: '查看待遇资格' } },
  'entitlement.manage': {
    roles: ['officer'],
    what: { en: 'suspend, resume or end an entitlement', zh: '暂停、恢复或终止待遇资格' },
  },
  // The ledger (台账): staff read the programme's money and the collection list (references, never a
  // subject); an officer records what a subject paid back.
  'ledger.read': { roles: POLICY_READERS, what: { en: 'read the programme ledger', zh: '查看发放台账' } },
  'ledger.collect': { roles: ['officer'], what: { en: 'record a collection', zh: '登记追回缴款' } },

  'case.search': { ...CASE_READERS, what: { en: 'search cases', zh: '查询案件' } },
  'case.timeline': { ...CASE_READERS, what: { en: 'read a case', zh: '查阅案件' } },
  // The full identifier only with a stated, logged reason, and only to supervisors.
  'case.unmask': { roles: ['supervisor'], what: { en: 'unmask a case’s identifier', zh: '查看完整身份标识' } },
  // A case's decision explained from the subject's own data: a reveal like an unmask, with a logged reason (S2).
  'case.explain': {
    roles: ['supervisor'],
    what: {
      en: 'explain a case’s decision from the subject’s data, stating why',
      zh: '说明理由后查看案件判定的数据依据',
    },
    note: { en: 'officers and reviewers explain hypothetical facts', zh: '可用假设事实查看资格解释' },
  },
  // Staff see no birth date in a case (with the masked ID and the district it rebuilds the resident ID, S3):
  // the subject sees their own; a supervisor who needs it unmasks or explains, with a logged reason.
  'case.read-birth-date': {
    roles: ['citizen'],
    conditions: { citizen: 'own-subject' },
    what: { en: 'see birth dates in a case', zh: '查看案件中的出生日期' },
  },
  'case.assign-inspector': { roles: ['supervisor'], what: { en: 'assign inspections', zh: '指派核查' } },
  // The Temporal Web UI has no sign-in of its own (a development UI lists every workflow): linked for supervisors only (S16).
  'case.temporal-ui': {
    roles: ['supervisor'],
    what: { en: 'follow a case into the Temporal Web UI', zh: '在 Temporal Web UI 中查看案件流程' },
  },

  // People in the loop (任务): every human step is a task on a worklist. Staff see and claim the types their
  // role handles; the holder completes it; a supervisor reassigns and is escalated to when one is overdue.
  'task.read': {
    roles: ['officer', 'reviewer', 'supervisor', 'inspector', 'window'],
    conditions: { officer: 'task-types', reviewer: 'task-types', inspector: 'task-types', window: 'task-types' },
    what: { en: 'read worklists and tasks', zh: '查看待办任务' },
  },
  'task.claim': {
    roles: ['officer', 'reviewer', 'supervisor', 'inspector', 'window'],
    conditions: { officer: 'task-types', reviewer: 'task-types', inspector: 'task-types', window: 'task-types' },
    what: { en: 'claim or release a task', zh: '认领或退回任务' },
  },
  'task.complete': {
    roles: ['officer', 'reviewer', 'supervisor', 'inspector', 'window'],
    conditions: {
      officer: 'task-holder',
      reviewer: 'task-holder',
      supervisor: 'task-holder',
      inspector: 'task-holder',
      window: 'task-holder',
    },
    what: { en: 'complete a task with its outcome', zh: '办结任务' },
  },
  'task.reassign': { roles: ['supervisor'], what: { en: 'assign or reassign a task', zh: '指派或改派任务' } },
  // Fact requests (数据需求, the 两张清单' demand list): an officer whose policy needs a fact the catalog lacks asks the
  // department that owns it; policy staff and supervisors follow them; only the filer withdraws one. The department
  // answers with its own signed request: it adds the fact (a catalog draft a second person publishes) or refuses.
  'fact-request.file': {
    roles: ['officer'],
    what: { en: 'ask a department for a fact the catalog lacks', zh: '向部门提出数据需求' },
  },
  'fact-request.read': { roles: POLICY_READERS, what: { en: 'read fact requests', zh: '查看数据需求' } },
  'fact-request.withdraw': {
    roles: ['officer'],
    conditions: { officer: 'own-request' },
    what: { en: 'withdraw a fact request', zh: '撤回数据需求' },
  },
  'fact-request.department-read': {
    roles: 'departments',
    departmentCondition: 'addressed-department',
    what: { en: 'read the fact requests filed to them', zh: '查看向本部门提出的数据需求' },
  },
  'fact-request.answer': {
    roles: 'departments',
    departmentCondition: 'addressed-department',
    what: { en: 'answer a fact request: add the fact or refuse', zh: '答复数据需求（增加数据项或拒绝）' },
  },
  // Verifications (证明核验): a department asks whether a claim its matter lists holds of a subject and gets
  // yes / no / cannot-tell, signed, never the facts; a claim answered by a procedure waits for the certifying
  // department's answer. Supervisors read every verification and answer one for a department that answers on paper.
  'verification.request': {
    roles: 'departments',
    departmentCondition: 'handled-matters',
    what: { en: 'verify a claim about a person or a firm', zh: '申请证明核验' },
  },
  'verification.department-read': {
    roles: 'departments',
    departmentCondition: 'own-verifications',
    what: { en: 'read their own verifications', zh: '查看本部门的核验记录' },
  },
  'verification.certify': {
    roles: 'departments',
    departmentCondition: 'certifying-department',
    what: {
      en: 'list and answer the verifications their procedure answers',
      zh: '查看并答复需由本部门按程序出具的核验',
    },
  },
  'verification.read': {
    roles: ['officer', 'supervisor'],
    what: { en: 'read the verification log', zh: '查看证明核验记录' },
  },
  'verification.answer': {
    roles: ['supervisor'],
    what: {
      en: 'answer a pending verification for the certifying department (its written reply)',
      zh: '代为录入部门的核验答复（书面答复）',
    },
  },
  // Outreach (应享尽享): people likely eligible whom the machine could not decide, grouped by cause.
  'outreach.read': {
    roles: ['officer', 'supervisor'],
    what: { en: 'read the outreach worklist', zh: '查看应享未享名单' },
  },
  'outreach.act': {
    roles: ['officer', 'supervisor'],
    what: { en: 'request missing data from a department or contact a person', zh: '向部门申请补充数据或联系群众' },
  },
  // Credit records of false pledges: the person sees their own (me.read); supervisors export them to the credit office.
  'credit.export': {
    roles: ['supervisor'],
    what: { en: 'export credit records to the credit office', zh: '向信用主管部门报送信用记录' },
  },
  // Proof-free applications (依申请 免提交): a citizen or a firm applies for a listed matter, or window staff for the
  // person present; the form is pre-filled from shared data and the proofs obtained by their replacements. The
  // applicant reads their own; the handling department's staff theirs (its task decides); supervisors every one.
  'application.apply': {
    roles: ['citizen', 'window'],
    conditions: { citizen: 'own-subject', window: 'at-the-window' },
    what: {
      en: 'apply for a listed matter: the pre-filled form, the submission, an upload asked for',
      zh: '申请清单事项（预填表单、提交申请、补传所需材料）',
    },
  },
  'application.read': {
    roles: ['citizen', 'window', 'officer', 'reviewer', 'supervisor'],
    conditions: {
      citizen: 'own-subject',
      window: 'own-submission',
      officer: 'handling-department',
      reviewer: 'handling-department',
    },
    what: { en: 'read applications for listed matters', zh: '查看依申请事项的申请' },
  },
  // The service window (线下兜底): staff serve a person who is present, their presence recorded like an unmask.
  'window.serve': {
    roles: ['window'],
    what: { en: 'serve a person at the service window', zh: '窗口为到场群众办理' },
    note: { en: 'the service window is staffed by window staff', zh: '线下窗口由窗口人员办理' },
  },
  'window.act': {
    roles: ['window'],
    conditions: { window: 'at-the-window' },
    what: {
      en: 'answer an offer, sign a pledge, file an objection or print a letter for the person present',
      zh: '为到场群众确认待遇、签署承诺、提出异议或打印文书',
    },
  },

  'objection.file': { ...OBJECTION_PARTIES, what: { en: 'file an objection', zh: '提出异议' } },
  'objection.read': { ...OBJECTION_PARTIES, what: { en: 'read objections', zh: '查阅异议' } },
  // Supervisors handle objections and record the owning department's correction; they wrote none of the rules.
  // A correction changes a department's record and may pay arrears: never its filer, and applied only once
  // a second supervisor confirms it (S4).
  'objection.correct': {
    roles: ['supervisor'],
    conditions: { supervisor: 'not-filer' },
    what: {
      en: 'record a data correction for the department that owns the data',
      zh: '代数据所属部门登记数据更正',
    },
  },
  'objection.confirm-correction': {
    roles: ['supervisor'],
    conditions: { supervisor: 'not-recorder' },
    what: { en: 'confirm or reject a recorded data correction', zh: '确认或退回已登记的数据更正' },
  },
  'objection.resolve': { roles: ['supervisor'], what: { en: 'resolve an objection', zh: '处理异议' } },

  // Electronic certificates (电子证照): anyone verifies one and reads the seal registry and the
  // revocation list (谁签章谁核验: a verifier needs no account). A supervisor, who handles cases and
  // objections, revokes a certificate issued in error; a reviewer, who puts policies in force and
  // retires them, rotates and revokes the departments' seals.
  'certificate.verify': {
    roles: 'anyone',
    what: { en: 'verify a certificate', zh: '核验电子证照' },
  },
  // A notice printed at the service window carries a QR code anyone may open: genuine or not, nothing personal.
  'notice.verify': {
    roles: 'anyone',
    what: { en: 'check a notice printed at a service window', zh: '核验窗口打印的书面通知' },
  },
  'seal.read': {
    roles: 'anyone',
    what: { en: 'read the seal registry and the revocation list', zh: '查看印章登记簿和证照撤销列表' },
  },
  'certificate.revoke': {
    roles: ['supervisor'],
    what: { en: 'revoke a certificate', zh: '撤销电子证照' },
    note: { en: 'certificates issued in error are revoked by supervisors', zh: '错发的证照由督查人员撤销' },
  },
  'seal.manage': {
    roles: ['reviewer'],
    what: { en: 'rotate or revoke a department’s seal', zh: '轮换或吊销部门印章' },
  },

  // The citizen's own page; staff trace people through /cases.
  'me.read': {
    ...CITIZEN_OWN,
    what: { en: 'read their own records here (staff use /cases)', zh: '在此查阅本人事项（工作人员请使用案件查询）' },
  },
  'me.act': {
    ...CITIZEN_OWN,
    what: {
      en: 'answer their own offers and notices, sign their own pledges',
      zh: '处理本人的待确认事项和消息，签署本人的告知承诺',
    },
  },

  // The resident and enterprise codes (居民码/企业码): the holder shows one certificate of their own wallet or
  // a yes/no claim (a firm's staff sign in as a citizen-role user bound to the firm's key); a registered
  // verifier scans it, for a matter it may check, and sees only what was chosen and the matter allows.
  'code.show': {
    ...CITIZEN_OWN,
    what: { en: 'show their own code (a certificate or a yes/no claim)', zh: '亮码（出示本人证照或是否类声明）' },
  },
  'code.scan': {
    roles: 'verifiers',
    what: { en: 'scan a resident or enterprise code', zh: '扫码核验' },
  },
} satisfies Record<string, Permission>;

/** Everything a person can ask applyfree to do, named as the table names it. */
export type Action = keyof typeof TABLE;

/** The table: who may take each action (README "Who may do what" shows it). */
export const PERMISSIONS: Readonly<Record<Action, Permission>> = TABLE;

/** Every action, in the table's order. */
export const ACTIONS = Object.keys(TABLE) as Action[];

/** Whoever acts: a name for refusals and records, and a role. */
export interface Actor {
  name: string;
  role: Role;
}

/** Whether anyone may take the action, with no token at all. */
export const isOpen = (action: Action): boolean => PERMISSIONS[action].roles === 'anyone';

/** Whether only departments take the action (a signed request; people are refused). */
export const departmentsOnly = (action: Action): boolean => PERMISSIONS[action].roles === 'departments';

/** Whether only verifiers take the action (a signed request; people are refused). */
export const verifiersOnly = (action: Action): boolean => PERMISSIONS[action].roles === 'verifiers';

/** Which signing party alone takes the action, if one does. */
export function signedCallerOf(action: Action): SignedCaller | undefined {
  const { roles } = PERMISSIONS[action];
  return roles === 'departments' || roles === 'verifiers' ? roles : undefined;
}

/** Whether a role (undefined: nobody signed in) may take the action, its condition aside. */
export function allows(role: Role | undefined, action: Action): boolean {
  const { roles } = PERMISSIONS[action];
  if (roles === 'anyone') return true;
  if (role === undefined || roles === 'departments' || roles === 'verifiers') return false;
  return roles === 'authenticated' || roles.includes(role);
}

/** Whether a registered department, signing its request, may take the action (open actions too), its condition aside. */
export const allowsDepartment = (action: Action): boolean => isOpen(action) || departmentsOnly(action);

/** Whether a registered verifier, signing its request, may take the action (open actions too), its condition aside. */
export const allowsVerifier = (action: Action): boolean => isOpen(action) || verifiersOnly(action);

/** The condition that narrows a role's reach for the action, if any. */
export function conditionOf(role: Role, action: Action): Condition | undefined {
  return allows(role, action) ? PERMISSIONS[action].conditions?.[role] : undefined;
}

/** The condition that narrows a department's reach: what it is registered for, or the action's own (fact requests: those addressed to it). */
export const departmentConditionOf = (action: Action): Condition | undefined =>
  departmentsOnly(action) ? ((PERMISSIONS[action] as Permission).departmentCondition ?? 'registered') : undefined;

/** The condition that narrows a verifier's reach: the matters it is registered for, on every verifiers' action. */
export const verifierConditionOf = (action: Action): Condition | undefined =>
  verifiersOnly(action) ? 'registered-matters' : undefined;

/** Whether the role takes the action only for the subject its token is bound to (a citizen's own records). */
export const ownSubjectOnly = (role: Role, action: Action): boolean => conditionOf(role, action) === 'own-subject';

const listEn = (names: string[]) =>
  names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
const listZh = (names: string[]) =>
  names.length < 2 ? names.join('') : `${names.slice(0, -1).join('、')}或${names[names.length - 1]}`;

/**
 * The refusal's words for a person whose role may not take the action: who may (with their
 * conditions), and what this person is — "only an officer or a reviewer may validate policies;
 * 周督查 is a supervisor" · "只有政策经办人或审核人可以校验政策；周督查是督查人员".
 */
export function forbiddenText(actor: Actor, action: Action): { message: string; messageZh: string } {
  const { roles, conditions = {}, what, note } = PERMISSIONS[action];
  const allowed = typeof roles === 'string' ? [] : roles;
  const names =
    roles === 'departments'
      ? [DEPARTMENT_CALLER]
      : roles === 'verifiers'
        ? [VERIFIER_CALLER]
        : allowed.map((role) => {
            const condition = conditions[role];
            return (condition && CONDITIONS[condition].names) || ROLE_NAMES[role];
          });
  const self = ROLE_NAMES[actor.role];
  return {
    message: `only ${listEn(names.map((n) => n.en))} may ${what.en}; ${actor.name} is ${self.en}${note ? ` (${note.en})` : ''}`,
    messageZh: `只有${listZh(names.map((n) => n.zh))}可以${what.zh}；${actor.name}是${self.zh}${note ? `，${note.zh}` : ''}`,
  };
}

/**
 * A refusal of who is asking: 401 UNAUTHENTICATED (nobody), 401 DEPARTMENT_UNAUTHENTICATED (no
 * department's valid signature, on a departments' action) or 403 FORBIDDEN_ROLE (a role the table
 * leaves out).
 */
export class PermissionRefusal extends Refusal {
  declare readonly code:
    'UNAUTHENTICATED' | 'DEPARTMENT_UNAUTHENTICATED' | 'VERIFIER_UNAUTHENTICATED' | 'FORBIDDEN_ROLE';
}

/**
 * The one answer to a request on a departments' action that no department validly signed,
 * whatever was wrong (a header missing, an unknown key, a bad signature, a replay): no oracle.
 */
export const departmentUnauthenticated = (): PermissionRefusal =>
  new PermissionRefusal(
    'DEPARTMENT_UNAUTHENTICATED',
    'sign the request with a registered department key: x-applyfree-department, x-applyfree-key, x-applyfree-timestamp, x-applyfree-nonce and x-applyfree-signature',
    '请使用已登记部门的密钥签名请求（x-applyfree-department、x-applyfree-key、x-applyfree-timestamp、x-applyfree-nonce、x-applyfree-signature）',
  );

/**
 * The one answer to a request on a verifiers' action that no verifier validly signed, whatever was
 * wrong: no oracle.
 */
export const verifierUnauthenticated = (): PermissionRefusal =>
  new PermissionRefusal(
    'VERIFIER_UNAUTHENTICATED',
    'sign the request with a registered verifier key: x-applyfree-verifier, x-applyfree-key, x-applyfree-timestamp, x-applyfree-nonce and x-applyfree-signature',
    '请使用已登记核验方的密钥签名请求（x-applyfree-verifier、x-applyfree-key、x-applyfree-timestamp、x-applyfree-nonce、x-applyfree-signature）',
  );

/** A service's own Refusal subclass, so callers can tell which layer refused (PolicyLifecycleError, CaseRefusal…). */
export type ForbiddenRefusal = new (code: 'FORBIDDEN_ROLE', message: string, messageZh: string) => Refusal;

/**
 * Refuses what the table does not allow a person: UNAUTHENTICATED without a person (unless anyone
 * may; DEPARTMENT_UNAUTHENTICATED on a departments' action, VERIFIER_UNAUTHENTICATED on a
 * verifiers'), FORBIDDEN_ROLE (as `refusal`, default PermissionRefusal) for a role it leaves out —
 * every role, on a signed parties' action. Conditions are the caller's to check, where the data is.
 * A department or a verifier is admitted by its signature (api/auth.ts).
 */
export function authorize(
  actor: Actor | undefined,
  action: Action,
  refusal: ForbiddenRefusal = PermissionRefusal,
): void {
  if (isOpen(action)) return;
  if (!actor && departmentsOnly(action)) throw departmentUnauthenticated();
  if (!actor && verifiersOnly(action)) throw verifierUnauthenticated();
  if (!actor)
    throw new PermissionRefusal(
      'UNAUTHENTICATED',
      'send Authorization: Bearer <token>',
      '请提供身份令牌（Authorization: Bearer <令牌>）',
    );
  if (!allows(actor.role, action)) {
    const { message, messageZh } = forbiddenText(actor, action);
    throw new refusal('FORBIDDEN_ROLE', message, messageZh);
  }
}
