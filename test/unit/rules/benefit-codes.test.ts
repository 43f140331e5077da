/**
 * Benefit codes: a policy's benefit names a code from the list of benefits, of its own kind;
 * the format rejects an unlisted code and one of another kind, each at `benefit.code`. Shipped
 * versions are mapped by policy id and not edited, so their content hashes — pinned by running
 * cases and recorded histories — stay as they were; a version that names a code hashes it.
 */
import { describe, expect, it } from 'vitest';
import { BENEFIT_CODES, BENEFIT_CODE_PATTERN, SHIPPED_BENEFIT_CODES } from '../../../domain/benefit-codes.js';
import { loadPolicyCatalog } from '../../../rules/catalog.js';
import { PolicyValidationError } from '../../../rules/errors.js';
import { canonicalJson, policyHash } from '../../../rules/policy-hash.js';
import { checkPolicySchema } from '../../../rules/policy-schema.js';
import type { Policy } from '../../../rules/types.js';
import { validatePolicy } from '../../../rules/validate.js';

const shipped = (await loadPolicyCatalog()).policies;
const card = () => structuredClone(shipped.find((p) => p.id === 'senior-preferential-card')!);

function issuesOf(document: unknown) {
  try {
    validatePolicy(document);
    return [];
  } catch (error) {
    if (error instanceof PolicyValidationError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
}

describe('the list of benefits', () => {
  it('has unique, well-formed codes, each with a name in both languages', () => {
    expect(new Set(BENEFIT_CODES.map((c) => c.code)).size).toBe(BENEFIT_CODES.length);
    for (const entry of BENEFIT_CODES) {
      expect(entry.code).toMatch(BENEFIT_CODE_PATTERN);
      expect(entry.name.zh && entry.name.en).toBeTruthy();
    }
    for (const code of Object.values(SHIPPED_BENEFIT_CODES)) expect(BENEFIT_CODES.map((c) => c.code)).toContain(code);
  });
});

describe('benefit.code in a policy', () => {
  it('is valid when listed and of the benefit’s kind, in the validator and the published schema', () => {
    const policy = card();
    policy.benefit.code = 'ELDER-CARD';
    expect(issuesOf(policy)).toEqual([]);
    expect(checkPolicySchema(policy)).toEqual([]);
  });

  it('is refused at benefit.code when unlisted, malformed or of another kind', () => {
    const unlisted = card();
    unlisted.benefit.code = 'ELDER-PASS';
    expect(issuesOf(unlisted)).toEqual([expect.stringMatching(/^benefit\.code: "ELDER-PASS" is not in the list/)]);
    const malformed = card();
    malformed.benefit.code = 'elder card';
    expect(issuesOf(malformed)).toEqual([expect.stringMatching(/^benefit\.code: must be a benefit code/)]);
    expect(checkPolicySchema(malformed).map((i) => i.path)).toEqual(['benefit.code']);
    const otherKind = card();
    otherKind.benefit.code = 'ELDER-ALLOWANCE';
    expect(issuesOf(otherKind)).toEqual([
      expect.stringContaining(
        '"ELDER-ALLOWANCE" (old-age allowance) is a cash benefit, but this benefit\'s kind is card',
      ),
    ]);
  });

  it('leaves a shipped version’s content and hash as they are, and is hashed when a version names it', () => {
    for (const policy of shipped) expect(canonicalJson(policy)).not.toContain('"code"');
    const named = { ...card(), benefit: { ...card().benefit, code: 'ELDER-CARD' } } as Policy;
    expect(policyHash(named)).not.toBe(policyHash(card()));
  });
});
