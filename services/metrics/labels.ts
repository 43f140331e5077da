/**
 * The programme's indicators as the seed documents name them (德州市“无证明城市”实施方案 督查评估;
 * DB 3711/T 143—2023 8.4 “免申即享”主动办), with what each counts, in both languages.
 */
import type { Text } from '../../domain/sources.js';

export type IndicatorKey =
  | 'proactiveGrants'
  | 'takeUp'
  | 'undeterminedRate'
  | 'eventToGrantLatency'
  | 'dataSharingSatisfaction'
  | 'dataSharingDemand'
  | 'certificateSubstitution';

/** Why an undetermined decision stayed open, for one missing fact. */
export type CauseReason = 'source-failed' | 'no-record' | 'no-value' | 'other';

/** One cause of undetermined decisions: a fact of a source, why it was missing, and how often. */
export interface Cause {
  source: string;
  department: Text;
  fact: string;
  factLabel: Text;
  reason: CauseReason;
  reasonLabel: Text;
  count: number;
}

export const INDICATORS: Record<IndicatorKey, { label: Text; definition: Text }> = {
  proactiveGrants: {
    label: { zh: '“免申即享”主动兑现', en: 'Proactive grants (apply-free)' },
    definition: {
      zh: '期间内记录的兑现笔数与金额（含其后撤销的），按政策、部门和月份',
      en: 'Grants recorded in the period (including any later revoked), count and amount, by policy, department and month',
    },
  },
  takeUp: {
    label: { zh: '应享尽享率', en: 'Take-up rate' },
    definition: {
      zh: '期间内判定符合条件的（对象、政策、期次）中已兑现的比例；另列期间内曾无法判定的（对象、政策、期次）及其中其后已兑现的（经主动联系、人工审核或部门补充数据后兑现）',
      en: 'Share of the subject-policy-periods decided eligible in the period that were granted; beside it, the subject-policy-periods left undetermined in the period and how many of them were granted since (served after outreach, a review or the department’s late answer)',
    },
  },
  undeterminedRate: {
    label: { zh: '待定率及原因', en: 'Undetermined rate and causes' },
    definition: {
      zh: '期间内因数据缺失或数据源调用失败无法判定的决定占全部决定的比例；原因按数据源与数据项统计',
      en: 'Share of the period’s decisions left undetermined because data was missing or a source failed; causes by source and fact',
    },
  },
  eventToGrantLatency: {
    label: { zh: '事件到兑现时长', en: 'Event-to-grant latency' },
    definition: {
      zh: '生活事件受理至兑现记录的时长（期间内兑现且有案件的），P50/P90/P99',
      en: 'Time from a life event’s receipt to its grant (grants in the period that came from a case), p50/p90/p99',
    },
  },
  dataSharingSatisfaction: {
    label: { zh: '数据共享需求满足率', en: 'Data-sharing demand satisfaction rate' },
    definition: {
      zh: '数据源作出答复（有记录或确认无记录）的调用占全部调用的比例，按数据源与提供部门',
      en: 'Share of data pulls the source answered (a record, or a definite “no record”) among all pulls requested, by source and providing department',
    },
  },
  dataSharingDemand: {
    label: { zh: '数据共享有效需求满足率', en: 'Effective data-sharing demand satisfaction rate' },
    definition: {
      zh: '经办人向数据提供部门提出的数据需求中，在 1 个工作日内（周末和法定节假日不计）以增加数据项答复的，占全部到期需求的比例；按部门和提出月份统计。到期：已答复、已拒绝或已超过答复时限；拒绝计为未满足；到期前撤回的不计。目标 99%（《德州市“无证明城市”建设实施方案》）',
      en: 'Of the fact requests officers filed to data-providing departments, the share answered by adding the fact within one working day (weekends and public holidays do not count) among all requests due, by department and month filed. Due: answered, refused, or past the time to answer; a refusal counts as unmet; a request withdrawn before it was due is not counted. Target 99 % (Dezhou certificate-free city plan)',
    },
  },
  certificateSubstitution: {
    label: { zh: '电子证照证明替代率', en: 'Certificate substitution rate' },
    definition: {
      zh: '未要求群众提交任何证明材料作出的决定占全部决定的比例',
      en: 'Share of decisions made without any document from the citizen',
    },
  },
};

export const REASON_LABELS: Record<CauseReason, Text> = {
  'source-failed': { zh: '数据源调用失败', en: 'source failed' },
  'no-record': { zh: '数据源无此对象记录', en: 'no record at the source' },
  'no-value': { zh: '记录中缺少该数据项', en: 'no value in the record' },
  other: { zh: '其他', en: 'other' },
};
