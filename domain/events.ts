/**
 * The life-event catalog: every event type a registry may publish, whose subject it
 * concerns, and the department that publishes it. Payload validation lives beside it
 * in domain/event-payloads.ts.
 */
import type { SubjectKind, Text } from './sources.js';

export interface EventType {
  type: string;
  subject: SubjectKind;
  label: Text;
  publisher: Text;
}

export const EVENT_TYPES: readonly EventType[] = [
  {
    type: 'birth.registered',
    subject: 'person',
    label: { zh: '出生登记', en: 'birth registered' },
    publisher: { zh: '市公安局', en: 'Public Security Bureau' },
  },
  {
    type: 'marriage.registered',
    subject: 'person',
    label: { zh: '结婚登记', en: 'marriage registered' },
    publisher: { zh: '市民政局', en: 'Civil Affairs Bureau' },
  },
  {
    type: 'employment.ended',
    subject: 'person',
    label: { zh: '劳动关系终止', en: 'employment ended' },
    publisher: { zh: '市人力资源和社会保障局', en: 'Human Resources and Social Security Bureau' },
  },
  {
    type: 'unemployment.registered',
    subject: 'person',
    label: { zh: '失业登记', en: 'unemployment registered' },
    publisher: { zh: '市人力资源和社会保障局', en: 'Human Resources and Social Security Bureau' },
  },
  {
    type: 'disability.certified',
    subject: 'person',
    label: { zh: '残疾人证核发', en: 'disability certified' },
    publisher: { zh: '市残疾人联合会', en: 'Disabled Persons’ Federation' },
  },
  {
    type: 'retirement.registered',
    subject: 'person',
    label: { zh: '退休', en: 'retirement' },
    publisher: { zh: '市人力资源和社会保障局', en: 'Human Resources and Social Security Bureau' },
  },
  {
    type: 'death.registered',
    subject: 'person',
    label: { zh: '死亡登记', en: 'death registered' },
    publisher: { zh: '市公安局', en: 'Public Security Bureau' },
  },
  {
    type: 'hukou.moved-out',
    subject: 'person',
    label: { zh: '户籍迁出', en: 'household registration moved out of the city' },
    publisher: { zh: '市公安局', en: 'Public Security Bureau' },
  },
  {
    type: 'hukou.moved-in',
    subject: 'person',
    label: { zh: '户籍迁入', en: 'household registration moved into the city' },
    publisher: { zh: '市公安局', en: 'Public Security Bureau' },
  },
  {
    type: 'age.milestone',
    subject: 'person',
    label: { zh: '年龄节点（如满60、80周岁，满6周岁）', en: 'age milestone (turning 60, 80, 6…)' },
    publisher: { zh: '市大数据局（每日筛查）', en: 'Big Data Bureau (daily screening)' },
  },
  {
    type: 'enterprise.established',
    subject: 'enterprise',
    label: { zh: '企业设立登记', en: 'enterprise established' },
    publisher: { zh: '市市场监督管理局', en: 'Market Supervision Administration' },
  },
  {
    type: 'enterprise.licence-changed',
    subject: 'enterprise',
    label: { zh: '企业变更登记', en: 'enterprise licence changed' },
    publisher: { zh: '市市场监督管理局', en: 'Market Supervision Administration' },
  },
  {
    type: 'enterprise.deregistered',
    subject: 'enterprise',
    label: { zh: '企业注销登记', en: 'enterprise deregistered' },
    publisher: { zh: '市市场监督管理局', en: 'Market Supervision Administration' },
  },
  {
    type: 'enterprise.annual-review',
    subject: 'enterprise',
    label: { zh: '年度政策兑现筛查', en: 'annual policy screening' },
    publisher: { zh: '市人力资源和社会保障局', en: 'Human Resources and Social Security Bureau' },
  },
];

export function findEventType(type: string): EventType | undefined {
  return EVENT_TYPES.find((event) => event.type === type);
}
