/**
 * The reads behind the programme metrics that are not plain counting: policy titles and
 * departments, which policies a filter admits, why undetermined decisions stayed open (from
 * the decisions and the cases' access records), and running cases from Temporal visibility.
 */
import type { Connection } from 'mongoose';
import type { Client } from '@temporalio/client';
import { findFact, findSource, type Text } from '../../domain/sources.js';
import type { PolicyCatalog } from '../../rules/catalog.js';
import type { registerAccessRecordModel } from '../../store/access-records.js';
import { registerModels } from '../../store/models.js';
import { REASON_LABELS, type Cause, type CauseReason } from './labels.js';

/** A policy's title and owning department. */
export interface PolicyInfo {
  title: Text;
  department: Text;
}

/** Titles and departments of every policy: officers' versions in the store first, then the shipped catalog. */
export async function policyDirectory(deps: {
  store: Connection;
  catalog: PolicyCatalog;
}): Promise<Map<string, PolicyInfo>> {
  const directory = new Map<string, PolicyInfo>();
  for (const policy of deps.catalog.policies)
    directory.set(policy.id, { title: policy.title, department: policy.department });
  const versions = registerModels(deps.store).PolicyVersion.collection.find(
    {},
    { projection: { policyId: 1, version: 1, title: 1, source: 1 }, sort: { _id: 1 } },
  );
  const latest = new Map<string, number>();
  for await (const doc of versions) {
    const id = String(doc.policyId);
    if ((latest.get(id) ?? 0) > Number(doc.version)) continue;
    try {
      const parsed = JSON.parse(String(doc.source)) as { department?: Text; title?: Text };
      if (parsed.department?.zh)
        directory.set(id, { title: parsed.title ?? (doc.title as Text), department: parsed.department });
      latest.set(id, Number(doc.version));
    } catch {
      // A draft whose text does not parse names no department: the catalog's (or none) stands.
    }
  }
  return directory;
}

export const UNKNOWN_DEPARTMENT: Text = { zh: '未知部门', en: 'Unknown department' };

/** The policy ids a filter admits (undefined: all), from the policy and department filters. */
export function admittedPolicies(
  filter: { policy?: string; department?: string },
  directory: Map<string, PolicyInfo>,
): string[] | undefined {
  if (!filter.policy && !filter.department) return undefined;
  const wanted = filter.department?.trim().toLowerCase();
  return [...directory.entries()]
    .filter(
      ([id, info]) =>
        (!filter.policy || id === filter.policy) &&
        (!wanted || info.department.zh.toLowerCase() === wanted || info.department.en.toLowerCase() === wanted),
    )
    .map(([id]) => id)
    .concat(filter.policy && !directory.has(filter.policy) && !wanted ? [filter.policy] : []);
}

/** Rows summed by department (keyed by its Chinese name), largest first by the first field. */
export function groupBy<T extends { department: Text }, K extends keyof T & string>(
  items: T[],
  department: (item: T) => Text,
  fields: K[],
): Array<{ department: Text } & Record<K, number>> {
  const groups = new Map<string, { department: Text } & Record<K, number>>();
  for (const item of items) {
    const dept = department(item);
    const group =
      groups.get(dept.zh) ??
      ({ department: dept, ...Object.fromEntries(fields.map((f) => [f, 0])) } as { department: Text } & Record<
        K,
        number
      >);
    for (const field of fields) (group as Record<K, number>)[field] += Number(item[field]);
    groups.set(dept.zh, group);
  }
  return [...groups.values()].sort(
    (a, b) => (b[fields[0]] as number) - (a[fields[0]] as number) || a.department.zh.localeCompare(b.department.zh),
  );
}

/**
 * Why each undetermined decision stayed open, per missing fact: its source failed (the decision
 * says so), or the case's access record for that source says it had no record or no value.
 */
export async function countCauses(
  Access: ReturnType<typeof registerAccessRecordModel>,
  batch: Array<{ caseId: string; policyId: string; missingFacts: string[]; failed: string[] }>,
  causes: Map<string, Cause>,
): Promise<void> {
  const wanted = new Set<string>();
  const items = batch.map((d) => {
    const facts = d.missingFacts.map((fact) => ({ fact, source: findFact(fact)?.source.id ?? '' }));
    const extra = d.failed
      .filter((source) => !facts.some((f) => f.source === source))
      .map((source) => ({ fact: '', source }));
    const all = facts.length + extra.length > 0 ? [...facts, ...extra] : [{ fact: '', source: '' }];
    for (const f of all)
      if (f.source && !d.failed.includes(f.source)) wanted.add(`${d.caseId}:facts:${d.policyId}:${f.source}`);
    return { d, all };
  });
  // The fact snapshot's pulls are keyed `<case>:facts:<policy>:<source>`: `_id` reads, which FerretDB serves from its index.
  const outcomes = new Map<string, string>();
  await Promise.all(
    [...wanted].map(async (key) => {
      const record = await Access.collection.findOne({ _id: key } as object, { projection: { outcome: 1 } });
      if (record) outcomes.set(key, String(record.outcome));
    }),
  );
  for (const { d, all } of items) {
    for (const { fact, source } of all) {
      const outcome = outcomes.get(`${d.caseId}:facts:${d.policyId}:${source}`);
      const reason: CauseReason = !source
        ? 'other'
        : d.failed.includes(source)
          ? 'source-failed'
          : outcome === 'not-found'
            ? 'no-record'
            : 'no-value';
      const key = `${source}|${fact}|${reason}`;
      const cause = causes.get(key) ?? {
        source,
        department: findSource(source)?.department ?? UNKNOWN_DEPARTMENT,
        fact,
        factLabel: findFact(fact)?.field.label ?? { zh: fact || '—', en: fact || '—' },
        reason,
        reasonLabel: REASON_LABELS[reason],
        count: 0,
      };
      cause.count += 1;
      causes.set(key, cause);
    }
  }
}

/** Life-event cases running on this deployment's task queue (Temporal visibility); undefined when it does not answer. */
export async function countRunning(deps: { temporal?: Client; taskQueue?: string }): Promise<number | undefined> {
  if (!deps.temporal || !deps.taskQueue) return undefined;
  try {
    return (
      await deps.temporal.workflow.count(
        `WorkflowType = 'lifeEvent' AND TaskQueue = '${deps.taskQueue.replace(/'/g, '')}' AND ExecutionStatus = 'Running'`,
      )
    ).count;
  } catch {
    return undefined;
  }
}
