/**
 * The registries that publish the demo city's life events: for each event type the
 * department that first reports it and a second one that reports the same event under
 * its own ID (as a hospital's birth certificate follows the police's birth registration).
 */
import type { Text } from '../domain/sources.js';

export interface Registry {
  /** The `source` field of its events (a-z, 0-9, -). */
  source: string;
  /** Prefix of its source event IDs. */
  prefix: string;
  name: Text;
}

export const REGISTRIES = {
  household: {
    source: 'household-registry',
    prefix: 'GA-HJ',
    name: { zh: '市公安局户政（户籍登记）', en: 'Public Security household registry' },
  },
  birthCertificate: {
    source: 'birth-certificate',
    prefix: 'WJ-CS',
    name: { zh: '市卫生健康委（出生医学证明）', en: 'Health Commission birth certificates' },
  },
  bigData: {
    source: 'big-data-screening',
    prefix: 'DSJ-NL',
    name: { zh: '市大数据局（年龄节点筛查）', en: 'Big Data Bureau age screening' },
  },
  civilAffairs: { source: 'civil-affairs', prefix: 'MZ', name: { zh: '市民政局', en: 'Civil Affairs Bureau' } },
  disabledFederation: {
    source: 'disabled-persons-federation',
    prefix: 'CL-CJZ',
    name: { zh: '市残疾人联合会（残疾人证）', en: 'Disabled Persons’ Federation' },
  },
  employmentService: {
    source: 'public-employment-service',
    prefix: 'RS-SY',
    name: { zh: '市人社局公共就业服务（失业登记）', en: 'Public employment service' },
  },
  socialInsurance: {
    source: 'social-insurance',
    prefix: 'SB',
    name: { zh: '市社会保险事业中心', en: 'Social insurance centre' },
  },
  policyScreening: {
    source: 'hrss-policy-screening',
    prefix: 'RS-ND',
    name: { zh: '市人社局（年度政策兑现筛查）', en: 'HR and Social Security annual screening' },
  },
  marketSupervision: {
    source: 'market-supervision',
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
