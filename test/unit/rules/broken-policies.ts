/**
 * A batch of broken policy documents that together reach every check of validatePolicy:
 * each starts from a shipped policy and breaks it the way an officer might. Shared by the
 * tests that hold every issue to saying what is wrong in Chinese as well as in English.
 */
import { readFileSync } from 'node:fs';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const load = (id: string): Doc =>
  JSON.parse(readFileSync(new URL(`../../../rules/policies/${id}/v1.json`, import.meta.url), 'utf8')) as Doc;

const broken = (id: string, breakIt: (doc: Doc) => void): Doc => {
  const doc = load(id);
  breakIt(doc);
  return doc;
};

const leaf = (fact: string, operator: string, value?: unknown): Doc => ({
  fact,
  operator,
  ...(value === undefined ? {} : { value }),
});

export const BROKEN_POLICIES: ReadonlyArray<readonly [string, unknown]> = [
  ['a string instead of a document', 'childcare-subsidy'],
  ['an empty object', {}],
  [
    'every top-level field of the wrong kind',
    {
      id: 'Bad Id',
      version: 0,
      effective: '2025',
      title: 'title',
      department: { zh: ' ', en: '', fr: 'x' },
      reference: '',
      subject: 'household',
      triggers: 'birth.registered',
      mode: 'manual',
      period: 'weekly',
      facts: [],
      parameters: [],
      conditions: { some: [] },
      namedConditions: [],
      benefit: { kind: 'voucher' },
      tests: [],
      namedCondition: {},
    },
  ],
  [
    'bad dates, triggers and facts',
    broken('childcare-subsidy', (d) => {
      d.effective = { from: '2025-01-01', to: '2024-12-31', until: 'x' };
      d.triggers = ['birth.registerd', 'enterprise.established', 'enterprise.established'];
      d.facts['person.shoeSize'] = { source: 'household-registry', purpose: 'x' };
      d.facts['enterprise.size'] = { source: 'business-registry', purpose: 'x' };
      d.facts['person.alive'] = 'household-registry';
      d.facts['person.localHukou'] = { source: 'civil-affairs', purpose: ' ', why: 'x' };
      d.facts['person.disabilityGrade'] = { source: 'nowhere', purpose: 'unused' };
    }),
  ],
  ['no effective start', broken('childcare-subsidy', (d) => (d.effective = {}))],
  ['no facts declared', broken('childcare-subsidy', (d) => (d.facts = {}))],
  [
    'broken dated parameters',
    broken('childcare-subsidy', (d) => {
      d.parameters = {
        empty: [],
        notAnEntry: ['3600'],
        badDates: [{ from: '2025-02-30', value: 1 }],
        unsorted: [
          { from: '2025-01-01', to: '2025-06-30', value: 1 },
          { from: '2024-01-01', value: 2 },
        ],
        overlapping: [
          { from: '2025-01-01', to: '2025-07-31', value: 1 },
          { from: '2025-07-01', value: 2 },
        ],
        gap: [
          { from: '2025-01-01', to: '2025-06-30', value: 1 },
          { from: '2025-07-02', to: '2024-01-01', value: 2 },
        ],
        late: [{ from: '2025-02-01', to: '2025-12-31', value: 1, note: 'x' }],
        mixed: [
          { from: '2025-01-01', to: '2025-06-30', value: 1 },
          { from: '2025-07-01', value: { a: 'one' } },
          { from: '2026-01-01', value: 'text' },
        ],
        annualAmount: d.parameters.annualAmount,
      };
    }),
  ],
  ['parameters of the wrong kind', broken('childcare-subsidy', (d) => (d.parameters = 'none'))],
  [
    'broken conditions',
    broken('old-age-allowance', (d) => {
      d.conditions.all.push(
        'alive',
        { condition: 'dead' },
        { all: [], any: [] },
        { any: [] },
        { not: { condition: 'alive' } },
        { condition: 'alive', extra: 1 },
      );
      d.namedConditions.Alive = leaf('person.alive', 'equal', true);
      d.namedConditions.nothing = 'x';
      d.namedConditions.loopA = { all: [{ condition: 'loopB' }] };
      d.namedConditions.loopB = { any: [{ condition: 'loopA' }] };
      d.namedConditions.alive.label = { zh: '在世' };
      d.namedConditions.reachedEightyBeforeThisMonth.path = '$.x';
      d.namedConditions.localHukou = {
        all: [
          leaf('', 'equal', true),
          leaf('person.shoeSize', 'equal', 42),
          leaf('person.localHukou', 'regex', 'x'),
          leaf('person.localHukou', 'equal'),
          leaf('person.localHukou', 'ageAtLeast', 3),
          leaf('person.birthDate', 'ageAtLeast', { parameter: 'minimumAge', extra: 1 }),
          leaf('person.birthDate', 'ageAtLeast', { parameter: 'maximumAge' }),
          leaf('person.birthDate', 'dateBefore', { parameter: 'minimumAge' }),
          leaf('person.localHukou', 'equal', null),
          leaf('person.localHukou', 'equal', 'yes'),
          leaf('person.localHukou', 'contains', [true]),
          leaf('person.localHukou', 'in', []),
          leaf('person.birthDate', 'ageAtLeast', 'eighty'),
          leaf('person.birthDate', 'dateBefore', '2025-13-01'),
        ],
      };
    }),
  ],
  ['a root condition that is not a group', broken('old-age-allowance', (d) => (d.conditions = { condition: 'alive' }))],
  [
    'a value outside a closed set, a number for a number fact, and a table parameter in a leaf',
    broken('job-stabilisation-refund', (d) => {
      d.namedConditions.inBusiness.value = 'open';
      d.namedConditions.paidPremiums.value = '0';
      d.namedConditions.noArrears.value = { parameter: 'refundShareBySize' };
    }),
  ],
  [
    'broken amount rules',
    broken('old-age-allowance', (d) => {
      d.benefit.amount = { type: 'ageBand', parameter: 'minimumAge', birthDateFact: 'person.localHukou', extra: 1 };
      d.benefit.currency = 'USD';
    }),
  ],
  ['an amount rule of no known type', broken('old-age-allowance', (d) => (d.benefit.amount = { type: 'lumpSum' }))],
  ['a cash benefit without an amount rule', broken('old-age-allowance', (d) => delete d.benefit.amount)],
  [
    'an amount rule that names no fact',
    broken(
      'severe-disability-care-subsidy',
      (d) => (d.benefit.amount = { type: 'byFactValue', parameter: 'missing', fact: '' }),
    ),
  ],
  [
    'an amount rule reading an undeclared fact',
    broken('severe-disability-care-subsidy', (d) => (d.benefit.amount.fact = 'person.minimumLivingAllowance')),
  ],
  [
    'age bands that are not bands',
    broken('old-age-allowance', (d) => (d.parameters.monthlyByAgeBand[0].value = { eighty: 100, '90-99': 200 })),
  ],
  ['a prorated amount without an age limit', broken('childcare-subsidy', (d) => (d.benefit.amount.untilAgeYears = 0))],
  [
    'a service benefit with cash fields',
    broken('senior-preferential-card', (d) => (d.benefit = { kind: 'card', amount: 1, description: 'card' })),
  ],
  [
    'a broken offer',
    broken('senior-preferential-card', (d) => {
      d.offer = { expiresAfterDays: 0, reminderDaysBeforeExpiry: [0], remindAgain: true };
      d.pledge = { statement: { zh: '承诺', en: 'pledge' } };
    }),
  ],
  [
    'an offer with a reminder after it expires',
    broken('senior-preferential-card', (d) => (d.offer = { expiresAfterDays: 30, reminderDaysBeforeExpiry: [7, 30] })),
  ],
  [
    'an offer whose reminders are not a list',
    broken('senior-preferential-card', (d) => (d.offer = { expiresAfterDays: 30, reminderDaysBeforeExpiry: 7 })),
  ],
  ['an offer mode without an offer', broken('senior-preferential-card', (d) => delete d.offer)],
  [
    'an offer on an automatic policy',
    broken('childcare-subsidy', (d) => (d.offer = { expiresAfterDays: 30, reminderDaysBeforeExpiry: [7] })),
  ],
  [
    'a broken pledge',
    broken('business-startup-subsidy', (d) => {
      d.pledge.inspectAfterDays = -1;
      d.pledge.pledgedFacts = ['enterprise.annualRevenue', 7, 'enterprise.foundedOn'];
      d.pledge.signedBy = 'x';
      d.pledge.statement = 'I promise';
    }),
  ],
  [
    'a pledged fact that only the amount rule reads',
    broken('job-stabilisation-refund', (d) => {
      d.mode = 'pledge';
      d.pledge = {
        statement: { zh: '本企业承诺规模属实', en: 'We pledge our size is true' },
        pledgedFacts: ['enterprise.size'],
        inspectAfterDays: 30,
      };
    }),
  ],
  ['a pledge without pledged facts', broken('business-startup-subsidy', (d) => (d.pledge.pledgedFacts = []))],
  ['a pledge mode without a pledge', broken('business-startup-subsidy', (d) => delete d.pledge)],
  [
    'broken test cases',
    broken('childcare-subsidy', (d) => {
      const [first, second] = d.tests as Doc[];
      d.tests = [
        'a test',
        { ...first, name: ' ', asOf: '2025-02-30', facts: [], expect: 'eligible', extra: 1 },
        {
          ...second,
          asOf: '2024-12-31',
          facts: { ...second.facts, 'person.alive': true },
          expect: { outcome: 'maybe', amount: '3600', missingFacts: ['person.alive'], why: 'x' },
        },
        { ...second },
      ];
    }),
  ],
];
