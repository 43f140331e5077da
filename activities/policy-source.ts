/** The published policy catalog, as activities use it. */
import { findPolicyVersion, policiesInForce, type PolicyCatalog } from '../rules/catalog.js';
import type { Policy } from '../rules/types.js';
import type { PolicySource } from './case.js';

/** In force: the latest version of each policy effective on `asOf` that this trigger starts for this kind of subject. */
export function catalogPolicySource(catalog: PolicyCatalog): PolicySource {
  return {
    inForce: (trigger, asOf, subject) => policiesInForce(catalog, trigger, asOf).filter((policy) => policy.subject === subject),
    version: (id, version) => findPolicyVersion(catalog, id, version),
  };
}

/** A source over a fixed list of versions (tests, simulations). */
export function staticPolicySource(policies: readonly Policy[]): PolicySource {
  return catalogPolicySource({ policies });
}
