/**
 * The certificates a decision yields, issued by the workflow that acts on it (from its activities,
 * so a retry or a replay issues nothing twice: each certificate's business key is the grant's or
 * the decision's key): a decision letter (决定书) for every grant and every refusal (not for a
 * subject the event reached who was outside the policy's target group), sealed by the deciding
 * policy's department, and the certificate each type lists for the granted policy
 * (`onGrant` in domain/certificate-types.ts: the senior preferential card, the school enrollment
 * notice, the joint disability subsidies certificate), its fields from the decision's snapshot.
 */
import type { Connection } from 'mongoose';
import { CERTIFICATE_TYPES, SEALING_DEPARTMENTS } from '../../domain/certificate-types.js';
import type { CertificateFieldSource, CertificateType } from '../../domain/certificates.js';
import { periodStart, yuanToFen } from '../../domain/entitlements.js';
import type { Text } from '../../domain/sources.js';
import type { Decision, Policy } from '../../rules/types.js';
import { fenToYuan } from '../payroll/bank-files/money.js';
import { registerCertificateModel, revokeCertificateRecord } from '../../store/certificates.js';
import { issueCertificate } from './issue.js';
import type { SealDepartment, SealKeeper } from './seal-keeper.js';

export interface DecisionCertificateDeps {
  store: Connection;
  seals: SealKeeper;
}

/** What a decision's certificates are made from. */
export interface DecidedCase {
  subjectKey: string;
  policy: Pick<Policy, 'id' | 'title' | 'department' | 'reference' | 'summary' | 'benefit'>;
  decision: Pick<Decision, 'asOf' | 'period' | 'amount'> & { conditions?: Decision['conditions'] };
  /** The facts the decision was taken on (its snapshot). */
  facts: Record<string, unknown>;
  /** The city date of issue. */
  issuedOn: string;
  /** A reviewer's reason for a refusal decided outright (人工审核): the letter gives it instead of the failed conditions. */
  reason?: string;
}

const REMEDY =
  '如对本决定有异议，可在“我的决定”中提出异议（附证据），或自收到本决定之日起六十日内依法申请行政复议。' +
  ' If you disagree, object under "My decisions" with evidence, or apply for administrative review within 60 days.';

/**
 * The sealing department of a policy's department: the registry's department whose Chinese name
 * the policy's begins with (市卫生健康委员会（市老龄办） is sealed by 市卫生健康委员会), shown under the
 * policy's own name; undefined when none seals for it.
 */
export function sealingDepartmentOf(department: Text): SealDepartment | undefined {
  const match = Object.entries(SEALING_DEPARTMENTS)
    .filter(([id, name]) => id !== 'certificate-registry' && department.zh.startsWith(name.zh))
    .sort(([, a], [, b]) => b.zh.length - a.zh.length)[0];
  return match ? { department: match[0], name: department } : undefined;
}

/** The 1 September on or after `date` (the school year a child turning six joins). */
const schoolYearStart = (date: string): string => {
  const september = `${date.slice(0, 4)}-09-01`;
  return date <= september ? september : `${Number(date.slice(0, 4)) + 1}-09-01`;
};

function fieldValue(source: CertificateFieldSource, decided: DecidedCase): string | number | undefined {
  if ('fixed' in source) return source.fixed;
  if ('fact' in source) {
    const value = decided.facts[source.fact];
    return typeof value === 'string' || typeof value === 'number' ? value : undefined;
  }
  const { decision, policy } = decided;
  switch (source.decision) {
    case 'asOf':
      return decision.asOf;
    case 'periodStart':
      return decision.period === 'once' ? decision.asOf : periodStart(decision.period);
    case 'schoolYearStart':
      return schoolYearStart(decision.asOf);
    case 'benefit':
      return policy.benefit.description.zh;
  }
}

/** The conditions a refusal failed on, by their labels (a condition without one by its fact). */
function refusalReasons(decided: DecidedCase): string {
  if (decided.reason) return `不符合：${decided.reason}（经人工审核）`;
  const failed = (decided.decision.conditions ?? []).filter((leaf) => leaf.result === false);
  const named = [...new Set(failed.map((leaf) => leaf.label?.zh ?? leaf.fact))];
  return named.length > 0 ? `不符合：${named.join('；')}` : '不符合本政策的条件';
}

function letterFields(decided: DecidedCase, granted: boolean): Record<string, string> {
  const { policy, decision } = decided;
  return {
    policyTitle: policy.title.zh,
    outcome: granted ? '准予（主动兑现，免申即享）' : '不予',
    decidedOn: decision.asOf,
    ...(granted && decision.amount !== undefined && decision.amount > 0
      ? { amount: `${fenToYuan(yuanToFen(decision.amount))} 元` }
      : {}),
    reasons: granted ? `符合条件：${policy.summary?.zh ?? policy.benefit.description.zh}` : refusalReasons(decided),
    reference: policy.reference ?? policy.title.zh,
    remedy: REMEDY,
  };
}

/** The business key of the certificate of `type` a grant yields: issued and revoked under it. */
const grantCertificateKey = (grantKey: string, typeId: string): string => `${grantKey}:certificate:${typeId}`;

/** The types issued with a grant of this policy. */
export const typesOnGrant = (policyId: string): CertificateType[] =>
  [...CERTIFICATE_TYPES.values()].filter((type) => type.onGrant?.policies.includes(policyId));

/**
 * Issues a grant's certificates: its decision letter (`<grantKey>:letter`) and each type the policy
 * yields (`<grantKey>:certificate:<type>`). Returns the certificate IDs; a field a type requires
 * that the snapshot lacks fails the issue (the activity retries, then the workflow shows it).
 */
export async function issueGrantCertificates(
  deps: DecisionCertificateDeps,
  grantKey: string,
  decided: DecidedCase,
): Promise<string[]> {
  const ids: string[] = [];
  const letter = await issueLetter(deps, `${grantKey}:letter`, decided, true, grantKey);
  if (letter) ids.push(letter);
  for (const type of typesOnGrant(decided.policy.id)) {
    const fields = Object.fromEntries(
      Object.entries(type.onGrant!.fields).flatMap(([key, source]) => {
        const value = fieldValue(source, decided);
        if (value === undefined) return [];
        // A number fact shown in a text field (a disability grade of 2) is shown as its digits.
        const text = type.fields.find((field) => field.key === key)?.type !== 'number';
        return [[key, text ? String(value) : value]];
      }),
    );
    const { certificate } = await issueCertificate(deps, {
      key: grantCertificateKey(grantKey, type.id),
      type: type.id,
      holder: { subjectKey: decided.subjectKey },
      fields,
      issuedOn: decided.issuedOn,
      basis: { kind: type.id === 'school-enrollment-notice' ? 'enrollment' : 'grant', ref: grantKey },
    });
    ids.push(certificate.document.id);
  }
  return ids;
}

/**
 * Facts that only place a subject in or out of a policy's target group. A life event reaches every
 * policy its type triggers: a 60th birthday reaches the old-age allowance (from 80) and school
 * enrollment (at 6) as well as the senior card. Failing on one of these is not being refused
 * something: no one would expect a letter, and none is written.
 */
const TARGET_GROUP_FACTS: ReadonlySet<string> = new Set(['person.birthDate']);

/** Whether an ineligible decision refused the subject (it failed on more than being outside the target group). */
export const isRefusal = (conditions: Decision['conditions']): boolean =>
  !conditions.some((leaf) => leaf.result === false && TARGET_GROUP_FACTS.has(leaf.fact));

/**
 * Issues a refusal's decision letter (`<decisionKey>:letter`): its ID, or undefined when the
 * subject was only outside the policy's target group (`isRefusal`) or no department seals for it.
 */
export async function issueRefusalLetter(
  deps: DecisionCertificateDeps,
  decisionKey: string,
  decided: DecidedCase,
): Promise<string | undefined> {
  if (!isRefusal(decided.decision.conditions ?? [])) return undefined;
  return issueLetter(deps, `${decisionKey}:letter`, decided, false, decisionKey);
}

async function issueLetter(
  deps: DecisionCertificateDeps,
  key: string,
  decided: DecidedCase,
  granted: boolean,
  ref: string,
): Promise<string | undefined> {
  const department = sealingDepartmentOf(decided.policy.department);
  if (!department) return undefined;
  const { certificate } = await issueCertificate(deps, {
    key,
    type: 'decision-letter',
    holder: { subjectKey: decided.subjectKey },
    fields: letterFields(decided, granted),
    issuedOn: decided.issuedOn,
    basis: { kind: granted ? 'grant' : 'decision', ref },
    departments: [department],
  });
  return certificate.document.id;
}

/**
 * Revokes the certificates a grant yielded (the card, the notice; not its decision letter, which
 * stays the record of what was decided then) when the grant is revoked — an objection found the
 * subject ineligible, an inspection found a pledge false: the revocation list then names them, and
 * every verifier refuses them. Each keeps its first revocation; returns the IDs revoked.
 */
export async function revokeGrantCertificates(
  store: Connection,
  grant: { key: string; policyId: string },
  reason: string,
): Promise<string[]> {
  const keys = typesOnGrant(grant.policyId).map((type) => grantCertificateKey(grant.key, type.id));
  if (keys.length === 0) return [];
  const issued = await registerCertificateModel(store)
    .find({ key: { $in: keys } }, { _id: 1 })
    .lean();
  const at = new Date();
  for (const { _id } of issued) await revokeCertificateRecord(store, _id, { at, reason, by: GRANT_REVOCATION });
  return issued.map(({ _id }) => _id);
}

/** Who revokes a certificate with its grant: the grant's own revocation, not a person. */
export const GRANT_REVOCATION = 'applyfree:grant-revoked';
