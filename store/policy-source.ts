/** The published policies in the store, as the pipeline and the services read them. */
import type { Connection } from 'mongoose';
import { policiesInForce, type PolicyCatalog } from '../rules/catalog.js';
import { policyVersionId, registerPolicyModels } from './policy-versions.js';
import type { Policy } from '../rules/types.js';
import type { PolicySource } from '../rules/policy-source.js';

/**
 * The published policies in the store (policy_versions), as the pipeline uses them. The
 * set in force is re-read at most every `refreshMs` (publishing reaches running workers
 * within that time); a pinned version is read once and kept, since published content
 * never changes. Retired versions are out of force but still resolve for cases that pinned them.
 */
export function storePolicySource(store: Connection, options: { refreshMs?: number } = {}): PolicySource {
  const { PolicyVersion } = registerPolicyModels(store);
  const refreshMs = options.refreshMs ?? 2000;
  const pinned = new Map<string, Policy>();
  let published: { at: number; catalog: Promise<PolicyCatalog> } | undefined;

  const parse = (source: string) => JSON.parse(source) as Policy;
  const current = (): Promise<PolicyCatalog> => {
    if (!published || Date.now() - published.at > refreshMs) {
      const catalog = PolicyVersion.find({ status: 'published' }, { source: 1 })
        .lean()
        .then((records) => ({ policies: records.map((record) => parse(record.source)) }));
      published = { at: Date.now(), catalog };
      catalog.catch(() => (published = undefined));
    }
    return published.catalog;
  };

  return {
    inForce: async (trigger, asOf, subject) =>
      policiesInForce(await current(), trigger, asOf).filter((policy) => policy.subject === subject),
    allInForce: async (asOf) => policiesInForce(await current(), undefined, asOf),
    version: async (id, version) => {
      const key = policyVersionId(id, version);
      const known = pinned.get(key);
      if (known) return known;
      const record = await PolicyVersion.findOne(
        { _id: key, status: { $in: ['published', 'retired'] } },
        { source: 1 },
      ).lean();
      if (!record) return undefined;
      const policy = parse(record.source);
      pinned.set(key, policy);
      return policy;
    },
  };
}
