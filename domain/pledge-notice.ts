/**
 * The one-time written notice of a pledge (告知承诺书, Rizhao standard DB 3711/T 143—2023 3.6, 8.1;
 * Dezhou plan 三（一）): the administration tells the applicant in writing, once, what they must
 * prove, what they pledge, how it will be inspected and what a false pledge costs; the applicant
 * signs that text. The text is built here from the pinned policy alone, so the same pledge gives
 * the same text on every retry, and its content hash (activities/pledges.ts) is what a signature names.
 * Pure: the console bundles this file.
 */
import type { Text } from './sources.js';

export interface PledgeNoticeInput {
  policyTitle: Text;
  department: Text;
  /** The policy's legal basis, cited as it is. */
  reference: string;
  statement: Text;
  obligations: readonly Text[];
  pledgedFacts: ReadonlyArray<{ fact: string; label: Text }>;
  amount?: number;
  period: string;
  /** The last day a signature is taken (ISO date). */
  signBy: string;
  inspectAfterDays: number;
  /** 'always': a high-risk pledge, inspected on site; 'possible': the policy samples some on site; 'no': by data only. */
  onSite: 'always' | 'possible' | 'no';
  creditBlockDays: number;
}

/** The notice as sent: one text per language, numbered sections, nothing that differs between two sends. */
export interface PledgeNoticeText {
  zh: string;
  en: string;
}

const yuan = (amount?: number) =>
  amount === undefined ? undefined : amount.toLocaleString('en-US', { maximumFractionDigits: 2 });

/** The written notice of a pledge, in Chinese and English. */
export function pledgeNoticeText(input: PledgeNoticeInput): PledgeNoticeText {
  const amount = yuan(input.amount);
  const facts = input.pledgedFacts;
  const onSiteZh = {
    always: '因金额较大，本事项将由核查人员到经营场所现场核查。',
    possible: '部分承诺事项将按比例抽取，由核查人员到现场核查。',
    no: '',
  }[input.onSite];
  const onSiteEn = {
    always: 'Because of its amount, an inspector will also inspect it on site at your premises.',
    possible: 'Some pledges are drawn for an on-site inspection by an inspector.',
    no: '',
  }[input.onSite];
  const zh = [
    `告知承诺书（一次性书面告知）`,
    `事项：${input.policyTitle.zh}（${input.period}）${amount ? `，金额 ${amount} 元` : ''}`,
    `告知部门：${input.department.zh}`,
    `依据：${input.reference}`,
    `一、证明义务与承诺内容`,
    input.statement.zh,
    ...input.obligations.map((o, i) => `${i + 1}. ${o.zh}`),
    `二、承诺事项（不再索要证明，依据您的书面承诺办理）`,
    ...facts.map((f) => `- ${f.label.zh}`),
    `三、核查`,
    `发放后 ${input.inspectAfterDays} 日内，将向出具证明的部门核查上述承诺事项。${onSiteZh}`,
    `四、不实承诺的法律责任`,
    `经核查承诺不实的：撤销已办理的事项，追回已发放的资金，不实承诺记入信用记录，并自记录之日起 ${input.creditBlockDays} 日内不得再以告知承诺方式办理，改为核验证明后办理。`,
    `五、签署`,
    `请于 ${input.signBy} 前签署本承诺书（手机一键签署或到窗口签署纸质承诺书）。逾期未签署的，不予办理。`,
  ].join('\n');
  const en = [
    `Written notice of a pledge (one-time, in writing)`,
    `Matter: ${input.policyTitle.en} (${input.period})${amount ? `, CNY ${amount}` : ''}`,
    `Notified by: ${input.department.en}`,
    `Legal basis: ${input.reference}`,
    `1. What must be proved, and what you pledge`,
    input.statement.en,
    ...input.obligations.map((o, i) => `${i + 1}. ${o.en}`),
    `2. The pledged facts (no certificate is asked for: your written pledge stands in for it)`,
    ...facts.map((f) => `- ${f.label.en}`),
    `3. Inspection`,
    `Within ${input.inspectAfterDays} days of the grant, the pledged facts are checked with the departments that certify them.${onSiteEn ? ` ${onSiteEn}` : ''}`,
    `4. The legal consequence of a false pledge`,
    `If the inspection finds the pledge false, the grant is revoked, what was paid is recovered, the false pledge is entered on your credit record, and for ${input.creditBlockDays} days from that record you cannot use pledge mode: your certificates are verified first instead.`,
    `5. Signature`,
    `Sign this pledge by ${input.signBy} (one tap on your phone, or a paper form at a service window). Without a signature by then, nothing is granted.`,
  ].join('\n');
  return { zh, en };
}
