/**
 * Fact tables (issue 18, item 2): the statutory retirement age of the 2025 reform as a cohort table
 * keyed by birth month, sex and post category (rules/examples/statutory-retirement-service). Its
 * decisions are compared with an independent reading of the law's article 1 on thousands of
 * subjects and dates, its explanation names the row used and stays small, and the validator finds
 * a table's gaps and overlaps by path.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Random } from '../../../infra/seed/random.js';
import { compilePolicy } from '../../../rules/compiled.js';
import { evaluatePolicy, policyFactKeys } from '../../../rules/engine.js';
import { explainPolicy, outsideEffective } from '../../../rules/explain-subject.js';
import { expectsNotInForce, type Policy } from '../../../rules/types.js';
import { validatePolicy } from '../../../rules/validate.js';
import { issuesOf } from '../../../services/policies/lifecycle.js';
import { diffAgainstEngine, messages } from './differential.js';

const FILE = new URL('../../../rules/examples/statutory-retirement-service/v1.json', import.meta.url);
const retirement: Policy = validatePolicy(JSON.parse(readFileSync(FILE, 'utf8')));

/**
 * The law read independently (国务院关于渐进式延迟法定退休年龄的办法 第一条): from an original age and
 * the first cohort's birth month, one month more every `step` months of birth, up to `extra` months.
 */
function statutoryMonths(birth: string, gender: string, post: string | undefined): number {
  const [base, firstYear, step, extra] =
    gender === 'male' ? [720, 1965, 4, 36] : post === 'cadre' ? [660, 1970, 4, 36] : [600, 1975, 2, 60];
  const sinceStart = (Number(birth.slice(0, 4)) - firstYear) * 12 + Number(birth.slice(5, 7)) - 1;
  return base + (sinceStart < 0 ? 0 : Math.min(extra, Math.floor(sinceStart / step) + 1));
}

/** The day the age of `months` is reached: the birth day that many months on, or the 1st after a month too short for it. */
function reachedOn(birth: string, months: number): string {
  const total = Number(birth.slice(0, 4)) * 12 + Number(birth.slice(5, 7)) - 1 + months;
  const [year, month, day] = [Math.floor(total / 12), (total % 12) + 1, Number(birth.slice(8, 10))];
  const length = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const date = day <= length ? new Date(Date.UTC(year, month - 1, day)) : new Date(Date.UTC(year, month, 1));
  return date.toISOString().slice(0, 10);
}

const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

describe('the statutory retirement age as a cohort table', () => {
  it.each(retirement.tests)('$name', async (test) => {
    if (expectsNotInForce(test.expect)) return expect(outsideEffective(retirement, test.asOf)).toBeDefined();
    const decision = await evaluatePolicy(retirement, test.facts, test.asOf);
    expect(decision.outcome).toBe(test.expect.outcome);
    if (test.expect.missingFacts) expect(decision.missingFacts).toEqual(test.expect.missingFacts);
  });

  it('agrees with an independent reading of the law for 6,000 subjects born 1960–1990, each judged the day before, on and after their date', () => {
    const random = new Random('retirement-law');
    const disagreements: string[] = [];
    const compiled = new Map<string, ReturnType<typeof compilePolicy>>();
    for (let i = 0; i < 2_000; i += 1) {
      const birth = iso(Date.UTC(1960, 0, 1) + random.int(0, 30 * 365) * 86_400_000);
      const gender = random.pick(['male', 'female']);
      const post = random.pick(['worker', 'cadre']);
      const due = reachedOn(birth, statutoryMonths(birth, gender, gender === 'male' ? undefined : post));
      for (const [offset, expected] of [
        [-1, 'ineligible'],
        [0, 'eligible'],
        [1, 'eligible'],
      ] as const) {
        const asOf = iso(Date.parse(due) + offset * 86_400_000);
        if (asOf < retirement.effective.from) continue;
        const evaluator = compiled.get(asOf) ?? compilePolicy(retirement, asOf, { precompute: false });
        compiled.set(asOf, evaluator);
        const facts = {
          'person.birthDate': birth,
          'person.gender': gender,
          'person.postCategory': post,
          'person.pensionInsured': true,
          'person.employmentStatus': 'employed',
        };
        const outcome = evaluator.decide(facts).outcome;
        if (outcome !== expected) disagreements.push(`${gender} ${post} born ${birth} on ${asOf}: ${outcome}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('names the row used in the explanation, and stays small', () => {
    const facts = {
      'person.birthDate': '1965-07-31',
      'person.gender': 'male',
      'person.postCategory': 'worker',
      'person.pensionInsured': true,
      'person.employmentStatus': 'employed',
    };
    const explained = explainPolicy(retirement, facts, '2025-09-30');
    expect(explained.decision.outcome).toBe('ineligible');
    const leaf = explained.decision.conditions.find((c) => 'operator' in c && c.operator === 'ageMonthsAtLeast');
    expect(leaf).toMatchObject({
      value: 722,
      tableRow: {
        parameter: 'statutoryRetirementAgeMonths',
        row: 3,
        when: { 'person.birthDate': { from: '1965-05', to: '1965-08' }, 'person.gender': 'male' },
        value: 722,
      },
      actual: { zh: '60 岁 1 个月（出生于 1965-07-31）' },
    });
    expect(explained.summary.zh).toContain('参数表 statutoryRetirementAgeMonths 第 3 行');
    expect(explained.summary.en).toContain('row 3 (date of birth 1965-05~1965-08, gender male): 722');
    expect(explained.nextChange).toEqual({ date: '2025-10-01', outcome: 'eligible' });
    // The issue's generated conditions explained in 231 KB; the table's explanation is a few KB.
    expect(JSON.stringify(explained).length).toBeLessThan(8_000);
  });

  it('withholds a real subject’s table leaf when the row it used is keyed by a sensitive fact', () => {
    const graded = validatePolicy({
      ...structuredClone(retirement),
      facts: {
        'person.birthDate': retirement.facts['person.birthDate'],
        'person.pensionInsured': retirement.facts['person.pensionInsured'],
        'person.employmentStatus': retirement.facts['person.employmentStatus'],
        'person.disabilityGrade': { source: 'disability-federation', purpose: 'an earlier age by grade' },
      },
      parameters: {
        statutoryRetirementAgeMonths: [
          {
            from: '2025-01-01',
            value: {
              keys: ['person.disabilityGrade'],
              rows: [
                { when: { 'person.disabilityGrade': { below: 3 } }, value: 600 },
                { when: { 'person.disabilityGrade': { from: 3 } }, value: 720 },
              ],
            },
          },
        ],
      },
      tests: [
        {
          name: 'a resident of grade two is due at fifty',
          asOf: '2025-06-01',
          facts: {},
          expect: { outcome: 'undetermined' },
        },
      ],
    }) as Policy;
    const facts = { 'person.birthDate': '1970-01-01', 'person.disabilityGrade': 2, 'person.pensionInsured': true };
    const explained = explainPolicy(graded, { ...facts, 'person.employmentStatus': 'employed' }, '2025-06-01', {
      withholdSensitive: true,
    });
    const leaf = explained.decision.conditions.find((c) => c.name === 'reachedRetirementAge');
    expect(leaf).toEqual(expect.objectContaining({ withheld: true }));
    expect(JSON.stringify(explained)).not.toContain('below');
    expect(policyFactKeys(graded)).toContain('person.disabilityGrade');
  });

  it('waits for the post category only where the row depends on it', async () => {
    const woman = { 'person.birthDate': '1972-03-01', 'person.gender': 'female', 'person.pensionInsured': true };
    const undetermined = await evaluatePolicy(
      retirement,
      { ...woman, 'person.employmentStatus': 'employed' },
      '2030-01-01',
    );
    expect(undetermined).toMatchObject({ outcome: 'undetermined', missingFacts: ['person.postCategory'] });
    const leaf = undetermined.conditions.find((c) => c.operator === 'ageMonthsAtLeast');
    expect(leaf).toMatchObject({ result: 'unknown', value: { parameter: 'statutoryRetirementAgeMonths' } });
    expect(leaf?.tableRow).toBeUndefined();
    const noSex = await evaluatePolicy(
      retirement,
      { 'person.birthDate': '1972-03-01', 'person.pensionInsured': true },
      '2030-01-01',
    );
    expect(noSex.missingFacts).toEqual(['person.employmentStatus', 'person.gender', 'person.postCategory']);
  });

  it('compiles to the same decisions as json-rules-engine on 5,000 fact sets around the cohorts’ edges', async () => {
    const asOfs = ['2025-01-01', '2025-05-30', '2027-03-31', '2030-02-28', '2032-02-29', '2039-12-31', '2040-01-01'];
    const report = await diffAgainstEngine(retirement, { sets: 5_000, seed: 'cohort-table', asOfs });
    expect(messages(report)).toEqual([]);
    for (const outcome of ['eligible', 'ineligible', 'undetermined'])
      expect(report.tally[outcome] ?? 0, outcome).toBeGreaterThanOrEqual(100);
  }, 120_000);
});

/** A small table keyed by a number fact (disability grade) and a string fact, for the validator's paths. */
function gradeTable(rows: unknown[]): unknown {
  const base = structuredClone(retirement) as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  base.facts['person.disabilityGrade'] = { source: 'disability-federation', purpose: 'the row' };
  base.parameters.statutoryRetirementAgeMonths = [
    { from: '2025-01-01', value: { keys: ['person.disabilityGrade', 'person.gender'], rows } },
  ];
  delete base.facts['person.postCategory'];
  return base;
}

describe('a fact table the validator refuses', () => {
  const at = (document: unknown, path: string): string[] =>
    issuesOf(document)
      .filter((issue) => issue.path === path)
      .map((issue) => issue.message);
  const rows = 'parameters.statutoryRetirementAgeMonths[0].value.rows';

  it('accepts rows that cover every grade and sex exactly once', () => {
    const table = gradeTable([
      { when: { 'person.disabilityGrade': { below: 3 } }, value: 600 },
      { when: { 'person.disabilityGrade': { from: 3 }, 'person.gender': 'male' }, value: 720 },
      { when: { 'person.disabilityGrade': { from: 3 }, 'person.gender': 'female' }, value: 660 },
    ]);
    expect(issuesOf(table).filter((issue) => issue.path.startsWith('parameters'))).toEqual([]);
  });

  it('names a gap by the values no row covers', () => {
    const table = gradeTable([
      { when: { 'person.disabilityGrade': { to: 2 } }, value: 600 },
      { when: { 'person.disabilityGrade': { from: 3 }, 'person.gender': 'male' }, value: 720 },
      { when: { 'person.disabilityGrade': { from: 3 }, 'person.gender': ['female'] }, value: 660 },
    ]);
    expect(at(table, rows)).toContain('no row covers person.disabilityGrade = 2.5, person.gender = male');
  });

  it('names the second of two overlapping rows', () => {
    const table = gradeTable([
      { when: { 'person.disabilityGrade': { to: 2 } }, value: 600 },
      { when: { 'person.disabilityGrade': { from: 2 } }, value: 720 },
    ]);
    expect(at(table, `${rows}[1]`)).toEqual([
      'overlaps row 1 (both cover person.disabilityGrade = 2, person.gender = male)',
    ]);
  });

  it('names a match of the wrong form for its fact, and a key the policy does not declare', () => {
    const table = gradeTable([
      { when: { 'person.disabilityGrade': '1-2' }, value: 600 },
      { when: { 'person.gender': 'other' }, value: 'sixty' },
      { when: { 'person.birthDate': { from: '1965-1' } }, value: 1 },
    ]) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    table.parameters.statutoryRetirementAgeMonths[0].value.keys.push('person.hukouSince');
    expect(at(table, `${rows}[0].when["person.disabilityGrade"]`)[0]).toContain('a number fact is matched by a number');
    expect(at(table, `${rows}[1].when["person.gender"]`)[0]).toContain(
      'not among the fact\u2019s values'.replace('\u2019', "'"),
    );
    expect(at(table, `${rows}[1].value`)).toEqual(['must be a number']);
    expect(at(table, `${rows}[2].when["person.birthDate"]`)[0]).toContain('is not one of the table');
    expect(at(table, 'parameters.statutoryRetirementAgeMonths[0].value.keys[2]')).toEqual([
      'fact "person.hukouSince" is not declared in facts',
    ]);
  });
});
