/**
 * The data catalog's lifecycle (数据目录): an officer drafts an addition — a fact for a published
 * source, or a new source with its facts — and submits it; a reviewer who neither drafted nor
 * submitted it approves it, and approval publishes it as the catalog's next version (four-eyes, as
 * for policies). Published facts are never removed or retyped. Each status move is claimed under
 * the draft's revision (store/step-claims.ts: FerretDB's guarded updates are not atomic), and the
 * publication is keyed by the draft (store/catalog-versions.ts), so a retried approval publishes
 * once. The publishing process puts the new version in force at once; other processes follow
 * (store/catalog-versions.ts refreshCatalog / followCatalog).
 */
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { authorize, conditionOf, type Action } from '../../domain/permissions.js';
import type { Role } from '../../domain/roles.js';
import {
  catalogSources,
  catalogVersion,
  DATA_SOURCES,
  useCatalog,
  type DataSource,
  type FactField,
} from '../../domain/sources.js';
import { changeOf, claimStep, updateOf } from '../../store/step-claims.js';
import {
  additionOf,
  catalogDrafts,
  catalogHash,
  catalogVersions,
  latestCatalogVersion,
  publishCatalogVersion,
  refreshCatalog,
  sourcesOf,
  type CatalogDraftEvent,
  type CatalogDraftRecord,
  type CatalogDraftStatus,
  type CatalogVersionRecord,
} from '../../store/catalog-versions.js';
import { syntheticFills } from './synthetic.js';
import { CatalogError, checkAddition, factsOf, withAddition, type CatalogAddition } from './additions.js';

export { CatalogError, type CatalogAddition } from './additions.js';

/**
 * Whoever acts on the catalog: a member of staff (officer drafts and submits, reviewer approves),
 * or — for proposeFact only — a data-providing department answering a fact request
 * (`role: 'department'`, `id` the department's ID).
 */
export interface CatalogActor {
  id: string;
  name: string;
  role: Role | 'department';
}

export interface CatalogDeps {
  store: Connection;
  now?: () => Date;
  /**
   * Called after a version is published in this process, with the version and the facts it
   * added: the embedded stack gives the synthetic city their values (services/catalog/synthetic.ts).
   */
  onPublished?: (record: CatalogVersionRecord) => Promise<void> | void;
}

/** A draft as the API, CLI and console show it. */
export interface CatalogDraftView extends Omit<CatalogDraftRecord, '_id' | 'addition' | 'revision'> {
  id: string;
  addition: CatalogAddition;
}

/** A version as listed: its number, what it added, who published it (the sources only on request). */
export interface CatalogVersionView {
  version: number;
  origin: CatalogVersionRecord['origin'];
  added: string[];
  publishes: string;
  hash: string;
  publishedBy: string;
  publishedById: string;
  publishedAt: Date;
  sources?: DataSource[];
}

const SYSTEM = { id: 'system', name: 'system' } as const;
const STATUS_ZH: Record<CatalogDraftStatus, string> = {
  draft: '草稿',
  submitted: '已提交',
  approved: '已批准',
  published: '已发布',
  rejected: '已退回',
};

const requireAllowed = (actor: CatalogActor, action: Action): void => {
  if (actor.role === 'department')
    throw new CatalogError(
      'FORBIDDEN_ROLE',
      'a department proposes facts through a fact request, nothing else',
      '数据提供部门只能通过事实需求答复提出新增事实',
    );
  authorize({ name: actor.name, role: actor.role }, action, CatalogError);
};

const draftView = (record: CatalogDraftRecord): CatalogDraftView => {
  const { _id, addition, revision: _revision, ...rest } = record;
  return { id: _id, addition: JSON.parse(addition) as CatalogAddition, ...rest };
};

const versionView = (record: CatalogVersionRecord, withSources = false): CatalogVersionView => ({
  version: record.version,
  origin: record.origin,
  added: record.added,
  publishes: record.publishes,
  hash: record.hash,
  publishedBy: record.publishedBy,
  publishedById: record.publishedById,
  publishedAt: record.publishedAt,
  ...(withSources ? { sources: sourcesOf(record) } : {}),
});

/** Whether the actor drafted or submitted the draft (four eyes compares user IDs). */
const isAuthorOf = (actor: CatalogActor, record: CatalogDraftRecord) =>
  actor.id === record.createdById || actor.id === record.submittedById;

async function load(store: Connection, id: string): Promise<CatalogDraftRecord> {
  const found = typeof id === 'string' ? await catalogDrafts(store).findOne({ _id: id }) : null;
  if (!found)
    throw new CatalogError('CATALOG_DRAFT_NOT_FOUND', `no catalog draft ${id}`, `没有数据目录草稿 ${id}`, 'id');
  return found;
}

const event = (
  actor: CatalogActor | typeof SYSTEM,
  action: CatalogDraftEvent['action'],
  at: Date,
  note?: string,
): CatalogDraftEvent => ({
  action,
  actor: actor.name,
  actorId: actor.id,
  role: 'role' in actor ? actor.role : 'system',
  at,
  ...(note ? { note } : {}),
});

/**
 * Moves a draft from its revision to the next with `fields`, once (the claim decides among callers
 * racing); answers the record moved, or undefined when another caller's move came first.
 */
async function step(
  store: Connection,
  current: CatalogDraftRecord,
  fields: Partial<CatalogDraftRecord>,
): Promise<CatalogDraftRecord | undefined> {
  const { mine, claim } = await claimStep(
    store,
    `catalog-draft:${current._id}#${current.revision}`,
    changeOf({ ...fields, revision: current.revision + 1 }),
  );
  const moved = await catalogDrafts(store).findOneAndUpdate(
    { _id: current._id, revision: current.revision },
    updateOf(claim),
    { returnDocument: 'after' },
  );
  if (!mine) return undefined;
  return moved ?? (await load(store, current._id));
}

function wrongStatus(record: CatalogDraftRecord, what: string, whatZh: string): CatalogError {
  return new CatalogError(
    'WRONG_STATUS',
    `catalog draft ${record._id} is ${record.status}: cannot ${what}`,
    `数据目录草稿 ${record._id} 为${STATUS_ZH[record.status]}，无法${whatZh}`,
    'status',
  );
}

/** Writes a new draft (keyed: a second write under the same ID answers the first). */
async function writeDraft(
  deps: CatalogDeps,
  actor: CatalogActor,
  input: unknown,
  options: { id?: string; requestId?: string; submit: boolean },
): Promise<CatalogDraftRecord> {
  const store = deps.store;
  await refreshCatalog(store);
  const addition = checkAddition(input, catalogSources());
  const at = (deps.now ?? (() => new Date()))();
  const id = options.id ?? `catalog-draft-${randomUUID()}`;
  const record: CatalogDraftRecord = {
    _id: id,
    status: options.submit ? 'submitted' : 'draft',
    addition: JSON.stringify(addition),
    facts: factsOf(addition),
    baseVersion: catalogVersion(),
    ...(options.requestId ? { requestId: options.requestId } : {}),
    createdBy: actor.name,
    createdById: actor.id,
    createdAt: at,
    ...(options.submit ? { submittedBy: actor.name, submittedById: actor.id } : {}),
    history: [event(actor, 'drafted', at), ...(options.submit ? [event(actor, 'submitted', at)] : [])],
    revision: 0,
  };
  try {
    await catalogDrafts(store).insertOne(record);
    return record;
  } catch (error) {
    if ((error as { code?: number }).code !== 11000) throw error;
    return load(store, id);
  }
}

/**
 * Adds a fact to a published source on a fact request's answer: a catalog draft holding the one
 * fact, **submitted for review** at once (the request already says what, why and under which
 * law), so a reviewer who is not `actor` approves and publishes it. With `requestId` the draft is
 * keyed by it: asked again, the same draft is answered and nothing is written twice. `actor` is an
 * officer or the department answering (`role: 'department'`). Refusals are CatalogError
 * (domain/refusal.ts): CATALOG_INVALID naming the field (`facts[0].unit`, `sourceId`…) with
 * nothing written, FORBIDDEN_ROLE for any other role.
 */
export async function proposeFact(
  deps: Pick<CatalogDeps, 'store' | 'now'>,
  actor: CatalogActor,
  proposal: { sourceId: string; field: FactField; requestId?: string },
): Promise<{ draftId: string }> {
  if (actor.role !== 'department') requireAllowed(actor, 'catalog.draft');
  const id = proposal.requestId ? `catalog-draft-request-${proposal.requestId}` : undefined;
  if (id) {
    const existing = await catalogDrafts(deps.store).findOne({ _id: id });
    if (existing) return { draftId: existing._id };
  }
  const record = await writeDraft(
    deps,
    actor,
    { sourceId: proposal.sourceId, facts: [proposal.field] },
    { id, requestId: proposal.requestId, submit: true },
  );
  return { draftId: record._id };
}

/**
 * Publishes the shipped catalog (domain/sources.ts DATA_SOURCES) into the store once by its hash:
 * the first start makes it version 1; a later start whose shipped catalog grew publishes its
 * additions (and its metadata, facts keeping their types) over the newest version, officers'
 * additions kept. A shipped fact that changes a published fact's type, column or source is
 * refused (CATALOG_CONFLICT): published facts never change. Then puts the newest in force.
 */
export async function openCatalog(
  deps: Pick<CatalogDeps, 'store' | 'now'>,
  shipped: readonly DataSource[] = DATA_SOURCES,
): Promise<{ version: number; published: boolean }> {
  const at = (deps.now ?? (() => new Date()))();
  const { published } = await publishCatalogVersion(
    deps.store,
    `shipped:${catalogHash(shipped)}`,
    (latest) => mergeShipped(latest?.sources, shipped),
    { ...SYSTEM, origin: 'shipped', at },
  );
  return { version: await refreshCatalog(deps.store), published };
}

/** The newest catalog with the shipped one laid over it, or undefined when nothing changes. */
function mergeShipped(
  latest: readonly DataSource[] | undefined,
  shipped: readonly DataSource[],
): { sources: DataSource[]; added: string[] } | undefined {
  const copy = structuredClone(shipped) as DataSource[];
  if (!latest) return { sources: copy, added: copy.flatMap((s) => s.fields.map((f) => f.key)) };
  const published = new Map(latest.flatMap((s) => s.fields.map((f) => [f.key, { source: s, field: f }] as const)));
  const added: string[] = [];
  const merged = copy.map((source) => {
    const before = latest.find((s) => s.id === source.id);
    if (before && (before.subject !== source.subject || before.collection !== source.collection))
      throw conflict(source.id, 'its subject or collection');
    for (const field of source.fields) {
      const was = published.get(field.key);
      if (!was) added.push(field.key);
      else if (was.source.id !== source.id || was.field.type !== field.type || was.field.column !== field.column)
        throw conflict(field.key, 'its source, type or column');
    }
    const shippedKeys = new Set(source.fields.map((f) => f.key));
    return { ...source, fields: [...source.fields, ...(before?.fields ?? []).filter((f) => !shippedKeys.has(f.key))] };
  });
  const officers = latest.filter((s) => !copy.some((c) => c.id === s.id));
  const sources = [...merged, ...officers];
  return catalogHash(sources) === catalogHash(latest) ? undefined : { sources, added };
}

function conflict(what: string, part: string): CatalogError {
  return new CatalogError(
    'CATALOG_CONFLICT',
    `the shipped catalog changes ${part} of the published ${what}: published facts are never removed or retyped; add a new fact instead`,
    `内置数据目录改动了已发布的 ${what}：已发布的事实不可删除或改变类型，请新增事实`,
    what,
  );
}

export function createCatalogService(deps: CatalogDeps) {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());

  /** Publishes an approved draft as the next version (once, whoever calls), then marks it published. */
  async function publish(approved: CatalogDraftRecord, actor: CatalogActor): Promise<CatalogDraftRecord> {
    const addition = additionOf(approved);
    const { record, published } = await publishCatalogVersion(
      store,
      approved._id,
      (latest) => {
        // Checked again against the newest version: another draft may have added the same key meanwhile.
        const base = latest?.sources ?? [];
        checkAddition(JSON.parse(approved.addition), base);
        return { sources: withAddition(base, addition), added: factsOf(addition) };
      },
      { id: actor.id, name: actor.name, origin: 'officer', at: now() },
    );
    if (!record) throw new Error(`catalog: ${approved._id} was not published`);
    useCatalog(record.version, sourcesOf(record));
    const moved =
      (await step(store, approved, {
        status: 'published',
        publishedVersion: record.version,
        history: [...approved.history, event(actor, 'published', now())],
      })) ?? (await load(store, approved._id));
    // Once per version: a caller who found it published already leaves the follow-up to its publisher.
    if (published) await deps.onPublished?.(record);
    return moved;
  }

  return {
    /** The catalog in force (refreshed from the store first) and its version. */
    async current(): Promise<{ version: number; sources: readonly DataSource[] }> {
      await refreshCatalog(store);
      return { version: catalogVersion(), sources: catalogSources() };
    },

    /** Every published version, newest first (with its sources when asked). */
    async versions(options: { withSources?: boolean } = {}): Promise<CatalogVersionView[]> {
      const records = await catalogVersions(store).find({}).sort({ version: -1 }).limit(500).toArray();
      return records.map((record) => versionView(record, options.withSources));
    },

    /** One published version with its sources. */
    async version(version: number): Promise<CatalogVersionView | undefined> {
      const record = await catalogVersions(store).findOne({ version });
      return record ? versionView(record, true) : undefined;
    },

    /** Writes a draft (status draft): checked against the catalog in force, refused naming the field. */
    async draft(actor: CatalogActor, input: unknown): Promise<CatalogDraftView> {
      requireAllowed(actor, 'catalog.draft');
      return draftView(await writeDraft(deps, actor, input, { submit: false }));
    },

    async get(id: string): Promise<CatalogDraftView> {
      return draftView(await load(store, id));
    },

    /** Drafts, newest first; by status when given. */
    async drafts(filter: { status?: CatalogDraftStatus } = {}): Promise<CatalogDraftView[]> {
      const records = await catalogDrafts(store)
        .find(filter.status ? { status: filter.status } : {})
        .sort({ createdAt: -1 })
        .limit(500)
        .toArray();
      return records.map(draftView);
    },

    /** Hands a draft to review, checked again against the catalog in force. */
    async submit(actor: CatalogActor, id: string, note?: string): Promise<CatalogDraftView> {
      requireAllowed(actor, 'catalog.submit');
      const current = await load(store, id);
      if (current.status !== 'draft')
        throw wrongStatus(current, 'submit it (only drafts can be)', '提交（只有草稿可以提交）');
      await refreshCatalog(store);
      checkAddition(JSON.parse(current.addition), catalogSources());
      const moved = await step(store, current, {
        status: 'submitted',
        submittedBy: actor.name,
        submittedById: actor.id,
        history: [...current.history, event(actor, 'submitted', now(), note)],
      });
      if (!moved) throw wrongStatus(await load(store, id), 'submit it: it changed meanwhile', '提交：其间已被更改');
      return draftView(moved);
    },

    /**
     * A second person approves, and approval publishes: never whoever drafted or submitted it
     * (FOUR_EYES). Asked again for a draft already approved or published (a retry), it finishes the
     * publication and answers the published draft: the version is published once.
     */
    async approve(actor: CatalogActor, id: string, note?: string): Promise<CatalogDraftView> {
      requireAllowed(actor, 'catalog.approve');
      const current = await load(store, id);
      if (conditionOf(actor.role as Role, 'catalog.approve') === 'not-author' && isAuthorOf(actor, current))
        throw new CatalogError(
          'FOUR_EYES',
          `${actor.name} drafted or submitted ${id}; another person must approve it`,
          `${actor.name} 起草或提交了该新增，须由他人批准（双人复核）`,
          'approvedBy',
        );
      if (current.status === 'published') return draftView(current);
      if (current.status === 'approved') return draftView(await publish(current, actor));
      if (current.status !== 'submitted')
        throw wrongStatus(current, 'approve it (only submitted drafts can be)', '批准（只有已提交的新增可以批准）');
      const approved =
        (await step(store, current, {
          status: 'approved',
          approvedBy: actor.name,
          approvedById: actor.id,
          history: [...current.history, event(actor, 'approved', now(), note)],
        })) ?? (await load(store, id));
      if (approved.status === 'published') return draftView(approved);
      if (approved.status !== 'approved')
        throw wrongStatus(approved, 'approve it: it changed meanwhile', '批准：其间已被更改');
      return draftView(await publish(approved, actor));
    },

    /** Sends a submitted draft back, saying why (the drafter may submit a new one). */
    async reject(actor: CatalogActor, id: string, note: string): Promise<CatalogDraftView> {
      requireAllowed(actor, 'catalog.reject');
      if (!note?.trim()) throw new CatalogError('REASON_REQUIRED', 'say why it is sent back', '请说明退回理由', 'note');
      const current = await load(store, id);
      if (current.status !== 'submitted')
        throw wrongStatus(current, 'send it back (only submitted drafts can be)', '退回（只有已提交的新增可以退回）');
      const moved = await step(store, current, {
        status: 'rejected',
        history: [...current.history, event(actor, 'rejected', now(), note)],
      });
      if (!moved) throw wrongStatus(await load(store, id), 'send it back: it changed meanwhile', '退回：其间已被更改');
      return draftView(moved);
    },

    /** Where the synthetic city's values of added facts stand (embedded stack; empty elsewhere). */
    synthetic: () => syntheticFills(store),

    /** The newest published version's record (undefined before the first). */
    latest: () => latestCatalogVersion(store),
  };
}

export type CatalogService = ReturnType<typeof createCatalogService>;
