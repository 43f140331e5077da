/**
 * The policy lifecycle officers and reviewers work through, shared by the API, the CLI
 * and the console: draft → validate → test → submit → approve (four-eyes: not by whoever
 * wrote or submitted it) → publish (immutable; effective from the date in the document;
 * cases in flight keep the version they pinned) → retire. Every step is recorded with who,
 * when and what changed. Each status move and edit is claimed once (store/step-claims.ts), so
 * concurrent requests cannot both succeed, and nothing is half-written without transactions.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { crossCheckPolicies, type CrossCheckFinding } from '../../rules/cross-checks.js';
import { PolicyValidationError, type ValidationIssue } from '../../rules/errors.js';
import { diffPolicies, formatDiff } from '../../rules/policy-diff.js';
import { publishConflict } from '../../rules/effective-ranges.js';
import { canonicalJson, policyHash } from '../../rules/policy-hash.js';
import { runPolicyTests, type PolicyTestReport } from '../../rules/policy-tests.js';
import type { Policy } from '../../rules/types.js';
import { validatePolicy } from '../../rules/validate.js';
import { documentShapeProblem } from '../../rules/validate-support.js';
import {
  policyVersionId,
  registerPolicyModels,
  type PolicyAction,
  type PolicyStatus,
  type PolicyVersionRecord,
  recordPolicyHistory,
} from '../../store/policy-versions.js';
import type { Role } from '../../store/users.js';
import { Refusal } from '../../domain/refusal.js';
import { changeOf, claimStep, updateOf } from '../../store/step-claims.js';
import { refreshCatalog } from '../../store/catalog-versions.js';
import { authorize, conditionOf, type Action } from '../../domain/permissions.js';

/**
 * Whoever acts: the user ID every record names (four-eyes compares it), the display name kept
 * beside it, and the role the session acts in; each step refuses (FORBIDDEN_ROLE) a role
 * domain/permissions.ts does not allow it.
 */
export interface Actor {
  id: string;
  name: string;
  role: Role;
  /** A citizen's own subject key (store/users.ts); never used here. */
  subjectKey?: string;
}

/** The shipped catalog's author in every record. */
const SYSTEM = { id: 'system', name: 'system' } as const;

/**
 * Whether the actor is one of the people who wrote, last edited or submitted a version: by user
 * ID; a version recorded before user IDs names its authors only, and is compared by name (the
 * cautious reading: a namesake is refused rather than an author let through).
 */
export function isAuthorOf(actor: Pick<Actor, 'id' | 'name'>, record: PolicyVersionRecord): boolean {
  const authors: Array<[string | undefined, string | undefined]> = [
    [record.createdById, record.createdBy],
    [record.updatedById, record.updatedBy],
    [record.submittedById, record.submittedBy],
  ];
  return authors.some(([id, name]) => (id ? id === actor.id : name !== undefined && name === actor.name));
}

export type LifecycleErrorCode =
  | 'FORBIDDEN_ROLE'
  | 'FOUR_EYES'
  | 'POLICY_NOT_FOUND'
  | 'WRONG_STATUS'
  | 'CHANGE_IN_PROGRESS'
  | 'CHECKS_REQUIRED'
  | 'POLICY_INVALID'
  | 'CATALOG_CONFLICT'
  | 'EFFECTIVE_OVERLAP';

/** A refused lifecycle step: a stable code and a message in both languages. */
export class PolicyLifecycleError extends Refusal {
  declare readonly code: LifecycleErrorCode;
  declare readonly issues?: readonly ValidationIssue[];
  constructor(
    code: LifecycleErrorCode,
    message: string,
    messageZh: string,
    field?: string,
    issues?: readonly ValidationIssue[],
  ) {
    super(code, message, messageZh, field, issues);
  }
}

/** A version as the API and CLI show it: the record with its document parsed. */
export interface PolicyVersionView extends Omit<PolicyVersionRecord, '_id' | 'source' | 'revision'> {
  document: Record<string, unknown>;
  /** The document's effective range, so lists show a policy's versions (several drafts among them) side by side. */
  effective?: { from: string; to?: string };
}

/** At most this many versions in a list, and entries in a policy's history (security review S15). */
const VERSION_LIST_LIMIT = 2_000;
const HISTORY_LIMIT = 1_000;

const STATUS_ZH: Record<PolicyStatus, string> = {
  draft: '草稿',
  submitted: '已提交',
  approved: '已批准',
  published: '已发布',
  retired: '已停用',
};

/** Refuses a step whose action domain/permissions.ts does not allow the actor's role, whoever calls the lifecycle. */
const requireAllowed = (actor: Actor, action: Action): void => authorize(actor, action, PolicyLifecycleError);

const contentHash = (document: unknown) => createHash('sha256').update(canonicalJson(document)).digest('hex');

function textOf(document: Record<string, unknown>, field: 'title'): { zh: string; en: string } {
  const value = document[field] as { zh?: unknown; en?: unknown } | undefined;
  return { zh: typeof value?.zh === 'string' ? value.zh : '', en: typeof value?.en === 'string' ? value.en : '' };
}

/** `{ effective }` when the document has a well-formed effective range (a draft may not yet). */
function effectiveOf(document: Record<string, unknown>): { effective?: { from: string; to?: string } } {
  const effective = document.effective as { from?: unknown; to?: unknown } | undefined;
  if (typeof effective?.from !== 'string') return {};
  return { effective: { from: effective.from, ...(typeof effective.to === 'string' ? { to: effective.to } : {}) } };
}

function asDocument(input: unknown): Record<string, unknown> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new PolicyLifecycleError(
      'POLICY_INVALID',
      'a policy document must be a JSON object',
      '政策文档须为 JSON 对象',
      '(document)',
    );
  }
  // Before anything walks it recursively (structuredClone, the validator, the hash).
  const tooBig = documentShapeProblem(input);
  if (tooBig) throw new PolicyLifecycleError('POLICY_INVALID', tooBig.message, tooBig.messageZh, tooBig.path, [tooBig]);
  return structuredClone(input) as Record<string, unknown>;
}

/** Issues of a document (empty when valid). */
export function issuesOf(document: unknown): ValidationIssue[] {
  try {
    validatePolicy(document);
    return [];
  } catch (error) {
    if (error instanceof PolicyValidationError) return [...error.issues];
    throw error;
  }
}

export function createPolicyLifecycle(store: Connection, options: { now?: () => Date } = {}) {
  const { PolicyVersion, PolicyHistory } = registerPolicyModels(store);
  const now = options.now ?? (() => new Date());

  async function record(
    policyId: string,
    version: number,
    action: PolicyAction,
    actor: Actor | 'system',
    changes: string[] = [],
    note?: string,
  ): Promise<void> {
    await recordPolicyHistory(store, {
      key: `${policyVersionId(policyId, version)}#${randomUUID()}`,
      policyId,
      version,
      action,
      actor: actor === 'system' ? SYSTEM.name : actor.name,
      actorId: actor === 'system' ? SYSTEM.id : actor.id,
      role: actor === 'system' ? 'system' : actor.role,
      at: now(),
      changes,
      ...(note ? { note } : {}),
    });
  }

  async function load(policyId: string, version: number): Promise<PolicyVersionRecord> {
    // A fact another process published since this one's last poll validates here as well.
    await refreshCatalog(store);
    const found = await PolicyVersion.findById(policyVersionId(policyId, version)).lean();
    if (!found)
      throw new PolicyLifecycleError(
        'POLICY_NOT_FOUND',
        `no version ${version} of policy ${policyId}`,
        `政策 ${policyId} 没有第 ${version} 版`,
      );
    return found;
  }

  /**
   * Takes a version from its revision to the next with `fields` (an undefined one is removed), once:
   * the step is claimed first (store/step-claims.ts), so of two callers moving the same revision
   * at once — two reviewers approving, an edit and a submission — one does, on MongoDB and on
   * FerretDB alike. Answers the record moved, or undefined when another caller's step came first
   * (applied here as well, in case that caller stopped before applying it).
   */
  async function step(
    current: PolicyVersionRecord,
    fields: Partial<PolicyVersionRecord>,
  ): Promise<PolicyVersionRecord | undefined> {
    const revision = current.revision ?? 0;
    const { mine, claim } = await claimStep(
      store,
      `policy:${current._id}#${revision}`,
      changeOf({ ...fields, revision: revision + 1 }),
    );
    const moved = await PolicyVersion.findOneAndUpdate(
      { _id: current._id, revision: revision === 0 ? { $exists: false } : revision },
      updateOf(claim),
      { returnDocument: 'after' },
    ).lean();
    if (!mine) return undefined;
    // Applied already by a caller that found this claim: the record as it is now.
    return moved ?? (await load(current.policyId, current.version));
  }

  /** Moves a version from one status to another, or explains why it cannot. */
  async function move(
    current: PolicyVersionRecord,
    to: PolicyStatus,
    set: Partial<PolicyVersionRecord>,
  ): Promise<PolicyVersionRecord> {
    const moved = await step(current, { ...set, status: to });
    if (!moved) {
      const latest = await load(current.policyId, current.version);
      throw wrongStatus(latest, `move to ${to}`, `变更为${STATUS_ZH[to]}`);
    }
    return moved;
  }

  function wrongStatus(record: PolicyVersionRecord, what: string, whatZh: string): PolicyLifecycleError {
    return new PolicyLifecycleError(
      'WRONG_STATUS',
      `${record.policyId} v${record.version} is ${record.status}: cannot ${what}`,
      `${record.policyId} 第 ${record.version} 版当前为${STATUS_ZH[record.status]}，不能${whatZh}`,
      'status',
    );
  }

  /** Cross-policy findings about a valid candidate, against the valid published versions. */
  async function crossChecksOf(candidate: Policy): Promise<CrossCheckFinding[]> {
    const published = await PolicyVersion.find({ status: 'published' }, { source: 1 }).lean();
    const policies = published
      .map((record) => JSON.parse(record.source) as unknown)
      .filter((document) => issuesOf(document).length === 0) as Policy[];
    return crossCheckPolicies(policies, candidate);
  }

  function view(record: PolicyVersionRecord): PolicyVersionView {
    const { _id: _omit, source, revision: _revision, ...rest } = record;
    const document = JSON.parse(source) as Record<string, unknown>;
    return { ...rest, document, ...effectiveOf(document) };
  }

  function requireStatus(record: PolicyVersionRecord, status: PolicyStatus, what: string, whatZh: string): void {
    if (record.status !== status) throw wrongStatus(record, what, whatZh);
  }

  /**
   * Writes a draft under the policy's next version number. Several drafts of one policy may be open
   * at once (next year's beside this year's), each its own version; two officers starting one at the
   * same moment race for the number on the `_id` index, and the one who loses takes the next.
   */
  async function insertNextDraft(
    actor: Actor,
    policyId: string,
    document: Record<string, unknown>,
  ): Promise<{ version: number; created: PolicyVersionRecord }> {
    for (let attempt = 0; ; attempt++) {
      const [latest] = await PolicyVersion.find({ policyId }, { version: 1 }).sort({ version: -1 }).limit(1).lean();
      const version = (latest?.version ?? 0) + 1;
      document.version = version;
      const at = now();
      try {
        const created = await PolicyVersion.create({
          _id: policyVersionId(policyId, version),
          policyId,
          version,
          status: 'draft',
          source: JSON.stringify(document, null, 2),
          hash: contentHash(document),
          title: textOf(document, 'title'),
          origin: 'officer',
          createdBy: actor.name,
          createdById: actor.id,
          createdAt: at,
          updatedBy: actor.name,
          updatedById: actor.id,
          updatedAt: at,
        });
        return { version, created: created.toObject() };
      } catch (error) {
        if ((error as { code?: number }).code !== 11000 || attempt >= 4) throw error;
      }
    }
  }

  /**
   * Refuses (EFFECTIVE_OVERLAP, field `effective`) a version whose range the published versions of
   * its policy leave no room for (rules/effective-ranges.ts), then claims the publication against
   * the published set it was checked on: two versions of one policy published at the same moment
   * cannot both pass the check each made without the other. A publication that stopped after its
   * claim is finished by publishing that version again.
   */
  async function claimPublication(current: PolicyVersionRecord, policy: Policy): Promise<void> {
    const others = await PolicyVersion.find(
      { policyId: current.policyId, status: 'published' },
      { version: 1, source: 1 },
    ).lean();
    const published = others.map((record) => ({
      version: record.version,
      effective: (JSON.parse(record.source) as Policy).effective,
    }));
    const conflict = publishConflict(
      current.policyId,
      { version: current.version, effective: policy.effective },
      published,
    );
    if (conflict)
      throw new PolicyLifecycleError('EFFECTIVE_OVERLAP', conflict.message.en, conflict.message.zh, 'effective');
    const set = published
      .map((p) => p.version)
      .sort((a, b) => a - b)
      .join(',');
    const { mine, claim } = await claimStep(store, `policy-publish:${current.policyId}:[${set}]`, {
      set: { version: current.version },
    });
    if (!mine && claim.set.version !== current.version)
      throw new PolicyLifecycleError(
        'CHANGE_IN_PROGRESS',
        `${current.policyId} v${String(claim.set.version)} is being published at this moment: publish v${current.version} once it is`,
        `${current.policyId} 第 ${String(claim.set.version)} 版正在发布，请待其完成后再发布第 ${current.version} 版`,
        'status',
      );
  }

  return {
    /** Starts a new version of a policy (or a new policy) from a document; invalid drafts are kept, with their issues. */
    async createDraft(actor: Actor, input: unknown): Promise<PolicyVersionView> {
      requireAllowed(actor, 'policy.draft');
      const document = asDocument(input);
      const policyId = document.id;
      if (typeof policyId !== 'string' || !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(policyId)) {
        throw new PolicyLifecycleError(
          'POLICY_INVALID',
          'id must be kebab-case, e.g. "childcare-subsidy"',
          'id 须为短横线连接的小写英文，例如 "childcare-subsidy"',
          'id',
        );
      }
      const { version, created } = await insertNextDraft(actor, policyId, document);
      const previous = version > 1 ? await PolicyVersion.findById(policyVersionId(policyId, version - 1)).lean() : null;
      const changes = previous ? formatDiff(diffPolicies(JSON.parse(previous.source), document)) : [];
      await record(policyId, version, 'created', actor, changes);
      return view(created);
    },

    /** Replaces a draft's document; checks run before the edit no longer count. */
    async updateDraft(actor: Actor, policyId: string, version: number, input: unknown): Promise<PolicyVersionView> {
      requireAllowed(actor, 'policy.edit');
      const current = await load(policyId, version);
      requireStatus(current, 'draft', 'edit it (only drafts can be edited)', '修改（只有草稿可以修改）');
      const document = asDocument(input);
      if (document.id !== policyId)
        throw new PolicyLifecycleError(
          'POLICY_INVALID',
          `id must stay "${policyId}"`,
          `id 须保持为 "${policyId}"`,
          'id',
        );
      document.version = version;
      const changes = formatDiff(diffPolicies(JSON.parse(current.source), document));
      const updated = await step(current, {
        source: JSON.stringify(document, null, 2),
        hash: contentHash(document),
        title: textOf(document, 'title'),
        updatedBy: actor.name,
        updatedById: actor.id,
        updatedAt: now(),
        validation: undefined,
        tests: undefined,
        simulation: undefined,
      });
      if (!updated)
        throw wrongStatus(
          await load(policyId, version),
          'edit it: it changed meanwhile, reload and retry',
          '修改：其间已被更改，请刷新后重试',
        );
      if (changes.length > 0) await record(policyId, version, 'edited', actor, changes);
      return view(updated);
    },

    /** Validates the current document and remembers the result for its content. */
    async validate(
      actor: Actor,
      policyId: string,
      version: number,
    ): Promise<{ valid: boolean; issues: ValidationIssue[]; warnings: CrossCheckFinding[] }> {
      requireAllowed(actor, 'policy.validate');
      const current = await load(policyId, version);
      const issues = issuesOf(JSON.parse(current.source));
      // Checks against the published set (rules/cross-checks.ts): errors fail validation at their paths, warnings come back alongside.
      const findings = issues.length === 0 ? await crossChecksOf(JSON.parse(current.source) as Policy) : [];
      issues.push(
        ...findings
          .filter((f) => f.severity === 'error')
          .map((f) => ({ path: f.path, message: f.message, messageZh: f.messageZh })),
      );
      const warnings = findings.filter((f) => f.severity === 'warning');
      const detail =
        issues.length === 0
          ? 'valid'
          : `${issues.length} issue(s): ${issues
              .slice(0, 3)
              .map((i) => `${i.path}: ${i.message}`)
              .join('; ')}`;
      await PolicyVersion.updateOne(
        { _id: current._id, hash: current.hash },
        { $set: { validation: { hash: current.hash, at: now(), passed: issues.length === 0, detail } } },
      );
      await record(policyId, version, 'validated', actor, [detail]);
      return { valid: issues.length === 0, issues, warnings };
    },

    /** Runs the version's test cases and remembers the result for its content. */
    async test(actor: Actor, policyId: string, version: number): Promise<PolicyTestReport> {
      requireAllowed(actor, 'policy.test');
      const current = await load(policyId, version);
      const document = JSON.parse(current.source) as unknown;
      const issues = issuesOf(document);
      if (issues.length > 0) {
        throw new PolicyLifecycleError(
          'POLICY_INVALID',
          `fix the ${issues.length} validation issue(s) before running tests`,
          `请先修正 ${issues.length} 个校验问题再运行测试`,
          issues[0].path,
          issues,
        );
      }
      const report = await runPolicyTests(document as Policy);
      const passed = report.failed === 0 && report.passed > 0;
      const detail = `${report.passed} passed, ${report.failed} failed`;
      await PolicyVersion.updateOne(
        { _id: current._id, hash: current.hash },
        { $set: { tests: { hash: current.hash, at: now(), passed, detail } } },
      );
      await record(policyId, version, 'tested', actor, [detail]);
      return report;
    },

    /** Hands a draft to review: it must be valid, pass its own tests and have been simulated, as it is now. */
    async submit(actor: Actor, policyId: string, version: number, note?: string): Promise<PolicyVersionView> {
      requireAllowed(actor, 'policy.submit');
      const current = await load(policyId, version);
      requireStatus(current, 'draft', 'submit it (only drafts can be submitted)', '提交（只有草稿可以提交）');
      const stale = (check?: { hash: string; passed: boolean }) =>
        !check || check.hash !== current.hash || !check.passed;
      const checks = [
        { lacking: stale(current.validation), en: 'a passing validation', zh: '校验通过' },
        { lacking: stale(current.tests), en: 'passing tests', zh: '全部测试通过' },
        { lacking: stale(current.simulation), en: 'a finished impact simulation', zh: '完成影响模拟' },
      ].filter((check) => check.lacking);
      if (checks.length > 0) {
        const en = checks.map((check) => check.en);
        throw new PolicyLifecycleError(
          'CHECKS_REQUIRED',
          `submit needs ${en.join(' and ')} on the current content: run validate, test and simulate first`,
          `提交前须对当前内容${checks.map((check) => check.zh).join('、')}`,
          'status',
        );
      }
      const moved = await move(current, 'submitted', {
        submittedBy: actor.name,
        submittedById: actor.id,
        submittedAt: now(),
      });
      await record(policyId, version, 'submitted', actor, ['draft → submitted'], note);
      return view(moved);
    },

    /** A second person approves: never the officer who wrote, last edited or submitted it. */
    async approve(actor: Actor, policyId: string, version: number, note?: string): Promise<PolicyVersionView> {
      requireAllowed(actor, 'policy.approve');
      const current = await load(policyId, version);
      requireStatus(
        current,
        'submitted',
        'approve it (only submitted versions can be approved)',
        '批准（只有已提交的版本可以批准）',
      );
      // The table's not-author condition (four eyes), checked here where the version's authors are known: by user ID.
      if (conditionOf(actor.role, 'policy.approve') === 'not-author' && isAuthorOf(actor, current)) {
        throw new PolicyLifecycleError(
          'FOUR_EYES',
          `${actor.name} wrote or submitted ${policyId} v${version}; another person must approve it`,
          `${actor.name} 起草或提交了该版本，须由他人批准（双人复核）`,
          'approvedBy',
        );
      }
      const moved = await move(current, 'approved', {
        approvedBy: actor.name,
        approvedById: actor.id,
        approvedAt: now(),
      });
      await record(policyId, version, 'approved', actor, ['submitted → approved'], note);
      return view(moved);
    },

    /** Sends a submitted version back to draft, with the reason. */
    async reject(actor: Actor, policyId: string, version: number, note: string): Promise<PolicyVersionView> {
      requireAllowed(actor, 'policy.reject');
      if (!note?.trim())
        throw new PolicyLifecycleError('POLICY_INVALID', 'say why the version is sent back', '请说明退回理由', 'note');
      const current = await load(policyId, version);
      requireStatus(
        current,
        'submitted',
        'send it back (only submitted versions can be)',
        '退回（只有已提交的版本可以退回）',
      );
      const moved = await move(current, 'draft', {
        submittedBy: undefined,
        submittedById: undefined,
        submittedAt: undefined,
      });
      await record(policyId, version, 'rejected', actor, ['submitted → draft'], note);
      return view(moved);
    },

    /** Publishes an approved version: immutable from now on; in force from its effective date. */
    async publish(actor: Actor, policyId: string, version: number): Promise<PolicyVersionView> {
      requireAllowed(actor, 'policy.publish');
      const current = await load(policyId, version);
      requireStatus(
        current,
        'approved',
        'publish it (only approved versions can be published)',
        '发布（只有已批准的版本可以发布）',
      );
      const policy = validatePolicy(JSON.parse(current.source));
      if (policyHash(policy) !== current.hash)
        throw new PolicyLifecycleError(
          'POLICY_INVALID',
          'the stored document does not match its hash',
          '存储的文档与其摘要不符',
          'hash',
        );
      await claimPublication(current, policy);
      const moved = await move(current, 'published', {
        publishedBy: actor.name,
        publishedById: actor.id,
        publishedAt: now(),
      });
      await record(policyId, version, 'published', actor, [
        `approved → published, in force from ${policy.effective.from}`,
      ]);
      return view(moved);
    },

    /** Takes a published version out of force for new cases; cases that pinned it keep it. */
    async retire(actor: Actor, policyId: string, version: number, note: string): Promise<PolicyVersionView> {
      requireAllowed(actor, 'policy.retire');
      if (!note?.trim())
        throw new PolicyLifecycleError('POLICY_INVALID', 'say why the version is retired', '请说明停用理由', 'note');
      const current = await load(policyId, version);
      requireStatus(
        current,
        'published',
        'retire it (only published versions can be retired)',
        '停用（只有已发布的版本可以停用）',
      );
      const moved = await move(current, 'retired', {
        retiredBy: actor.name,
        retiredById: actor.id,
        retiredAt: now(),
      });
      await record(policyId, version, 'retired', actor, ['published → retired'], note);
      return view(moved);
    },

    async get(policyId: string, version: number): Promise<PolicyVersionView> {
      return view(await load(policyId, version));
    },

    /** Every version, newest first per policy. */
    async list(filter: { status?: PolicyStatus } = {}): Promise<PolicyVersionView[]> {
      // Sorted and cut in the database (security review S15): a catalog holds tens of policies, each a few versions.
      const records = await PolicyVersion.find(filter.status ? { status: filter.status } : {})
        .sort({ policyId: 1, version: -1 })
        .limit(VERSION_LIST_LIMIT)
        .lean();
      return records.map(view);
    },

    async history(policyId: string): Promise<
      Array<{
        version: number;
        action: PolicyAction;
        actor: string;
        /** Absent on entries recorded before user IDs. */
        actorId?: string;
        role: string;
        at: Date;
        note?: string;
        changes: string[];
      }>
    > {
      // The newest HISTORY_LIMIT entries, cut in the database, answered oldest first.
      const entries = await PolicyHistory.find({ policyId }).sort({ at: -1, _id: -1 }).limit(HISTORY_LIMIT).lean();
      return entries.reverse().map(({ version, action, actor, actorId, role, at, note, changes }) => ({
        version,
        action,
        actor,
        ...(actorId ? { actorId } : {}),
        role,
        at,
        ...(note ? { note } : {}),
        changes,
      }));
    },

    /** Readable lines of what changed from one version to another. */
    async diff(policyId: string, from: number, to: number): Promise<string[]> {
      const [before, after] = await Promise.all([load(policyId, from), load(policyId, to)]);
      return formatDiff(diffPolicies(JSON.parse(before.source), JSON.parse(after.source)));
    },

    /**
     * Records the shipped catalog as published versions (once; idempotent). A shipped file
     * whose content differs from the version already published under its number is refused:
     * published versions never change, a change is a new version.
     */
    async importCatalog(policies: readonly Policy[]): Promise<{ imported: number }> {
      let imported = 0;
      for (const policy of policies) {
        const _id = policyVersionId(policy.id, policy.version);
        const hash = policyHash(policy);
        const at = now();
        const result = await PolicyVersion.updateOne(
          { _id },
          {
            $setOnInsert: {
              _id,
              policyId: policy.id,
              version: policy.version,
              status: 'published',
              source: JSON.stringify(policy, null, 2),
              hash,
              title: policy.title,
              origin: 'catalog',
              createdBy: SYSTEM.name,
              createdById: SYSTEM.id,
              createdAt: at,
              updatedBy: SYSTEM.name,
              updatedById: SYSTEM.id,
              updatedAt: at,
              publishedBy: SYSTEM.name,
              publishedById: SYSTEM.id,
              publishedAt: at,
            },
          },
          { upsert: true },
        ).catch(async (error: { code?: number }) => {
          if (error.code === 11000) return { upsertedCount: 0 };
          throw error;
        });
        if (result.upsertedCount === 1) {
          imported++;
          await record(policy.id, policy.version, 'imported', 'system', [
            `shipped catalog rules/policies/${policy.id}/v${policy.version}.json`,
          ]);
          continue;
        }
        const existing = await load(policy.id, policy.version);
        if (existing.hash !== hash) {
          throw new PolicyLifecycleError(
            'CATALOG_CONFLICT',
            `rules/policies/${policy.id}/v${policy.version}.json differs from the published ${policy.id} v${policy.version}: published versions never change; ship the change as v${policy.version + 1}`,
            `rules/policies/${policy.id}/v${policy.version}.json 与已发布的同版本内容不同：已发布版本不可修改，请以第 ${policy.version + 1} 版发布`,
            `${policy.id}@${policy.version}`,
          );
        }
      }
      return { imported };
    },
  };
}

export type PolicyLifecycle = ReturnType<typeof createPolicyLifecycle>;
