/**
 * The shipped data-source catalog as an officer reads it (issue 18, 两张清单): enough facts for
 * the main social-assistance, social-insurance, elderly-care, disability, education, employment
 * and enterprise-support policies, each with the department that owns it, the law it is shared
 * under, how often it is refreshed, what an absent record means, a unit for every number, closed
 * values for every coded string, and a generator in the synthetic city.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DATA_SOURCES, UNITS, findFact, type FactField } from '../../../domain/sources.js';
import { SHARED_COLLECTIONS } from '../../../store/shared-data.js';
import { CATALOG_DOC, renderCatalog } from '../../support/catalog-table.js';

const FACTS = DATA_SOURCES.flatMap((source) => source.fields.map((field) => ({ source, field })));
const FREQUENCIES = ['realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly'];
/** Strings that are free text or identifiers rather than codes: no closed list can hold them. */
const OPEN_STRINGS = new Set([
  'person.guardianIdNumber',
  'person.bankAccountNumber',
  'person.bankAccountBankCode',
  'person.bankAccountHolderName',
]);
const filled = (text: { zh: string; en: string }) => text.zh.trim() !== '' && text.en.trim() !== '';
const named = ({ field }: { field: FactField }) => field.key;

describe('the shipped data-source catalog', () => {
  it('has at least 60 facts, each key once, from the main policy fields', () => {
    expect(FACTS.length).toBeGreaterThanOrEqual(60);
    expect(new Set(FACTS.map(named)).size).toBe(FACTS.length);
    for (const key of [
      'person.pensionReceiving',
      'person.pensionMonthlyAmount',
      'person.pensionContributionMonths',
      'person.medicalInsuranceMonths',
      'person.medicalAssistance',
      'person.lowIncomeMarginal',
      'person.specialHardshipCareMode',
      'person.livesAlone',
      'person.careDependencyLevel',
      'person.veteran',
      'person.housingFundContributing',
      'person.ownsHousing',
      'person.ownsMotorVehicle',
      'person.schoolStage',
      'person.collegeGraduatedOn',
      'person.ruralCollectiveMember',
      'person.povertyRelapseMonitored',
      'person.pregnancyRegistered',
      'enterprise.highTechCertified',
      'enterprise.rdExpenseLastYear',
      'enterprise.taxPaidLastYear',
      'enterprise.vatTaxpayerType',
      'enterprise.seriousEnvironmentalViolationLastYear',
      'enterprise.majorSafetyAccidentLastYear',
      'enterprise.newJobsLastYear',
      'enterprise.graduatesHiredLastYear',
      'enterprise.registeredUnemployedHiredLastYear',
    ])
      expect(findFact(key), key).toBeDefined();
  });

  it('names for every source its owning department, the law it is shared under and how often it is refreshed', () => {
    expect(new Set(DATA_SOURCES.map((source) => source.id)).size).toBe(DATA_SOURCES.length);
    expect(new Set(DATA_SOURCES.map((source) => source.collection)).size).toBe(DATA_SOURCES.length);
    for (const source of DATA_SOURCES) {
      expect(filled(source.department), source.id).toBe(true);
      expect(source.legalBasis.zh, source.id).toMatch(/《.+》/);
      expect(source.legalBasis.en.length, source.id).toBeGreaterThan(10);
      expect(FREQUENCIES, source.id).toContain(source.updateFrequency);
      expect(source.collection, source.id).toMatch(/^dp_[a-z_]+$/);
      expect(source.fields.length, source.id).toBeGreaterThan(0);
    }
  });

  it('spans the departments the policies of those fields read', () => {
    const departments = new Set(DATA_SOURCES.map((source) => source.department.zh));
    for (const department of [
      '市公安局',
      '市民政局',
      '市人力资源和社会保障局',
      '市医疗保障局',
      '市残疾人联合会',
      '市教育局',
      '市退役军人事务局',
      '德州市住房公积金管理中心',
      '市卫生健康委员会',
      '市农业农村局',
      '市科学技术局',
      '市生态环境局',
      '市应急管理局',
      '国家税务总局德州市税务局',
    ])
      expect(departments, department).toContain(department);
  });

  it.each(FACTS.map(({ source, field }) => [field.key, source.id, field] as const))(
    '%s (%s): labelled, typed, covered, with a unit or closed values where it needs them, seeded',
    (key, _source, field) => {
      const [subject, column] = key.split('.');
      expect(DATA_SOURCES.find((source) => source.fields.includes(field))!.subject).toBe(subject);
      expect(field.column).toBe(column);
      expect(filled(field.label)).toBe(true);
      expect(['public', 'personal', 'sensitive']).toContain(field.sensitivity);
      expect(['absent-means-no', 'absent-means-unknown']).toContain(field.coverage);
      expect(field.synthetic).toEqual({ kind: 'seed' });
      if (field.type === 'number') {
        expect(field.unit, 'a number has a unit').toBeDefined();
        expect(Object.values(UNITS)).toContainEqual(field.unit);
      } else expect(field.unit, 'only numbers have units').toBeUndefined();
      if (field.type === 'string' && !OPEN_STRINGS.has(key)) expect(field.values?.length).toBeGreaterThan(1);
      if (field.values) expect(field.type).toBe('string');
    },
  );

  it('says what an absent record means as the platform answers it: a boolean "no", anything else unknown', () => {
    // fetchFacts, the sweep's projection and the benchmarks answer false for a boolean of a source
    // with no record of the subject and leave every other fact out (undetermined).
    for (const { field } of FACTS)
      expect(field.coverage, field.key).toBe(field.type === 'boolean' ? 'absent-means-no' : 'absent-means-unknown');
  });

  it('gives every source a shared-data collection keyed by the subject’s identifier', () => {
    for (const source of DATA_SOURCES)
      expect(SHARED_COLLECTIONS).toContainEqual({
        name: source.collection,
        subject: source.subject,
        keyField: source.subject === 'person' ? 'idNumber' : 'creditCode',
      });
  });

  it('is documented as it is in docs/CATALOG-FACTS.md (write it: node --import tsx test/support/catalog-table.ts)', () => {
    const doc = readFileSync(CATALOG_DOC, 'utf8');
    expect(doc).toBe(renderCatalog());
    for (const source of DATA_SOURCES) expect(doc).toContain(`| \`${source.id}\` |`);
    for (const { field } of FACTS) expect(doc).toContain(`| \`${field.key}\` |`);
  });
});
