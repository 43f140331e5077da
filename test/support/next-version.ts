/**
 * The version number a draft of a shipped policy gets: one past the highest shipped version
 * (services/policies/lifecycle.ts numbers drafts so). Tests that draft a new version read it
 * here instead of writing "2", which a shipped v2 would turn into a published version.
 */
import { loadPolicyCatalog } from '../../rules/catalog.js';

const shipped = (await loadPolicyCatalog()).policies;

/** The highest shipped version of a policy (0 when none is shipped). */
export function latestShippedVersion(policyId: string): number {
  return Math.max(0, ...shipped.filter((policy) => policy.id === policyId).map((policy) => policy.version));
}

/** The version the next draft of a shipped policy is numbered. */
export function nextDraftVersion(policyId: string): number {
  return latestShippedVersion(policyId) + 1;
}
