/**
 * The list of matters and the proofs they accept (用证事项清单), as data. A matter (事项) is
 * something a citizen or a firm applies for at a department; each proof it used to require
 * (户口簿, 结婚证, 收入证明, 营业执照, …) says how it is now replaced — shared data (which catalog
 * facts), a verification by the certifying department (which claim, domain/verification-claims.ts),
 * an electronic certificate (which type), the applicant's pledge (告知承诺), or cancelled outright —
 * or that it is still needed on paper. Each form field says whether shared data fills it (免填写).
 *
 * The list is versioned and published like policies; the seeds' 只增不减 rule (a new version may
 * neither drop a matter nor turn a replaced proof back into paper) is checked when a version is
 * validated. The shipped starter list is domain/matters-starter.ts. Pure: the console bundles it.
 */
import type { SubjectKind, Text } from './sources.js';

/** The level of government that handles the matter. */
export type JurisdictionLevel = 'city' | 'county' | 'township';
export const JURISDICTION_LEVELS: readonly JurisdictionLevel[] = ['city', 'county', 'township'];

/** How a proof the matter used to require is obtained now. */
export type ReplacementMethod = 'sharing' | 'verification' | 'certificate' | 'pledge' | 'cancelled' | 'paper';
export const REPLACEMENT_METHODS: readonly ReplacementMethod[] = [
  'sharing',
  'verification',
  'certificate',
  'pledge',
  'cancelled',
  'paper',
];

export type ProofReplacement =
  /** 数据共享: the handling department reads these catalog facts itself (with an access record). */
  | { method: 'sharing'; facts: readonly string[] }
  /** 部门核验: the certifying department answers the claim yes / no / cannot-tell. */
  | { method: 'verification'; claim: string }
  /** 电子证照: the holder presents a certificate of this type (domain/certificate-types.ts) from the wallet. */
  | { method: 'certificate'; certificateType: string }
  /** 告知承诺: the applicant signs this statement; the department may inspect later. */
  | { method: 'pledge'; statement: Text }
  /** 直接取消: no longer asked for, on this basis. */
  | { method: 'cancelled'; basis: Text }
  /** Still needed on paper (an upload of a scan). */
  | { method: 'paper' };

export interface MatterProof {
  /** kebab-case, unique within the matter, kept across versions (只增不减 compares by it). */
  id: string;
  /** The paper proof as people knew it, e.g. 户口簿, 结婚证. */
  title: Text;
  /** Who issued the paper proof. */
  issuedBy: Text;
  replacement: ProofReplacement;
}

export type FieldInput = 'text' | 'number' | 'date' | 'boolean';

export interface MatterField {
  /** kebab-case, unique within the matter. */
  id: string;
  label: Text;
  /** The catalog fact that fills it (免填写); absent: the applicant types it. */
  fact?: string;
  /** What the applicant types when no fact fills it. */
  input?: FieldInput;
  required: boolean;
}

export interface Matter {
  /** kebab-case. */
  id: string;
  subject: SubjectKind;
  title: Text;
  /** The handling department: its kebab-case ID and name. */
  department: { id: string; name: Text };
  /** The law or rule the matter is handled under (设定依据). */
  legalBasis: Text;
  level: JurisdictionLevel;
  /** 法定办结时限, in working days (domain/calendar.ts). */
  timeLimitWorkingDays: number;
  fields: readonly MatterField[];
  proofs: readonly MatterProof[];
  /** The claims (domain/verification-claims.ts) other departments may verify for this matter. */
  claims: readonly string[];
}

/** A version of the whole list, as published. */
export interface MatterList {
  version: number;
  /** The day it took effect (ISO date); absent on a draft. */
  publishedOn?: string;
  matters: readonly Matter[];
}

/** A matter is fully proof-free when no proof is still needed on paper. */
export const proofFree = (matter: Matter): boolean => matter.proofs.every((p) => p.replacement.method !== 'paper');

/** The list in force in this process: the shipped starter list until the store's published version is put in force. */
let inForce: MatterList | undefined;

/** Puts a published list in force in this process (services/matters keeps it in step with the store). */
export function putMattersInForce(list: MatterList): void {
  inForce = list;
}

/** The list in force. */
export function mattersInForce(): MatterList {
  if (!inForce)
    throw new Error(
      'no list of matters is in force: the starter list (domain/matters-starter.ts) is put in force when it loads',
    );
  return inForce;
}

/** A matter of the list in force by ID, or undefined. */
export const findMatter = (id: string): Matter | undefined => mattersInForce().matters.find((m) => m.id === id);
