/**
 * Why a bank did not pay a line: ISO 20022 external status reason codes (ExternalStatusReason1Code)
 * a Chinese bank returns for a benefit credit transfer, in both languages. `accountProblem` marks
 * the reasons fixed by correcting the beneficiary's account (the line is paid again once it is);
 * the others need an officer to look.
 */
import type { Text } from '../../../domain/sources.js';

/** A reason code with its text in both languages, and whether correcting the account fixes it. */
export interface StatusReason {
  code: string;
  text: Text;
  accountProblem: boolean;
}

const reason = (code: string, zh: string, en: string, accountProblem: boolean): StatusReason => ({
  code,
  text: { zh, en },
  accountProblem,
});

/** The codes we expect from the bank; any other code is still reported, with a generic text. */
export const STATUS_REASONS: ReadonlyMap<string, StatusReason> = new Map(
  [
    reason('AC01', '收款账号错误', 'incorrect account number', true),
    reason('AC03', '收款账号无效', 'invalid creditor account number', true),
    reason('AC04', '收款账户已销户', 'account closed', true),
    reason('AC06', '收款账户已冻结', 'account blocked', true),
    reason('AG01', '该账户不允许此类交易', 'transaction forbidden on this account', true),
    reason('BE01', '户名与账号不符', 'name does not match the account holder', true),
    reason('RC01', '收款行行号错误', 'incorrect bank identifier', true),
    reason('AM04', '付款账户余额不足', 'insufficient funds in the paying account', false),
    reason('AM05', '重复支付', 'duplicate payment', false),
    reason('DT01', '日期无效', 'invalid date', false),
    reason('FF01', '文件格式错误', 'invalid file format', false),
    reason('MD07', '收款人已身故', 'end customer deceased', false),
    reason('MS02', '客户未说明原因', 'reason not specified by the customer', false),
    reason('MS03', '银行未说明原因', 'reason not specified by the bank', false),
    reason('NARR', '见附言说明', 'see the narrative', false),
  ].map((entry) => [entry.code, entry]),
);

/** The table's entry for a code, or a generic entry naming the unknown code. */
export function statusReason(code: string): StatusReason {
  return (
    STATUS_REASONS.get(code) ??
    reason(code, `银行退回，原因代码 ${code}`, `returned by the bank with reason code ${code}`, false)
  );
}

/** The reason table as docs/BANK-FILES.md shows it (test/unit/bank-files.test.ts compares them). */
export function renderReasons(): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(['code', '中文', 'English', 'fixed by correcting the account']),
    line(['---', '---', '---', '---']),
    ...[...STATUS_REASONS.values()].map((entry) =>
      line([`\`${entry.code}\``, entry.text.zh, entry.text.en, entry.accountProblem ? 'yes' : 'no']),
    ),
  ].join('\n');
}
