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
  | 'fieldSharing'
  | 'proofSharing'
  | 'certificateSubstitution'
  | 'proofFreeMatters';

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
  fieldSharing: {
    label: { zh: '政务服务表格（表单）字段共享率', en: 'Form field sharing rate' },
    definition: {
      zh: '期间内提交的依申请事项中，由共享数据自动填写（免填写）的表单字段占全部字段的比例；按办理部门和提交月份统计。目标 2022 年底 30%，2023 年起 50%（《德州市“无证明城市”建设实施方案》）',
      en: 'Of the form fields of applications submitted in the period, the share filled from shared data rather than typed, by handling department and month submitted. Target 30 % by the end of 2022, 50 % from 2023 (Dezhou certificate-free city plan)',
    },
  },
  proofSharing: {
    label: { zh: '证明材料共享率', en: 'Proof sharing rate' },
    definition: {
      zh: '期间内提交的依申请事项所需证明材料中，通过数据共享或部门核验取得的比例（已取消的证明不计；上传的计入分母）；按办理部门和提交月份统计。目标 2022 年底 40%，2023 年起 60%',
      en: 'Of the proofs required by applications submitted in the period, the share obtained by data sharing or a department’s verification (cancelled proofs not counted; uploads count as required), by handling department and month submitted. Target 40 % by the end of 2022, 60 % from 2023',
    },
  },
  certificateSubstitution: {
    label: { zh: '电子证照证明替代率', en: 'Certificate substitution rate' },
    definition: {
      zh: '期间内提交的依申请事项所需证明材料中，以电子证照或部门核验替代纸质证明的比例（已取消的证明不计）；按办理部门和提交月份统计',
      en: 'Of the proofs required by applications submitted in the period, the share replaced by an electronic certificate or a department’s verification (cancelled proofs not counted), by handling department and month submitted',
    },
  },
  proofFreeMatters: {
    label: { zh: '无证明事项占比', en: 'Share of matters fully proof-free' },
    definition: {
      zh: '现行用证事项清单中，不再需要任何纸质证明的事项所占比例，按办理部门',
      en: 'Of the matters in the list in force, the share that need no proof on paper any more, by handling department',
    },
  },
};

export const REASON_LABELS: Record<CauseReason, Text> = {
  'source-failed': { zh: '数据源调用失败', en: 'source failed' },
  'no-record': { zh: '数据源无此对象记录', en: 'no record at the source' },
  'no-value': { zh: '记录中缺少该数据项', en: 'no value in the record' },
  other: { zh: '其他', en: 'other' },
};
