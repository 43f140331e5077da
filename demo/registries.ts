/**
 * The registries that publish the demo city's life events: for each event type the
 * department that first reports it and a second one that reports the same event under
 * its own ID (as a hospital's birth certificate follows the police's birth registration).
 * Each registry is a source of a registered department (DEMO_DEPARTMENTS), which the demo
 * registers at every start and under which the feed publishes, with the same rules as a
 * department's signed request to POST /events.
 */
import type { DepartmentSpec } from '../domain/departments.js';
import type { Text } from '../domain/sources.js';

export interface Registry {
  /** The `source` field of its events (a-z, 0-9, -). */
  source: string;
  /** The department that publishes as this source (DEMO_DEPARTMENTS). */
  department: string;
  /** Prefix of its source event IDs. */
  prefix: string;
  name: Text;
}

export const REGISTRIES = {
  household: {
    source: 'household-registry',
    department: 'public-security-household',
    prefix: 'GA-HJ',
    name: { zh: '市公安局户政（户籍登记）', en: 'Public Security household registry' },
  },
  birthCertificate: {
    source: 'birth-certificate',
    department: 'health-commission',
    prefix: 'WJ-CS',
    name: { zh: '市卫生健康委（出生医学证明）', en: 'Health Commission birth certificates' },
  },
  bigData: {
    source: 'big-data-screening',
    department: 'big-data-bureau',
    prefix: 'DSJ-NL',
    name: { zh: '市大数据局（年龄节点筛查）', en: 'Big Data Bureau age screening' },
  },
  civilAffairs: {
    source: 'civil-affairs',
    department: 'civil-affairs',
    prefix: 'MZ',
    name: { zh: '市民政局', en: 'Civil Affairs Bureau' },
  },
  disabledFederation: {
    source: 'disabled-persons-federation',
    department: 'disabled-persons-federation',
    prefix: 'CL-CJZ',
    name: { zh: '市残疾人联合会（残疾人证）', en: 'Disabled Persons’ Federation' },
  },
  employmentService: {
    source: 'public-employment-service',
    department: 'human-resources-social-security',
    prefix: 'RS-SY',
    name: { zh: '市人社局公共就业服务（失业登记）', en: 'Public employment service' },
  },
  socialInsurance: {
    source: 'social-insurance',
    department: 'social-insurance-centre',
    prefix: 'SB',
    name: { zh: '市社会保险事业中心', en: 'Social insurance centre' },
  },
  policyScreening: {
    source: 'hrss-policy-screening',
    department: 'human-resources-social-security',
    prefix: 'RS-ND',
    name: { zh: '市人社局（年度政策兑现筛查）', en: 'HR and Social Security annual screening' },
  },
  marketSupervision: {
    source: 'market-supervision',
    department: 'market-supervision',
    prefix: 'SJ-NB',
    name: { zh: '市市场监督管理局（企业年报）', en: 'Market Supervision annual reports' },
  },
} as const satisfies Record<string, Registry>;

/** The first and the second reporter of each event type the demo feed streams. */
export const REPORTERS: Record<string, { first: Registry; second: Registry }> = {
  'birth.registered': { first: REGISTRIES.household, second: REGISTRIES.birthCertificate },
  'age.milestone': { first: REGISTRIES.bigData, second: REGISTRIES.civilAffairs },
  'disability.certified': { first: REGISTRIES.disabledFederation, second: REGISTRIES.civilAffairs },
  'unemployment.registered': { first: REGISTRIES.employmentService, second: REGISTRIES.socialInsurance },
  'enterprise.annual-review': { first: REGISTRIES.policyScreening, second: REGISTRIES.marketSupervision },
};

/** The departments that register the demo's registries: their names, and the types each reports in the feed. */
const DEPARTMENT_NAMES: Record<string, DepartmentSpec['name']> = {
  'public-security-household': { zh: '市公安局户政', en: 'Public Security Bureau, household registration' },
  'health-commission': { zh: '市卫生健康委', en: 'Health Commission' },
  'big-data-bureau': { zh: '市大数据局', en: 'Big Data Bureau' },
  'civil-affairs': { zh: '市民政局', en: 'Civil Affairs Bureau' },
  'disabled-persons-federation': { zh: '市残疾人联合会', en: 'Disabled Persons’ Federation' },
  'human-resources-social-security': { zh: '市人力资源和社会保障局', en: 'Human Resources and Social Security Bureau' },
  'social-insurance-centre': { zh: '市社会保险事业中心', en: 'Social Insurance Centre' },
  'market-supervision': { zh: '市市场监督管理局', en: 'Market Supervision Administration' },
};

/**
 * The demo's departments, each with the sources of its registries and the event types it
 * reports (first or second), dated at most `backdatingDays` back: the feed replays a past year.
 */
export function demoDepartments(backdatingDays: number): DepartmentSpec[] {
  const specs = new Map<string, { sources: Set<string>; eventTypes: Set<string> }>();
  for (const [type, { first, second }] of Object.entries(REPORTERS))
    for (const registry of [first, second]) {
      const spec = specs.get(registry.department) ?? { sources: new Set<string>(), eventTypes: new Set<string>() };
      spec.sources.add(registry.source);
      spec.eventTypes.add(type);
      specs.set(registry.department, spec);
    }
  return [...specs].map(([id, { sources, eventTypes }]) => ({
    id,
    name: DEPARTMENT_NAMES[id],
    sources: [...sources],
    eventTypes: [...eventTypes],
    backdatingDays,
  }));
}
