/**
 * The list of matters' lifecycle (用证事项清单): the shipped starter list is version 1, published
 * into the store once at start (openMatters; a later release's new matters are added as the next
 * version); an officer drafts the next version — the whole list
 * — and submits it; a reviewer who neither drafted nor submitted it approves it, and approval
 * publishes it as the next version and puts it in force (four-eyes, as for the catalog and
 * policies). Every step checks the list (domain/matters-validate.ts) against the version in force,
 * 只增不减 included, and refuses it with every problem at its path: a version that drops a matter
 * is refused naming the matter. Each status move is claimed under the draft's revision
 * (store/step-claims.ts), and the publication is keyed by the draft (store/matter-versions.ts),
 * so a retried approval publishes once. Other processes follow the store (followMatters).
 */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Connection } from 'mongoose';
import { authorize, conditionOf, type Action } from '../../domain/permissions.js';
import type { Role } from '../../domain/roles.js';
import { Refusal, type RefusalIssue } from '../../domain/refusal.js';
import {
  mattersInForce,
  proofFree,
  putMattersInForce,
  REPLACEMENT_METHODS,
  type Matter,
  type MatterList,
  type ReplacementMethod,
} from '../../domain/matters.js';
import { STARTER_MATTER_LIST } from '../../domain/matters-starter.js';
import { listIsStale, validateMatterList, type MatterProblem } from '../../domain/matters-validate.js';
import type { SubjectKind } from '../../domain/sources.js';
import { changeOf, claimStep, updateOf } from '../../store/step-claims.js';
import {
  latestMatterVersion,
  listOf,
  matterDrafts,
  mattersHash,
  matterVersions,
  publishMatterVersion,
  refreshMatters,
  type MatterDraftEvent,
  type MatterDraftRecord,
  type MatterDraftStatus,
  type MatterVersionRecord,
} from '../../store/matter-versions.js';

export type MatterErrorCode =
  | 'MATTERS_INVALID'
  | 'MATTER_DRAFT_NOT_FOUND'
  | 'MATTER_NOT_FOUND'
  | 'FORBIDDEN_ROLE'
  | 'FOUR_EYES'
  | 'WRONG_STATUS'
  | 'REASON_REQUIRED';

/** A refused step on the list of matters: a stable code, both languages, the field at fault and every issue. */
export class MatterError extends Refusal {
  declare readonly code: MatterErrorCode;
  constructor(
    code: MatterErrorCode,
    message: string,
    messageZh: string,
    field?: string,
    issues?: readonly RefusalIssue[],
  ) {
    super(code, message, messageZh, field, issues);
  }
}

/** Whoever acts on the list: a member of staff (officer drafts and submits, reviewer approves). */
export interface MatterActor {
  id: string;
  name: string;
  role: Role;
}

export interface MattersDeps {
  store: Connection;
  now?: () => Date;
}

/** The city's day (the list's dates are the city's, Asia/Shanghai). */
export const cityDay = (at: Date): string => DateTime.fromJSDate(at).setZone('Asia/Shanghai').toISODate()!;

/** A draft as the API, CLI and console show it. */
export interface MatterDraftView extends Omit<MatterDraftRecord, '_id' | 'matters' | 'revision'> {
  id: string;
  matters: Matter[];
  /** What the list would be refused for now, against the version in force (empty: it may be published). */
  problems: MatterProblem[];
}

export interface MatterVersionView {
  version: number;
  publishedOn: string;
  origin: MatterVersionRecord['origin'];
  added: string[];
  publishes: string;
  hash: string;
  matterCount: number;
  publishedBy: string;
  publishedAt: Date;
}

/** A matter as the public list shows it: with whether it is fully proof-free. */
export type MatterView = Matter & { proofFree: boolean };

/** The list in force as the public reads it. */
export interface MatterListView {
  version: number;
  publishedOn?: string;
  /** Older than six months: the twice-a-year update is overdue. */
  stale: boolean;
  /** Proofs of the matters shown, by how each is obtained now. */
  byMethod: Record<ReplacementMethod, number>;
  proofFreeCount: number;
  matters: MatterView[];
}

const SYSTEM = { id: 'system', name: 'system' } as const;
const STATUS_ZH: Record<MatterDraftStatus, string> = {
  draft: '草稿',
  submitted: '已提交',
  approved: '已批准',
  published: '已发布',
  rejected: '已退回',
};

const requireAllowed = (actor: MatterActor, action: Action): void =>
  authorize({ name: actor.name, role: actor.role }, action, MatterError);

/** Refuses a list with problems: the first one's message and path, every one as an issue. */
function refuseProblems(problems: readonly MatterProblem[]): void {
  if (problems.length === 0) return;
  const [first] = problems;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  const moreZh = problems.length > 1 ? `（另有 ${problems.length - 1} 处问题）` : '';
  throw new MatterError(
    'MATTERS_INVALID',
    `the list of matters cannot be published: ${first.message}${more}`,
    `用证事项清单不能发布：${first.messageZh}${moreZh}`,
    first.path,
    problems.map(({ path, message, messageZh }) => ({ path, message, messageZh })),
  );
}

/**
 * The matters of a drafted list (`{ matters: [...] }`, or the array itself). What GET /matters
 * adds to each matter (`proofFree`) is dropped, so its answer, edited, drafts as it is.
 */
function mattersOfInput(input: unknown): unknown {
  const matters = Array.isArray(input)
    ? input
    : typeof input === 'object' && input !== null && 'matters' in input
      ? (input as { matters: unknown }).matters
      : undefined;
  if (!Array.isArray(matters)) return input;
  return {
    matters: matters.map((matter: unknown) => {
      if (typeof matter !== 'object' || matter === null || Array.isArray(matter)) return matter;
      const { proofFree: _proofFree, ...rest } = matter as Record<string, unknown>;
      return rest;
    }),
  };
}

/** Counts proofs by method. */
export function countByMethod(matters: readonly Matter[]): Record<ReplacementMethod, number> {
  const counts = Object.fromEntries(REPLACEMENT_METHODS.map((m) => [m, 0])) as Record<ReplacementMethod, number>;
  for (const matter of matters) for (const proof of matter.proofs) counts[proof.replacement.method] += 1;
  return counts;
}

/** The public view of a list, filtered by subject kind and department when asked. */
export function listView(
  list: MatterList,
  today: string,
  filter: { subject?: SubjectKind; department?: string } = {},
): MatterListView {
  const matters = list.matters.filter(
    (m) =>
      (!filter.subject || m.subject === filter.subject) &&
      (!filter.department || m.department.id === filter.department),
  );
  return {
    version: list.version,
    ...(list.publishedOn ? { publishedOn: list.publishedOn } : {}),
    stale: listIsStale(list.publishedOn, today),
    byMethod: countByMethod(matters),
    proofFreeCount: matters.filter(proofFree).length,
    matters: matters.map((m) => ({ ...m, proofFree: proofFree(m) })),
  };
}

const versionView = (record: MatterVersionRecord): MatterVersionView => ({
  version: record.version,
  publishedOn: record.publishedOn,
  origin: record.origin,
  added: record.added,
  publishes: record.publishes,
  hash: record.hash,
  matterCount: (JSON.parse(record.source) as unknown[]).length,
  publishedBy: record.publishedBy,
  publishedAt: record.publishedAt,
});

const event = (
  actor: MatterActor | typeof SYSTEM,
  action: MatterDraftEvent['action'],
  at: Date,
  note?: string,
): MatterDraftEvent => ({
  action,
  actor: actor.name,
  actorId: actor.id,
  role: 'role' in actor ? actor.role : 'system',
  at,
  ...(note ? { note } : {}),
});

/**
 * Publishes the starter list (domain/matters-starter.ts) into the store once by its hash: into an
 * empty store as version 1; over a store that already holds versions, only the shipped matters it
 * lacks, appended as the next version (a release that ships new matters adds them; what officers
 * published since stands, and nothing is removed). Then puts the newest version in force. Called
 * at API and worker start (like openCatalog).
 */
export async function openMatters(
  deps: MattersDeps,
  starter: MatterList = STARTER_MATTER_LIST,
): Promise<{ version: number; published: boolean }> {
  const at = (deps.now ?? (() => new Date()))();
  const { published } = await publishMatterVersion(
    deps.store,
    `shipped:${mattersHash(starter.matters)}`,
    (latest) => {
      const shipped = structuredClone(starter.matters) as Matter[];
      if (!latest) return { matters: shipped, publishedOn: starter.publishedOn ?? cityDay(at) };
      const known = new Set(latest.matters.map((m) => m.id));
      const added = shipped.filter((m) => !known.has(m.id));
      if (added.length === 0) return undefined;
      const matters = [...latest.matters, ...added];
      refuseProblems(validateMatterList({ matters }, latest));
      return { matters, publishedOn: cityDay(at) };
    },
    { ...SYSTEM, origin: 'shipped', at },
  );
  return { version: await refreshMatters(deps.store), published };
}

export function createMattersService(deps: MattersDeps) {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());

  async function load(id: string): Promise<MatterDraftRecord> {
    const found = typeof id === 'string' ? await matterDrafts(store).findOne({ _id: id }) : null;
    if (!found)
      throw new MatterError(
        'MATTER_DRAFT_NOT_FOUND',
        `no draft of the list of matters ${id}`,
        `没有用证事项清单草稿 ${id}`,
        'id',
      );
    return found;
  }

  /** The list in force, refreshed from the store first. */
  async function inForce(): Promise<MatterList> {
    await refreshMatters(store);
    return mattersInForce();
  }

  /** What a draft's list would be refused for against the version in force. */
  async function problemsOf(record: MatterDraftRecord): Promise<MatterProblem[]> {
    return validateMatterList({ matters: JSON.parse(record.matters) }, await inForce());
  }

  async function draftView(record: MatterDraftRecord, problems?: MatterProblem[]): Promise<MatterDraftView> {
    const { _id, matters, revision: _revision, ...rest } = record;
    return {
      id: _id,
      matters: JSON.parse(matters) as Matter[],
      ...rest,
      problems: problems ?? (record.status === 'published' ? [] : await problemsOf(record)),
    };
  }

  /** Moves a draft from its revision to the next with `fields`, once; undefined when another caller's move came first. */
  async function step(
    current: MatterDraftRecord,
    fields: Partial<MatterDraftRecord>,
  ): Promise<MatterDraftRecord | undefined> {
    const { mine, claim } = await claimStep(
      store,
      `matter-draft:${current._id}#${current.revision}`,
      changeOf({ ...fields, revision: current.revision + 1 }),
    );
    const moved = await matterDrafts(store).findOneAndUpdate(
      { _id: current._id, revision: current.revision },
      updateOf(claim),
      { returnDocument: 'after' },
    );
    if (!mine) return undefined;
    return moved ?? (await load(current._id));
  }

  function wrongStatus(record: MatterDraftRecord, what: string, whatZh: string): MatterError {
    return new MatterError(
      'WRONG_STATUS',
      `draft ${record._id} of the list of matters is ${record.status}: cannot ${what}`,
      `用证事项清单草稿 ${record._id} 为${STATUS_ZH[record.status]}，无法${whatZh}`,
      'status',
    );
  }

  /** Publishes an approved draft as the next version (once, whoever calls), puts it in force, marks it published. */
  async function publish(approved: MatterDraftRecord, actor: MatterActor): Promise<MatterDraftRecord> {
    const matters = JSON.parse(approved.matters) as Matter[];
    const { record } = await publishMatterVersion(
      store,
      approved._id,
      (latest) => {
        // Checked again against the newest version: another draft may have been published meanwhile.
        refuseProblems(validateMatterList({ matters }, latest));
        return { matters, publishedOn: cityDay(now()) };
      },
      { id: actor.id, name: actor.name, origin: 'officer', at: now() },
    );
    if (!record) throw new Error(`matters: ${approved._id} was not published`);
    putMattersInForce(listOf(record));
    return (
      (await step(approved, {
        status: 'published',
        publishedVersion: record.version,
        history: [...approved.history, event(actor, 'published', now())],
      })) ?? (await load(approved._id))
    );
  }

  return {
    /** The list in force as the public reads it, filtered by subject kind and department when asked. */
    async list(filter: { subject?: SubjectKind; department?: string } = {}): Promise<MatterListView> {
      return listView(await inForce(), cityDay(now()), filter);
    },

    /** One matter of the list in force. */
    async matter(id: string): Promise<MatterView & { version: number; publishedOn?: string }> {
      const list = await inForce();
      const matter = list.matters.find((m) => m.id === id);
      if (!matter)
        throw new MatterError(
          'MATTER_NOT_FOUND',
          `the list of matters in force has no matter ${id}`,
          `现行用证事项清单中没有事项 ${id}`,
          'id',
        );
      return { ...matter, proofFree: proofFree(matter), version: list.version, publishedOn: list.publishedOn };
    },

    /** Every published version, newest first. */
    async versions(): Promise<MatterVersionView[]> {
      const records = await matterVersions(store).find({}).sort({ version: -1 }).limit(500).toArray();
      return records.map(versionView);
    },

    /** Writes a draft of the whole list (status draft), refused with every problem when it cannot be published. */
    async draft(actor: MatterActor, input: unknown): Promise<MatterDraftView> {
      requireAllowed(actor, 'matters.draft');
      const list = mattersOfInput(input);
      const base = await inForce();
      const problems = validateMatterList(list, base);
      refuseProblems(problems);
      const matters = (list as { matters: Matter[] }).matters;
      const at = now();
      const record: MatterDraftRecord = {
        _id: `matters-draft-${randomUUID()}`,
        status: 'draft',
        matters: JSON.stringify(matters),
        matterCount: matters.length,
        baseVersion: base.version,
        createdBy: actor.name,
        createdById: actor.id,
        createdAt: at,
        history: [event(actor, 'drafted', at)],
        revision: 0,
      };
      await matterDrafts(store).insertOne(record);
      return draftView(record, []);
    },

    async get(id: string): Promise<MatterDraftView> {
      return draftView(await load(id));
    },

    /** Drafts, newest first; by status when given. */
    async drafts(
      filter: { status?: MatterDraftStatus } = {},
    ): Promise<Omit<MatterDraftView, 'matters' | 'problems'>[]> {
      const records = await matterDrafts(store)
        .find(filter.status ? { status: filter.status } : {})
        .sort({ createdAt: -1 })
        .limit(500)
        .toArray();
      return records.map(({ _id, matters: _matters, revision: _revision, ...rest }) => ({ id: _id, ...rest }));
    },

    /** Hands a draft to review, checked again against the version in force. */
    async submit(actor: MatterActor, id: string, note?: string): Promise<MatterDraftView> {
      requireAllowed(actor, 'matters.submit');
      const current = await load(id);
      if (current.status !== 'draft')
        throw wrongStatus(current, 'submit it (only drafts can be)', '提交（只有草稿可以提交）');
      refuseProblems(await problemsOf(current));
      const moved = await step(current, {
        status: 'submitted',
        submittedBy: actor.name,
        submittedById: actor.id,
        history: [...current.history, event(actor, 'submitted', now(), note)],
      });
      if (!moved) throw wrongStatus(await load(id), 'submit it: it changed meanwhile', '提交：其间已被更改');
      return draftView(moved);
    },

    /**
     * A second person approves, and approval publishes: never whoever drafted or submitted it
     * (FOUR_EYES). Asked again for a draft already approved or published (a retry), it finishes
     * the publication and answers the published draft: the version is published once.
     */
    async approve(actor: MatterActor, id: string, note?: string): Promise<MatterDraftView> {
      requireAllowed(actor, 'matters.approve');
      const current = await load(id);
      if (
        conditionOf(actor.role, 'matters.approve') === 'not-author' &&
        (actor.id === current.createdById || actor.id === current.submittedById)
      )
        throw new MatterError(
          'FOUR_EYES',
          `${actor.name} drafted or submitted ${id}; another person must approve it`,
          `${actor.name} 起草或提交了该清单版本，须由他人批准（双人复核）`,
          'approvedBy',
        );
      if (current.status === 'published') return draftView(current);
      if (current.status === 'approved') return draftView(await publish(current, actor));
      if (current.status !== 'submitted')
        throw wrongStatus(current, 'approve it (only submitted drafts can be)', '批准（只有已提交的清单版本可以批准）');
      refuseProblems(await problemsOf(current));
      const approved =
        (await step(current, {
          status: 'approved',
          approvedBy: actor.name,
          approvedById: actor.id,
          history: [...current.history, event(actor, 'approved', now(), note)],
        })) ?? (await load(id));
      if (approved.status === 'published') return draftView(approved);
      if (approved.status !== 'approved')
        throw wrongStatus(approved, 'approve it: it changed meanwhile', '批准：其间已被更改');
      return draftView(await publish(approved, actor));
    },

    /** Sends a submitted draft back, saying why. */
    async reject(actor: MatterActor, id: string, note: string): Promise<MatterDraftView> {
      requireAllowed(actor, 'matters.reject');
      if (!note?.trim()) throw new MatterError('REASON_REQUIRED', 'say why it is sent back', '请说明退回理由', 'note');
      const current = await load(id);
      if (current.status !== 'submitted')
        throw wrongStatus(
          current,
          'send it back (only submitted drafts can be)',
          '退回（只有已提交的清单版本可以退回）',
        );
      const moved = await step(current, {
        status: 'rejected',
        history: [...current.history, event(actor, 'rejected', now(), note)],
      });
      if (!moved) throw wrongStatus(await load(id), 'send it back: it changed meanwhile', '退回：其间已被更改');
      return draftView(moved);
    },

    /** The newest published version's record (undefined before the first). */
    latest: () => latestMatterVersion(store),
  };
}

export type MattersService = ReturnType<typeof createMattersService>;
