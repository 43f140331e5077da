/**
 * The port through which the pipeline reads published policies (in force by trigger and date, or
 * a pinned version), with sources over the shipped catalog and over a fixed list. The store's
 * source (store/policy-source.ts) is what deployments use.
 */
import type { SubjectKind } from '../domain/sources.js';
import { findPolicyVersion, policiesInForce, type PolicyCatalog } from './catalog.js';
import type { Policy } from './types.js';

/** The published policies an activity or service may use: in force by trigger and date, or by pinned version. */
export interface PolicySource {
  inForce(trigger: string, asOf: string, subject: SubjectKind): Promise<Policy[]>;
  /** The latest version of every policy in force on `asOf`, whatever starts it (sweeps). */
  allInForce(asOf: string): Promise<Policy[]>;
  version(id: string, version: number): Promise<Policy | undefined>;
}

/** In force: the latest version of each policy effective on `asOf` that this trigger starts for this kind of subject. */
export function catalogPolicySource(catalog: PolicyCatalog): PolicySource {
  return {
    inForce: async (trigger, asOf, subject) =>
      policiesInForce(catalog, trigger, asOf).filter((policy) => policy.subject === subject),
    allInForce: async (asOf) => policiesInForce(catalog, undefined, asOf),
    version: async (id, version) => findPolicyVersion(catalog, id, version),
  };
}

/** A source over a fixed list of versions (tests, simulations). */
export function staticPolicySource(policies: readonly Policy[]): PolicySource {
  return catalogPolicySource({ policies });
}
