/**
 * The shipped policy catalog: `rules/policies/<id>/v<N>.json`, every file validated and its
 * name checked against the id and version inside, and the lookups a life-event case needs
 * (which policies are in force for a trigger on a date; a pinned id and version).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PolicyCatalogError, PolicyValidationError, type CatalogProblem } from './errors.js';
import type { Policy } from './types.js';
import { validatePolicy } from './validate.js';

/** Where the shipped policies live. */
export const POLICY_DIR = fileURLToPath(new URL('./policies/', import.meta.url));

/** Every valid policy version on disk, sorted by id then version. */
export interface PolicyCatalog {
  readonly policies: readonly Policy[];
}

const VERSION_FILE = /^v([1-9]\d*)\.json$/;

/** Loads and validates every policy version under `dir`; throws PolicyCatalogError (POLICY_CATALOG_INVALID) listing all problems. */
export async function loadPolicyCatalog(dir: string = POLICY_DIR): Promise<PolicyCatalog> {
  const problems: CatalogProblem[] = [];
  const policies: Policy[] = [];
  const folders = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  for (const folder of folders) {
    for (const name of (await readdir(join(dir, folder))).sort()) {
      const file = `${folder}/${name}`;
      const version = VERSION_FILE.exec(name);
      if (!version) {
        problems.push({ file, path: '(file)', message: 'policy files are named v<N>.json, e.g. v1.json' });
        continue;
      }
      let policy: Policy;
      try {
        policy = validatePolicy(JSON.parse(await readFile(join(dir, file), 'utf8')));
      } catch (error) {
        if (error instanceof PolicyValidationError) problems.push(...error.issues.map((issue) => ({ file, ...issue })));
        else problems.push({ file, path: '(file)', message: `not readable JSON: ${(error as Error).message}` });
        continue;
      }
      if (policy.id !== folder)
        problems.push({ file, path: 'id', message: `"${policy.id}" does not match its folder "${folder}"` });
      else if (policy.version !== Number(version[1]))
        problems.push({ file, path: 'version', message: `${policy.version} does not match the file name ${name}` });
      else policies.push(policy);
    }
  }
  if (problems.length > 0) throw new PolicyCatalogError(problems);
  policies.sort((a, b) => (a.id === b.id ? a.version - b.version : a.id < b.id ? -1 : 1));
  return { policies };
}

/** Whether a policy version's effective range contains the date (both ends inclusive). */
export function isInForce(policy: Policy, asOf: string): boolean {
  return policy.effective.from <= asOf && (policy.effective.to === undefined || asOf <= policy.effective.to);
}

/** For each policy started by `trigger` (any policy when undefined), the latest version in force on `asOf`; sorted by id. */
export function policiesInForce(catalog: PolicyCatalog, trigger: string | undefined, asOf: string): Policy[] {
  const latest = new Map<string, Policy>();
  for (const policy of catalog.policies) {
    if ((trigger !== undefined && !policy.triggers.includes(trigger)) || !isInForce(policy, asOf)) continue;
    const current = latest.get(policy.id);
    if (!current || policy.version > current.version) latest.set(policy.id, policy);
  }
  return [...latest.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** The exact version a case pinned, or undefined when the catalog does not hold it. */
export function findPolicyVersion(catalog: PolicyCatalog, id: string, version: number): Policy | undefined {
  return catalog.policies.find((policy) => policy.id === id && policy.version === version);
}
