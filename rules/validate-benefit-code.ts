/**
 * `benefit.code`: the benefit a policy grants, named by its code in the list of benefits
 * (domain/benefit-codes.ts), of the same kind as the policy's benefit. Optional in the format (a
 * shipped version is mapped by its policy id); the cross-checks warn when a version names none,
 * since the duplicate-benefit check compares codes.
 */
import { BENEFIT_CODE_PATTERN, findBenefitCode } from '../domain/benefit-codes.js';
import type { Issues } from './validate-support.js';

const KIND_ZH: Record<string, string> = { cash: '现金', service: '服务', card: '证卡', enrollment: '入学' };

/** Checks `benefit.code` when present: a listed code whose kind is the benefit's. */
export function checkBenefitCode(issues: Issues, kind: string, code: unknown): void {
  if (code === undefined) return;
  if (typeof code !== 'string' || !BENEFIT_CODE_PATTERN.test(code)) {
    issues.add(
      'benefit.code',
      'must be a benefit code from the list of benefits, e.g. "ELDER-ALLOWANCE" (GET /catalog benefitCodes)',
      '须为待遇目录中的待遇编码，例如 "ELDER-ALLOWANCE"（见 GET /catalog 的 benefitCodes）',
    );
    return;
  }
  const listed = findBenefitCode(code);
  if (!listed) {
    issues.add(
      'benefit.code',
      `"${code}" is not in the list of benefits (domain/benefit-codes.ts, GET /catalog benefitCodes)`,
      `待遇编码 "${code}" 不在待遇目录中`,
    );
    return;
  }
  if (listed.kind !== kind)
    issues.add(
      'benefit.code',
      `"${code}" (${listed.name.en}) is a ${listed.kind} benefit, but this benefit's kind is ${kind}`,
      `待遇编码 "${code}"（${listed.name.zh}）为${KIND_ZH[listed.kind]}类待遇，与本待遇的类别（${KIND_ZH[kind] ?? kind}）不符`,
    );
}
