/**
 * The facts a reviewer supplies are checked before a review completes (services/review/supplied-facts.ts):
 * each problem names the fact and the path at fault, in both languages.
 */
import { describe, expect, it } from 'vitest';
import type { SuppliedFact } from '../../domain/tasks.js';
import { loadPolicyCatalog, findPolicyVersion } from '../../rules/catalog.js';
import {
  checkSuppliedFacts,
  suppliedFactsMessage,
  suppliedFactsRefusal,
} from '../../services/review/supplied-facts.js';

const catalog = await loadPolicyCatalog();
const childcare = findPolicyVersion(catalog, 'childcare-subsidy', 1)!;
const disability = findPolicyVersion(catalog, 'disability-living-subsidy', 1)!;
const seen = { kind: 'document-at-window', reference: '出生医学证明 N371400123' } as const;
const fact = (name: string, value: unknown, provenance: unknown = seen) =>
  ({ fact: name, value, provenance }) as SuppliedFact;

describe('facts a reviewer supplies', () => {
  it('accepts a birth date seen on the birth certificate at the window, and a hukou from the department’s reply', () => {
    expect(
      checkSuppliedFacts(childcare, [
        fact('person.birthDate', '2026-02-02'),
        fact('person.localHukou', true, {
          kind: 'department-reply',
          reference: '德公复〔2026〕12号',
          note: '书面回复',
        }),
      ]),
    ).toEqual([]);
  });

  it.each([
    ['a birth date given as a number', childcare, fact('person.birthDate', 20260202), 'facts[0].value', /YYYY-MM-DD/],
    ['a day that is not in the calendar', childcare, fact('person.birthDate', '2026-02-30'), 'facts[0].value', /date/],
    ['a hukou given as the word yes', childcare, fact('person.localHukou', 'yes'), 'facts[0].value', /true or false/],
    ['a disability grade out of its range', disability, fact('person.disabilityGrade', 7), 'facts[0].value', /1 to 4/],
    ['no value at all', childcare, fact('person.birthDate', null), 'facts[0].value', /date/],
  ])('refuses %s as INVALID_FACTS naming the fact', (_name, policy, supplied, path, message) => {
    const [problem, ...rest] = checkSuppliedFacts(policy, [supplied]);
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ code: 'INVALID_FACTS', fact: supplied.fact, path });
    expect(problem.message).toMatch(message);
    expect(problem.message).toContain(supplied.fact);
    expect(problem.messageZh).not.toBe('');
  });

  it('refuses a fact the policy does not read as UNKNOWN_FACT, even one the catalog knows', () => {
    expect(checkSuppliedFacts(childcare, [fact('person.disabilityGrade', 2), fact('person.shoeSize', 42)])).toEqual([
      expect.objectContaining({ code: 'UNKNOWN_FACT', fact: 'person.disabilityGrade', path: 'facts[0].fact' }),
      expect.objectContaining({ code: 'UNKNOWN_FACT', fact: 'person.shoeSize', path: 'facts[1].fact' }),
    ]);
  });

  it('refuses an identifier: a resident ID would travel in the workflow’s input', () => {
    const policy = {
      id: 'guardian-check',
      version: 1,
      facts: { 'person.guardianIdNumber': { source: 'x', purpose: 'y' } },
    };
    expect(checkSuppliedFacts(policy, [fact('person.guardianIdNumber', '371402199001011234')])).toEqual([
      expect.objectContaining({ code: 'INVALID_FACTS', fact: 'person.guardianIdNumber', path: 'facts[0].fact' }),
    ]);
  });

  it('refuses a fact supplied twice, and a provenance without a kind it knows or a reference', () => {
    const problems = checkSuppliedFacts(childcare, [
      fact('person.birthDate', '2026-02-02'),
      fact('person.birthDate', '2026-02-03', { kind: 'hearsay', reference: ' ' }),
    ]);
    expect(problems.map((p) => [p.fact, p.path])).toEqual([
      ['person.birthDate', 'facts[1].fact'],
      ['person.birthDate', 'facts[1].provenance.kind'],
      ['person.birthDate', 'facts[1].provenance.reference'],
    ]);
    expect(suppliedFactsMessage(problems).en).toContain('facts[1].provenance.reference: person.birthDate:');
  });

  it('refuses an empty list and a fact without provenance', () => {
    expect(checkSuppliedFacts(childcare, [])).toEqual([expect.objectContaining({ path: 'facts' })]);
    expect(checkSuppliedFacts(childcare, [{ fact: 'person.localHukou', value: true } as SuppliedFact])).toEqual([
      expect.objectContaining({ fact: 'person.localHukou', path: 'facts[0].provenance' }),
    ]);
  });

  it('becomes one refusal for the API: UNKNOWN_FACT when any fact is not the policy’s, every problem an issue', () => {
    const refusal = suppliedFactsRefusal(
      checkSuppliedFacts(childcare, [fact('person.birthDate', 'soon'), fact('person.disabilityGrade', 2)]),
    );
    expect(refusal).toMatchObject({ code: 'UNKNOWN_FACT', kind: 'invalid', field: 'facts[0].value' });
    expect(refusal.issues?.map((issue) => issue.path)).toEqual(['facts[0].value', 'facts[1].fact']);
    expect(refusal.message).toContain('person.birthDate');
    expect(suppliedFactsRefusal(checkSuppliedFacts(childcare, [fact('person.localHukou', 1)])).code).toBe(
      'INVALID_FACTS',
    );
  });
});
