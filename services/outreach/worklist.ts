/**
 * The outreach worklist (应享尽享名单): people likely eligible whom the machine could not decide,
 * grouped by cause — per policy and failed source, per policy and missing fact — so one request to
 * the department that owns the data, or one round of contacts, serves a whole group.
 *
 * "Likely eligible" means: the person's latest decision for the policy and period is
 * `undetermined`, and no condition of it counted against eligibility (every leaf true or unknown,
 * read through `conditionMet`, so a leaf under `not` counts the right way). This reads the leaves
 * alone: a false alternative inside an `any` counts against too, so the list errs on the side of
 * fewer false hopes. A person decided again since (eligible or not) leaves the list; one granted
 * without a new decision stays in it, counted as served. Pure reads: the
 * decisions are streamed once (FerretDB filters by `_id` only, so any other filter scans anyway)
 * and grants, contacts and data requests read by key.
 */
import type { Connection } from 'mongoose';
import { findFact, findSource, type Text } from '../../domain/sources.js';
import { conditionMet, type ConditionResult } from '../../rules/types.js';
import type { PolicySource } from '../../rules/policy-source.js';
import { registerModels } from '../../store/models.js';
import { registerOutreachModels, outreachKey, type DataRequest, type OutreachCause } from '../../store/outreach.js';
import { staffMaskedSubject } from '../../store/subjects.js';
import { benefitWorkflowId } from '../../workflows/contracts/index.js';

/** One person of a group: pseudonymous, with what has been done for them. */
export interface OutreachPerson {
  subjectKey: string;
  /** The last characters of their identifier, as staff see them on worklists. */
  masked?: string;
  caseId: string;
  decisionKey: string;
  period: string;
  decidedAt: string;
  missingFacts: string[];
  failedSources: string[];
  served: { granted: boolean; contacted: boolean; dataRequested: boolean };
}

export interface OutreachGroup {
  /** `<policyId>|<source|fact>|<key>`. */
  id: string;
  policyId: string;
  policyTitle: Text;
  /** The policy's department: who owns the outreach work (and its tasks). */
  policyDepartment: Text;
  cause: OutreachCause & { label: Text };
  /** The source whose department answers (the cause's, or the fact's source). */
  source: string;
  department: Text;
  counts: { people: number; granted: number; contacted: number; dataRequested: number; waiting: number };
  people: OutreachPerson[];
  /** The offset of the next page of people, when there is one. */
  nextOffset?: number;
  dataRequests: Array<{ id: string; day: string; status: string; people: number; requestedByName: string }>;
}

export interface WorklistQuery {
  policy?: string;
  cause?: 'source' | 'fact';
  key?: string;
  limit?: number;
  offset?: number;
}

/** A person's undetermined, likely-eligible decision, before grouping. */
interface Candidate {
  key: string;
  decisionKey: string;
  caseId: string;
  subjectKey: string;
  policyId: string;
  policyVersion: number;
  period: string;
  decidedAt: Date;
  missingFacts: string[];
  failedSources: string[];
}

/** True when no condition counted against eligibility: every leaf true or unknown. */
export function likelyEligible(conditions: readonly ConditionResult[]): boolean {
  return conditions.every((leaf) => conditionMet(leaf) !== false);
}

/** The causes one decision is undetermined by: each failed source, and each missing fact no failed source explains. */
export function causesOf(missingFacts: readonly string[], failedSources: readonly string[]): OutreachCause[] {
  const failed = new Set(failedSources);
  const facts = missingFacts.filter((fact) => !failed.has(findFact(fact)?.source.id ?? ''));
  return [
    ...[...failed].sort().map((key) => ({ kind: 'source' as const, key })),
    ...[...new Set(facts)].sort().map((key) => ({ kind: 'fact' as const, key })),
  ];
}

export const groupId = (policyId: string, cause: OutreachCause): string => `${policyId}|${cause.kind}|${cause.key}`;

/** The source that answers a cause, its department and a label for people to read. */
export function causeOwner(cause: OutreachCause): { source: string; department: Text; label: Text } {
  if (cause.kind === 'source') {
    const source = findSource(cause.key);
    const department = source?.department ?? { zh: cause.key, en: cause.key };
    return {
      source: cause.key,
      department,
      label: { zh: `${department.zh}数据源（${cause.key}）未应答`, en: `source ${cause.key} did not answer` },
    };
  }
  const found = findFact(cause.key);
  return {
    source: found?.source.id ?? cause.key,
    department: found?.source.department ?? { zh: cause.key, en: cause.key },
    label: found
      ? { zh: `缺少「${found.field.label.zh}」`, en: `no value for ${found.field.label.en}` }
      : { zh: `缺少 ${cause.key}`, en: `no value for ${cause.key}` },
  };
}

/** The latest decision per subject, policy and period that leaves the person likely eligible but undetermined. */
async function candidates(store: Connection, policy?: string): Promise<Candidate[]> {
  const { Decision } = registerModels(store);
  const latest = new Map<string, Candidate & { outcome: string; likely: boolean }>();
  const cursor = Decision.collection.find(policy ? { 'policy.id': policy } : {}, {
    projection: {
      _id: 1,
      caseId: 1,
      subjectKey: 1,
      policy: 1,
      period: 1,
      outcome: 1,
      conditions: 1,
      missingFacts: 1,
      failedSources: 1,
      decidedAt: 1,
    },
    batchSize: 1000,
  });
  for await (const d of cursor) {
    const policyId = String(d.policy?.id);
    const key = benefitWorkflowId(policyId, String(d.subjectKey), String(d.period));
    const decidedAt = d.decidedAt as Date;
    const known = latest.get(key);
    if (known && known.decidedAt >= decidedAt) continue;
    latest.set(key, {
      key,
      decisionKey: String(d._id),
      caseId: String(d.caseId),
      subjectKey: String(d.subjectKey),
      policyId,
      policyVersion: Number(d.policy?.version),
      period: String(d.period),
      decidedAt,
      missingFacts: (d.missingFacts as string[]) ?? [],
      failedSources: ((d.failedSources as Array<{ source: string }>) ?? []).map((f) => f.source),
      outcome: String(d.outcome),
      likely: d.outcome === 'undetermined' && likelyEligible((d.conditions as ConditionResult[]) ?? []),
    });
  }
  return [...latest.values()]
    .filter((c) => c.likely)
    .map(({ outcome: _outcome, likely: _likely, ...candidate }) => candidate);
}

/** The subject-policy-period keys among `keys` that have a grant. */
async function grantedKeys(store: Connection, keys: string[]): Promise<Set<string>> {
  const { Grant } = registerModels(store);
  const found = new Set<string>();
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await Grant.collection
      .find({ _id: { $in: keys.slice(i, i + 500) } } as never, { projection: { _id: 1 } })
      .toArray();
    for (const row of rows) found.add(String(row._id));
  }
  return found;
}

/** Every group the query admits, with all its people, those still waiting first. */
async function buildGroups(
  deps: { store: Connection; policies: PolicySource },
  query: WorklistQuery,
): Promise<{ groups: OutreachGroup[]; people: number; waiting: number }> {
  const found = await candidates(deps.store, query.policy);
  const policyIds = [...new Set(found.map((c) => c.policyId))];
  const granted = await grantedKeys(
    deps.store,
    found.map((c) => c.key),
  );
  const { OutreachContact, DataRequest } = registerOutreachModels(deps.store);
  const contacted = new Set(
    (await OutreachContact.find({ policyId: { $in: policyIds } }, { _id: 1 }).lean()).map((c) => String(c._id)),
  );
  const requestsOf = new Map<string, DataRequest[]>();
  for (const request of await DataRequest.find({ policyId: { $in: policyIds } }).lean()) {
    const id = groupId(request.policyId, request.cause);
    requestsOf.set(id, [...(requestsOf.get(id) ?? []), request]);
  }

  const titles = new Map<string, { title: Text; department: Text }>();
  const groups = new Map<string, OutreachGroup>();
  const listed = new Set<string>();
  const waiting = new Set<string>();
  for (const c of found) {
    for (const cause of causesOf(c.missingFacts, c.failedSources)) {
      if (query.cause && cause.kind !== query.cause) continue;
      if (query.key && cause.key !== query.key) continue;
      const id = groupId(c.policyId, cause);
      let group = groups.get(id);
      if (!group) {
        if (!titles.has(c.policyId)) {
          const policy = await deps.policies.version(c.policyId, c.policyVersion);
          titles.set(c.policyId, {
            title: policy?.title ?? { zh: c.policyId, en: c.policyId },
            department: policy?.department ?? { zh: '', en: '' },
          });
        }
        const owner = causeOwner(cause);
        group = {
          id,
          policyId: c.policyId,
          policyTitle: titles.get(c.policyId)!.title,
          policyDepartment: titles.get(c.policyId)!.department,
          cause: { ...cause, label: owner.label },
          source: owner.source,
          department: owner.department,
          counts: { people: 0, granted: 0, contacted: 0, dataRequested: 0, waiting: 0 },
          people: [],
          dataRequests: (requestsOf.get(id) ?? [])
            .sort((a, b) => b.requestedAt.getTime() - a.requestedAt.getTime())
            .map((r) => ({
              id: String(r._id),
              day: r.day,
              status: r.status,
              people: r.subjectKeys.length,
              requestedByName: r.requestedByName,
            })),
        };
        groups.set(id, group);
      }
      const served = {
        granted: granted.has(c.key),
        contacted: contacted.has(outreachKey(c.policyId, c.subjectKey)),
        dataRequested: (requestsOf.get(id) ?? []).some((r) => r.subjectKeys.includes(c.subjectKey)),
      };
      const counts = group.counts;
      counts.people += 1;
      if (served.granted) counts.granted += 1;
      if (served.contacted) counts.contacted += 1;
      if (served.dataRequested) counts.dataRequested += 1;
      listed.add(c.key);
      if (!served.granted && !served.contacted && !served.dataRequested) {
        counts.waiting += 1;
        waiting.add(c.key);
      }
      group.people.push({
        subjectKey: c.subjectKey,
        caseId: c.caseId,
        decisionKey: c.decisionKey,
        period: c.period,
        decidedAt: c.decidedAt.toISOString(),
        missingFacts: c.missingFacts,
        failedSources: c.failedSources,
        served,
      });
    }
  }
  const rank = (p: OutreachPerson) => (p.served.granted ? 2 : p.served.contacted || p.served.dataRequested ? 1 : 0);
  const sorted = [...groups.values()].sort((a, b) => b.counts.waiting - a.counts.waiting || a.id.localeCompare(b.id));
  for (const group of sorted)
    group.people.sort(
      (a, b) => rank(a) - rank(b) || a.decidedAt.localeCompare(b.decidedAt) || a.caseId.localeCompare(b.caseId),
    );
  return { groups: sorted, people: listed.size, waiting: waiting.size };
}

/** The worklist, grouped by cause, each group's people paged (`limit`, from `offset`) and masked as staff see them. */
export async function readWorklist(
  deps: { store: Connection; policies: PolicySource },
  query: WorklistQuery = {},
): Promise<{ groups: OutreachGroup[]; totals: { groups: number; people: number; waiting: number }; readAt: string }> {
  const limit = Math.min(Math.max(query.limit ?? 20, 1), 100);
  const offset = Math.max(query.offset ?? 0, 0);
  const built = await buildGroups(deps, query);
  const groups: OutreachGroup[] = [];
  for (const group of built.groups) {
    const page = group.people.slice(offset, offset + limit);
    for (const person of page) Object.assign(person, await staffMaskedSubject(deps.store, person.subjectKey));
    groups.push({
      ...group,
      people: page,
      ...(offset + limit < group.people.length ? { nextOffset: offset + limit } : {}),
    });
  }
  return {
    groups,
    totals: { groups: groups.length, people: built.people, waiting: built.waiting },
    readAt: new Date().toISOString(),
  };
}

/** One group with every person in it, unpaged and unmasked (a bulk action's default), or undefined. */
export async function readGroup(
  deps: { store: Connection; policies: PolicySource },
  policyId: string,
  cause: OutreachCause,
): Promise<OutreachGroup | undefined> {
  const { groups } = await buildGroups(deps, { policy: policyId, cause: cause.kind, key: cause.key });
  return groups.find((g) => g.id === groupId(policyId, cause));
}

/** Every group of the worklist, unpaged (contacts find their people in it). */
export async function readAllGroups(
  deps: { store: Connection; policies: PolicySource },
  policy?: string,
): Promise<OutreachGroup[]> {
  return (await buildGroups(deps, policy ? { policy } : {})).groups;
}
