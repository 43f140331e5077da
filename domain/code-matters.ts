/**
 * The matters a verifier may check with a resident or enterprise code (核验事项), as data: what a
 * scan for the matter may see — which certificate types (and, of each, which fields), and which
 * yes/no claims. A verifier is registered for some matters (store/verifiers.ts); a scan names one,
 * and reveals only what the holder chose to show and the matter allows (一码亮证, 最小必要). A new
 * matter is a row here. Pure: the console bundles it.
 */
import type { Text } from './sources.js';

/** A certificate type a matter may see, and which of its fields (all, sensitive ones masked, when absent). */
export interface MatterCertificate {
  type: string;
  fields?: readonly string[];
}

/** A matter: what scanning a code for it may reveal. */
export interface CodeMatter {
  /** kebab-case. */
  id: string;
  title: Text;
  certificates: readonly MatterCertificate[];
  /** The claims (domain/code-claims.ts) it may ask, each about a certificate type. */
  claims: ReadonlyArray<{ claim: string; certificateType: string }>;
}

export const CODE_MATTERS: readonly CodeMatter[] = [
  {
    // A park, a museum or a transit operator giving seniors their concession: the card's concessions and
    // birth year (not the district), or only whether one is held.
    id: 'senior-concession',
    title: { zh: '老年人优待核验', en: 'senior concession check' },
    certificates: [{ type: 'senior-preferential-card', fields: ['birthDate', 'entitlements'] }],
    claims: [{ claim: 'holds-valid-certificate', certificateType: 'senior-preferential-card' }],
  },
  {
    // A bank, an employer or a landlord checking what was decided for the holder (a grant's amount, a refusal).
    id: 'benefit-decision',
    title: { zh: '待遇决定核验', en: 'benefit decision check' },
    certificates: [{ type: 'decision-letter' }],
    claims: [{ claim: 'holds-valid-certificate', certificateType: 'decision-letter' }],
  },
  {
    // The school the child enrolls at.
    id: 'school-enrollment',
    title: { zh: '入学通知核验', en: 'school enrollment check' },
    certificates: [{ type: 'school-enrollment-notice' }],
    claims: [{ claim: 'holds-valid-certificate', certificateType: 'school-enrollment-notice' }],
  },
];

/** A matter by ID, or undefined. */
export const codeMatter = (id: string): CodeMatter | undefined => CODE_MATTERS.find((matter) => matter.id === id);

/** What a matter allows of a certificate type: its entry (the fields it may see), or undefined. */
export const matterCertificate = (matter: CodeMatter, type: string): MatterCertificate | undefined =>
  matter.certificates.find((entry) => entry.type === type);

/** Whether a matter may ask a claim about a certificate type. */
export const matterAsks = (matter: CodeMatter, claim: string, certificateType: string): boolean =>
  matter.claims.some((entry) => entry.claim === claim && entry.certificateType === certificateType);
