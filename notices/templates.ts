/**
 * Notice templates, Chinese and English. A notice job carries a template ID and plain
 * parameters (policy title, amount, dates) — never a raw identifier; the channel worker
 * renders both languages and the citizen's channel shows their choice.
 */
import type { Text } from '../domain/sources.js';

export interface NoticeParams {
  policyTitle: Text;
  amount?: number;
  period?: string;
  /** ISO date: an offer's expiry or a pledge's inspection date. */
  date?: string;
  missing?: string[];
  /** A corrected record: the fact's label and its department (never its value). */
  fact?: Text;
  department?: Text;
  /** Why an entitlement was ended or suspended (a payroll's re-check, a death or move-out registered). */
  reason?: Text;
}

type Render = (p: NoticeParams) => { title: Text; body: Text };

const money = (amount?: number) =>
  amount === undefined ? '' : amount.toLocaleString('en-US', { maximumFractionDigits: 2 });
const zhAmount = (p: NoticeParams) => (p.amount !== undefined ? `，金额 ${money(p.amount)} 元` : '');
const enAmount = (p: NoticeParams) => (p.amount !== undefined ? ` of CNY ${money(p.amount)}` : '');

export const NOTICE_TEMPLATES = {
  'grant.awarded': (p) => ({
    title: { zh: `您已享受「${p.policyTitle.zh}」`, en: `You have been granted: ${p.policyTitle.en}` },
    body: {
      zh: `根据共享数据，您符合「${p.policyTitle.zh}」条件，无需申请，已为您办理${zhAmount(p)}（${p.period ?? ''}）。`,
      en: `Shared government data shows you qualify for ${p.policyTitle.en}. No application was needed: it has been granted${enAmount(p)} (${p.period ?? ''}).`,
    },
  }),
  'offer.made': (p) => ({
    title: { zh: `「${p.policyTitle.zh}」待您确认`, en: `Please confirm: ${p.policyTitle.en}` },
    body: {
      zh: `您符合「${p.policyTitle.zh}」条件${zhAmount(p)}。请在 ${p.date} 前一键确认或放弃。`,
      en: `You qualify for ${p.policyTitle.en}${enAmount(p)}. Confirm or decline with one tap before ${p.date}.`,
    },
  }),
  'offer.reminder': (p) => ({
    title: { zh: `提醒：「${p.policyTitle.zh}」即将过期`, en: `Reminder: ${p.policyTitle.en} expires soon` },
    body: {
      zh: `您的「${p.policyTitle.zh}」将于 ${p.date} 过期，请及时确认。`,
      en: `Your offer of ${p.policyTitle.en} expires on ${p.date}. Please confirm in time.`,
    },
  }),
  'offer.confirmed': (p) => ({
    title: { zh: `已为您办理「${p.policyTitle.zh}」`, en: `Confirmed: ${p.policyTitle.en}` },
    body: {
      zh: `您已确认，「${p.policyTitle.zh}」已办理${zhAmount(p)}。`,
      en: `Thank you for confirming. ${p.policyTitle.en} has been granted${enAmount(p)}.`,
    },
  }),
  'offer.declined': (p) => ({
    title: { zh: `您已放弃「${p.policyTitle.zh}」`, en: `Declined: ${p.policyTitle.en}` },
    body: {
      zh: `已记录您放弃「${p.policyTitle.zh}」。如有变化可随时联系我们。`,
      en: `We have recorded that you declined ${p.policyTitle.en}. Contact us any time if that changes.`,
    },
  }),
  'offer.expired': (p) => ({
    title: { zh: `「${p.policyTitle.zh}」确认已过期`, en: `Expired: ${p.policyTitle.en}` },
    body: {
      zh: `「${p.policyTitle.zh}」的确认期限已过（${p.date}）。如需办理请联系我们。`,
      en: `The offer of ${p.policyTitle.en} expired on ${p.date}. Contact us if you still want it.`,
    },
  }),
  'pledge.granted': (p) => ({
    title: { zh: `「${p.policyTitle.zh}」已按承诺办理`, en: `Granted on your pledge: ${p.policyTitle.en}` },
    body: {
      zh: `依据您的告知承诺，「${p.policyTitle.zh}」已办理${zhAmount(p)}。我们将于 ${p.date} 前后核查承诺事项。`,
      en: `On your pledge, ${p.policyTitle.en} has been granted${enAmount(p)}. The pledged facts will be checked around ${p.date}.`,
    },
  }),
  'pledge.passed': (p) => ({
    title: { zh: `「${p.policyTitle.zh}」核查通过`, en: `Inspection passed: ${p.policyTitle.en}` },
    body: { zh: `您承诺的事项已核实无误，感谢您的诚信。`, en: `The facts you pledged have been verified. Thank you.` },
  }),
  'pledge.revoked': (p) => ({
    title: { zh: `「${p.policyTitle.zh}」已撤销`, en: `Revoked: ${p.policyTitle.en}` },
    body: {
      zh: `核查发现承诺事项与部门数据不符，「${p.policyTitle.zh}」已撤销并将追回${zhAmount(p)}，不实承诺已记入信用记录。如有异议可提出申诉。`,
      en: `The inspection found your pledge did not match the certifying department's records. ${p.policyTitle.en} has been revoked, the payment${enAmount(p)} will be recovered, and the false pledge is on your credit record. You may object.`,
    },
  }),
  // Since the pledge-signature patch: the written notice to sign, and what follows a signature missed or barred.
  'pledge.notice': (p) => ({
    title: { zh: `「${p.policyTitle.zh}」告知承诺书待您签署`, en: `Please read and sign: ${p.policyTitle.en} pledge` },
    body: {
      zh: `您符合「${p.policyTitle.zh}」条件${zhAmount(p)}，可凭告知承诺办理。请阅读告知承诺书（证明义务、承诺事项、事后核查、不实承诺的法律责任），并于 ${p.date} 前签署；签署后即为您办理，逾期未签署的不予办理。`,
      en: `You qualify for ${p.policyTitle.en}${enAmount(p)} on a pledge. Please read the written notice (what must be proved, what you pledge, the inspection to come, the consequence of a false pledge) and sign it by ${p.date}. It is granted once you sign; without a signature by then, nothing is granted.`,
    },
  }),
  'pledge.lapsed': (p) => ({
    title: { zh: `「${p.policyTitle.zh}」告知承诺未签署`, en: `Pledge not signed: ${p.policyTitle.en}` },
    body: {
      zh: `告知承诺书的签署期限已过（${p.date}），「${p.policyTitle.zh}」未予办理。如需办理请联系我们或到窗口办理。`,
      en: `The pledge was not signed by ${p.date}, so ${p.policyTitle.en} was not granted. Contact us or visit a service window if you still want it.`,
    },
  }),
  'pledge.barred-granted': (p) => ({
    title: { zh: `「${p.policyTitle.zh}」已核验办理`, en: `Granted after verification: ${p.policyTitle.en}` },
    body: {
      zh: `因${p.reason?.zh ?? '信用记录'}，本次不适用告知承诺；经向出具证明的部门核验，您符合条件，「${p.policyTitle.zh}」已办理${zhAmount(p)}。`,
      en: `Because of ${p.reason?.en ?? 'a credit record'}, pledge mode was not available this time. The certifying departments' data was verified instead: you qualify, and ${p.policyTitle.en} has been granted${enAmount(p)}.`,
    },
  }),
  'pledge.barred-review': (p) => ({
    title: { zh: `「${p.policyTitle.zh}」转人工审核`, en: `Sent for review: ${p.policyTitle.en}` },
    body: {
      zh: `因${p.reason?.zh ?? '信用记录'}，本次不适用告知承诺；向部门核验未能确认全部条件，已转工作人员审核，审核结果将另行通知。`,
      en: `Because of ${p.reason?.en ?? 'a credit record'}, pledge mode was not available this time. Verification with the departments could not confirm every condition, so an officer will review it and tell you the result.`,
    },
  }),
  'pledge.unverified': (p) => ({
    title: { zh: `「${p.policyTitle.zh}」核查未能核实`, en: `Inspection could not verify: ${p.policyTitle.en}` },
    body: {
      zh: `核查人员未能核实您承诺的事项，「${p.policyTitle.zh}」维持办理。如工作人员联系您补充材料，请予配合。`,
      en: `The inspector could not verify the facts you pledged. ${p.policyTitle.en} stands. If an officer contacts you for documents, please help them.`,
    },
  }),
  'decision.undetermined': (p) => ({
    title: { zh: `「${p.policyTitle.zh}」需补充信息`, en: `More information needed: ${p.policyTitle.en}` },
    body: {
      zh: `您可能符合「${p.policyTitle.zh}」，但部分共享数据暂缺，工作人员将与您联系。`,
      en: `You may qualify for ${p.policyTitle.en}, but some shared data is not available yet. An officer will contact you.`,
    },
  }),
  // Outreach (应享尽享): a person likely eligible whom the machine could not decide, contacted once per policy.
  'outreach.contact': (p) => ({
    title: { zh: `您可能可以享受「${p.policyTitle.zh}」`, en: `You may be entitled to ${p.policyTitle.en}` },
    body: {
      zh: `根据共享数据，您可能符合「${p.policyTitle.zh}」的条件，但${p.department?.zh ?? '相关部门'}的数据暂缺，暂时无法为您自动办理。请携带身份证件及相关材料到政务服务窗口办理，或回复本消息补充信息，工作人员也会与您联系。`,
      en: `Shared government data shows you may be entitled to ${p.policyTitle.en}, but data held by ${p.department?.en ?? 'a department'} is missing, so it could not be granted automatically. Come to a service window with your ID card and any papers you have, or answer this message with the missing information; an officer will also contact you.`,
    },
  }),
  // A review (人工审核) that found the person not eligible: the sealed decision letter says why.
  'decision.refused': (p) => ({
    title: { zh: `「${p.policyTitle.zh}」审核结果：不符合条件`, en: `Not eligible: ${p.policyTitle.en}` },
    body: {
      zh: `经工作人员审核，您不符合「${p.policyTitle.zh}」的条件。决定书已出具，可在“我的决定”中查看理由；如有异议，可提出异议或依法申请行政复议。`,
      en: `An officer reviewed your case: you do not qualify for ${p.policyTitle.en}. The decision letter, with the reasons, is under "My decisions"; you may object or apply for administrative review.`,
    },
  }),
  // Objections (异议): the re-evaluation's result, once per objection.
  'objection.arrears': (p) => ({
    title: {
      zh: `「${p.policyTitle.zh}」异议复核：补发待遇`,
      en: `Objection upheld: ${p.policyTitle.en} arrears paid`,
    },
    body: {
      zh: `经核实，相关部门已更正您的数据并重新判定，「${p.policyTitle.zh}」（${p.period ?? ''}）应补发${zhAmount(p)}，已为您办理。`,
      en: `The department corrected your record and ${p.policyTitle.en} was decided again: arrears${enAmount(p)} for ${p.period ?? ''} have been paid.`,
    },
  }),
  'objection.recovery': (p) => ({
    title: {
      zh: `「${p.policyTitle.zh}」异议复核：多发待遇需退回`,
      en: `Objection re-evaluated: ${p.policyTitle.en} over-paid`,
    },
    body: {
      zh: `经核实，相关部门已更正您的数据并重新判定，「${p.policyTitle.zh}」（${p.period ?? ''}）多发${zhAmount(p)}，需予退回，工作人员将与您联系。`,
      en: `The department corrected your record and ${p.policyTitle.en} was decided again: ${p.period ?? ''} was over-paid${enAmount(p)}, which will be recovered. An officer will contact you.`,
    },
  }),
  'objection.benefit': (p) => ({
    title: { zh: `「${p.policyTitle.zh}」异议复核：符合条件`, en: `Objection upheld: ${p.policyTitle.en}` },
    body: {
      zh: `经核实，相关部门已更正您的数据并重新判定，您符合「${p.policyTitle.zh}」的条件，正在为您办理，请留意后续消息。`,
      en: `The department corrected your record and ${p.policyTitle.en} was decided again: you qualify, and it is being arranged for you. Watch for the next message.`,
    },
  }),
  'objection.revoked': (p) => ({
    title: { zh: `「${p.policyTitle.zh}」异议复核：已撤销`, en: `Objection re-evaluated: ${p.policyTitle.en} revoked` },
    body: {
      zh: `经核实，相关部门已更正数据并重新判定，您不再符合「${p.policyTitle.zh}」的条件，该待遇已撤销。如有疑问可再次提出异议。`,
      en: `The department corrected the record and ${p.policyTitle.en} was decided again: you no longer qualify, and it has been revoked. You may object again.`,
    },
  }),
  'objection.unchanged': (p) => ({
    title: { zh: `「${p.policyTitle.zh}」异议复核完成`, en: `Objection re-evaluated: ${p.policyTitle.en}` },
    body: {
      zh: `已按您的异议重新判定「${p.policyTitle.zh}」（${p.period ?? ''}），待遇金额没有变化。`,
      en: `${p.policyTitle.en} (${p.period ?? ''}) was decided again on your objection; the amount is unchanged.`,
    },
  }),
  // Every correction applied to a citizen's record is told to them, whatever the re-evaluation decides (S4).
  'data.corrected': (p) => ({
    title: { zh: '您的数据记录已更正', en: 'Your record was corrected' },
    body: {
      zh: `${p.department?.zh ?? '数据所属部门'}已更正您的「${p.fact?.zh ?? '数据'}」记录（关于「${p.policyTitle.zh}」的异议），并将据此重新判定。如有疑问可联系我们。`,
      en: `${p.department?.en ?? 'The department that holds it'} corrected your record of ${p.fact?.en ?? 'a fact'} (your objection to ${p.policyTitle.en}); the decision will be made again on it. Contact us with any questions.`,
    },
  }),
  'objection.rejected': (p) => ({
    title: { zh: `「${p.policyTitle.zh}」异议未予支持`, en: `Objection not upheld: ${p.policyTitle.en}` },
    body: {
      zh: `经核实，您对「${p.policyTitle.zh}」提出的异议未予支持，原判定维持不变。如有疑问可联系我们。`,
      en: `Your objection to ${p.policyTitle.en} was examined and not upheld; the decision stands. Contact us with any questions.`,
    },
  }),
  // A recurring benefit that stops is told to the citizen (or their family), with the reason and the first period unpaid.
  'entitlement.ended': (p) => ({
    title: { zh: `「${p.policyTitle.zh}」已停发`, en: `${p.policyTitle.en} has stopped` },
    body: {
      zh: `「${p.policyTitle.zh}」自 ${p.period ?? ''} 起停止发放。原因：${p.reason?.zh ?? '不再符合条件'}。如有疑问可提出异议。`,
      en: `${p.policyTitle.en} is no longer paid from ${p.period ?? ''}. Reason: ${p.reason?.en ?? 'the conditions no longer hold'}. You may object if you think this is wrong.`,
    },
  }),
  'entitlement.suspended': (p) => ({
    title: { zh: `「${p.policyTitle.zh}」暂停发放`, en: `${p.policyTitle.en} is suspended` },
    body: {
      zh: `「${p.policyTitle.zh}」自 ${p.period ?? ''} 起暂停发放，待核实后恢复。原因：${p.reason?.zh ?? '数据暂缺'}。`,
      en: `${p.policyTitle.en} is suspended from ${p.period ?? ''} until it is checked. Reason: ${p.reason?.en ?? 'data is missing'}.`,
    },
  }),
  'entitlement.resumed': (p) => ({
    title: { zh: `「${p.policyTitle.zh}」恢复发放`, en: `${p.policyTitle.en} is paid again` },
    body: {
      zh: `「${p.policyTitle.zh}」自 ${p.period ?? ''} 起恢复发放。原因：${p.reason?.zh ?? '已核实符合条件'}。`,
      en: `${p.policyTitle.en} is paid again from ${p.period ?? ''}. Reason: ${p.reason?.en ?? 'the conditions were checked and hold'}.`,
    },
  }),
  // A proof-free application (依申请) decided by its department: approved, or refused with the reason.
  'application.approved': (p) => ({
    title: { zh: `您申请的「${p.policyTitle.zh}」已办结：准予`, en: `Approved: ${p.policyTitle.en}` },
    body: {
      zh: `您申请的「${p.policyTitle.zh}」经${p.department?.zh ?? '承办部门'}审核，准予办理。${p.reason?.zh ?? ''}`,
      en: `Your application for ${p.policyTitle.en} was approved by the ${p.department?.en ?? 'handling department'}. ${p.reason?.en ?? ''}`,
    },
  }),
  'application.refused': (p) => ({
    title: { zh: `您申请的「${p.policyTitle.zh}」未予准予`, en: `Not approved: ${p.policyTitle.en}` },
    body: {
      zh: `您申请的「${p.policyTitle.zh}」经${p.department?.zh ?? '承办部门'}审核，不予办理。理由：${p.reason?.zh ?? ''}。如有异议，可依法申请行政复议或提起行政诉讼。`,
      en: `Your application for ${p.policyTitle.en} was not approved by the ${p.department?.en ?? 'handling department'}. Reason: ${p.reason?.en ?? ''}. You may seek administrative review or bring a suit.`,
    },
  }),
  // An application whose asked-for proofs never came: it lapsed, and may be made again.
  'application.lapsed': (p) => ({
    title: { zh: `您申请的「${p.policyTitle.zh}」已终止`, en: `Lapsed: ${p.policyTitle.en}` },
    body: {
      zh: `您申请的「${p.policyTitle.zh}」所需补充的证明材料在规定期限内未收到，申请已终止，未作审核。您可随时重新申请；此前已取得的证明在有效期内无需再次提供。`,
      en: `The proofs asked for your application for ${p.policyTitle.en} did not come in time, so it has lapsed without a decision. You may apply again at any time; proofs already obtained are reused while valid.`,
    },
  }),
} satisfies Record<string, Render>;

export type NoticeTemplate = keyof typeof NOTICE_TEMPLATES;

export function isNoticeTemplate(name: string): name is NoticeTemplate {
  return Object.hasOwn(NOTICE_TEMPLATES, name);
}

/** Renders a notice in both languages. */
export function renderNotice(template: NoticeTemplate, params: NoticeParams): { title: Text; body: Text } {
  return NOTICE_TEMPLATES[template](params);
}
