/**
 * The list of matters as data: the shipped starter list is a real city's list (enough matters,
 * every replacement method used, valid against the catalog, claims and certificate types), and
 * validateMatterList finds each problem at the path of the field at fault — including the seeds'
 * 只增不减 against the version in force — and listIsStale flags a list older than six months.
 */
import { describe, expect, it } from 'vitest';
import { REPLACEMENT_METHODS, type Matter, type MatterList } from '../../domain/matters.js';
import { STARTER_MATTER_LIST, STARTER_MATTERS } from '../../domain/matters-starter.js';
import { listIsStale, sixMonthsAfter, validateMatterList } from '../../domain/matters-validate.js';

const copy = (): { version: number; matters: Matter[] } => structuredClone({ ...STARTER_MATTER_LIST }) as never;
const codes = (list: unknown, previous?: MatterList) => validateMatterList(list, previous).map((p) => p.code);

describe('the starter list of matters', () => {
  it('holds at least 20 matters for people and 10 for firms, each proof replaced by every method somewhere', () => {
    expect(STARTER_MATTERS.filter((m) => m.subject === 'person').length).toBeGreaterThanOrEqual(20);
    expect(STARTER_MATTERS.filter((m) => m.subject === 'enterprise').length).toBeGreaterThanOrEqual(10);
    const used = new Set(STARTER_MATTERS.flatMap((m) => m.proofs.map((p) => p.replacement.method)));
    expect([...used].sort()).toEqual([...REPLACEMENT_METHODS].sort());
  });

  it('keeps the three matters carried end to end first', () => {
    expect(STARTER_MATTERS.slice(0, 3).map((m) => m.id)).toEqual([
      'home-care-service-subsidy',
      'public-rental-housing',
      'enterprise-hiring-subsidy',
    ]);
  });

  it('validates clean, alone and against itself', () => {
    expect(validateMatterList(STARTER_MATTER_LIST)).toEqual([]);
    expect(validateMatterList(STARTER_MATTER_LIST, STARTER_MATTER_LIST)).toEqual([]);
  });
});

describe('validateMatterList', () => {
  it('names an unknown fact in a field and in a sharing replacement', () => {
    const list = copy();
    list.matters[0] = { ...list.matters[0], fields: [{ ...list.matters[0].fields[0], fact: 'person.shoeSize' }] };
    const problems = validateMatterList(list);
    expect(problems).toContainEqual(
      expect.objectContaining({ code: 'UNKNOWN_FACT', path: 'matters[0].fields[0].fact' }),
    );
    const sharing = copy();
    sharing.matters[1].proofs = [
      { ...sharing.matters[1].proofs[0], replacement: { method: 'sharing', facts: ['person.nope'] } },
    ];
    expect(validateMatterList(sharing)).toContainEqual(
      expect.objectContaining({ code: 'UNKNOWN_FACT', path: 'matters[1].proofs[0].replacement.facts[0]' }),
    );
  });

  it('names an unknown claim, and a claim or fact about the wrong kind of subject', () => {
    const list = copy();
    list.matters[0].claims = ['no-such-claim', 'tax-credit-a-or-b'];
    list.matters[2].fields = [
      { id: 'birth', label: { zh: '出生', en: 'Birth' }, fact: 'person.birthDate', required: true },
    ];
    const problems = validateMatterList(list);
    expect(problems).toContainEqual(expect.objectContaining({ code: 'UNKNOWN_CLAIM', path: 'matters[0].claims[0]' }));
    expect(problems).toContainEqual(expect.objectContaining({ code: 'WRONG_SUBJECT', path: 'matters[0].claims[1]' }));
    expect(problems).toContainEqual(
      expect.objectContaining({ code: 'WRONG_SUBJECT', path: 'matters[2].fields[0].fact' }),
    );
  });

  it('asks a verified claim to be among the matter’s claims', () => {
    const list = copy();
    list.matters[0].claims = ['local-hukou'];
    expect(validateMatterList(list)).toContainEqual(
      expect.objectContaining({ code: 'CLAIM_NOT_LISTED', path: 'matters[0].proofs[2].replacement.claim' }),
    );
  });

  it('names an unknown certificate type', () => {
    const list = copy();
    list.matters[0].proofs = [
      { ...list.matters[0].proofs[1], replacement: { method: 'certificate', certificateType: 'hunting-licence' } },
    ];
    const [problem] = validateMatterList(list);
    expect(problem).toMatchObject({
      code: 'UNKNOWN_CERTIFICATE_TYPE',
      path: 'matters[0].proofs[0].replacement.certificateType',
    });
    expect(problem.messageZh).toContain('hunting-licence');
  });

  it('names duplicate and badly formed IDs, a non-positive time limit, a field with no source', () => {
    const list = copy();
    list.matters[1] = { ...list.matters[1], id: list.matters[0].id };
    list.matters[3] = { ...list.matters[3], id: 'Bad_ID', timeLimitWorkingDays: 0 };
    list.matters[4] = {
      ...list.matters[4],
      fields: [{ id: 'note', label: { zh: '备注', en: 'Note' }, required: false }],
      proofs: [list.matters[4].proofs[0], list.matters[4].proofs[0]],
    };
    const problems = validateMatterList(list);
    expect(problems).toContainEqual(expect.objectContaining({ code: 'DUPLICATE_ID', path: 'matters[1].id' }));
    expect(problems).toContainEqual(expect.objectContaining({ code: 'BAD_ID', path: 'matters[3].id' }));
    expect(problems).toContainEqual(
      expect.objectContaining({ code: 'BAD_TIME_LIMIT', path: 'matters[3].timeLimitWorkingDays' }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ code: 'FIELD_WITHOUT_SOURCE', path: 'matters[4].fields[0]' }),
    );
    expect(problems).toContainEqual(expect.objectContaining({ code: 'DUPLICATE_ID', path: 'matters[4].proofs[1].id' }));
  });

  it('keeps the IDs the API’s paths take for themselves', () => {
    const list = copy();
    list.matters[5] = { ...list.matters[5], id: 'versions' };
    expect(validateMatterList(list)).toEqual([expect.objectContaining({ code: 'BAD_ID', path: 'matters[5].id' })]);
  });

  it('refuses what is not a list at all', () => {
    expect(codes({ hello: 1 })).toEqual(['BAD_SHAPE']);
    expect(codes({ matters: [42] })).toEqual(['BAD_SHAPE']);
  });

  it('refuses a version that drops a matter, naming it (只增不减)', () => {
    const list = copy();
    list.matters = list.matters.filter((m) => m.id !== 'public-rental-housing');
    const problems = validateMatterList(list, STARTER_MATTER_LIST);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'MATTER_DROPPED', path: 'matters' });
    expect(problems[0].message).toContain('public-rental-housing');
    expect(problems[0].messageZh).toContain('公共租赁住房申请');
  });

  it('refuses a version that drops a proof; cancelling it instead is fine', () => {
    const list = copy();
    const proofs = list.matters[0].proofs;
    list.matters[0].proofs = proofs.filter((p) => p.id !== 'family-situation');
    expect(validateMatterList(list, STARTER_MATTER_LIST)).toEqual([
      expect.objectContaining({ code: 'PROOF_DROPPED', path: 'matters[0].proofs' }),
    ]);
    list.matters[0].proofs = proofs.map((p) =>
      p.id === 'family-situation'
        ? { ...p, replacement: { method: 'cancelled', basis: { zh: '依据', en: 'basis' } } }
        : p,
    );
    expect(validateMatterList(list, STARTER_MATTER_LIST)).toEqual([]);
  });

  it('refuses a replaced proof turned back into paper, naming matter and proof; paper to a replacement is fine', () => {
    const list = copy();
    list.matters[1].proofs = list.matters[1].proofs.map((p) =>
      p.id === 'no-housing-proof' ? { ...p, replacement: { method: 'paper' } } : p,
    );
    const problems = validateMatterList(list, STARTER_MATTER_LIST);
    expect(problems).toEqual([
      expect.objectContaining({ code: 'PROOF_BACK_TO_PAPER', path: 'matters[1].proofs[2].replacement.method' }),
    ]);
    expect(problems[0].message).toContain('public-rental-housing');
    expect(problems[0].message).toContain('no-housing-proof');
    // The other way round is what the list is for.
    expect(validateMatterList(STARTER_MATTER_LIST, list)).toEqual([]);
  });
});

describe('listIsStale', () => {
  it('flags a list older than six months, not one of exactly six', () => {
    expect(listIsStale('2026-01-15', '2026-07-15')).toBe(false);
    expect(listIsStale('2026-01-15', '2026-07-16')).toBe(true);
    expect(listIsStale('2026-12-01', '2026-12-06')).toBe(false);
    expect(listIsStale(undefined, '2030-01-01')).toBe(false);
  });

  it('clamps the day to the month’s end', () => {
    expect(sixMonthsAfter('2026-08-31')).toBe('2027-02-28');
    expect(sixMonthsAfter('2027-08-31')).toBe('2028-02-29');
  });
});
