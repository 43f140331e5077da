/**
 * The content hash a running case pins (DESIGN.md: "a running case pins the policy id,
 * version and content hash"): sha256 over canonical JSON, so key order and whitespace in the
 * file never change it, while any change of content does.
 */
import { createHash } from 'node:crypto';
import type { Policy, PolicyRef } from './types.js';

/** JSON with object keys sorted at every depth; undefined members are dropped as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : sortKeys(item)));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined) sorted[key] = sortKeys(member);
    }
    return sorted;
  }
  return value;
}

const hashes = new WeakMap<Policy, string>();

/** sha256 (hex) of the policy's canonical JSON; memoised per object, so treat policies as immutable. */
export function policyHash(policy: Policy): string {
  let hash = hashes.get(policy);
  if (hash === undefined) {
    hash = createHash('sha256').update(canonicalJson(policy)).digest('hex');
    hashes.set(policy, hash);
  }
  return hash;
}

/** The id, version and content hash a case pins. */
export function policyRef(policy: Policy): PolicyRef {
  return { id: policy.id, version: policy.version, hash: policyHash(policy) };
}
