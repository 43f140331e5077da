/**
 * A refused request, as every layer raises it: a stable code from one registry, the message in
 * English and Chinese, the field at fault and, for documents, each issue with its path. No
 * transport here: each code has a kind (invalid, forbidden, not found…), and only the HTTP
 * adapter (api/errors.ts) turns a kind into a status. Each service names its own subclass,
 * narrowing `code` to the codes it answers, so callers and tests can tell what refused them.
 */

/** What kind of refusal a code is; api/errors.ts maps each kind to one HTTP status. */
export type RefusalKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'unprocessable'
  | 'rate-limited'
  | 'misdirected'
  | 'unavailable';

/**
 * Every refusal code applyfree answers with, and its kind. A new refusal adds its code here
 * first, so the same code never means two things and clients can rely on the list.
 */
export const REFUSAL_CODES = {
  // The request itself is wrong: a field's shape or value.
  BAD_REQUEST: 'invalid',
  BAD_DATE: 'invalid',
  BAD_FILTER: 'invalid',
  BAD_VALUE: 'invalid',
  /** An event dated earlier than its department's back-dating window allows (field occurredOn). */
  BACKDATED: 'invalid',
  INVALID_AS_OF: 'invalid',
  INVALID_CREDIT_CODE: 'invalid',
  INVALID_EVENT: 'invalid',
  INVALID_FACTS: 'invalid',
  INVALID_INPUT: 'invalid',
  INVALID_RESIDENT_ID: 'invalid',
  NOT_CORRECTABLE: 'invalid',
  REASON_REQUIRED: 'invalid',
  /** A user ID that names no user (an inspector assigned by ID, field inspectorId). */
  UNKNOWN_USER: 'invalid',
  /** A user who is not an active inspector, named where an inspector is asked for. */
  NOT_AN_INSPECTOR: 'invalid',
  /** A user named as a task's assignee whose roles do not handle that type of task (domain/tasks.ts TASK_ROLES; field assigneeId). */
  NOT_A_HANDLER: 'invalid',
  UNKNOWN_FACT: 'invalid',
  /** A data-catalog addition that cannot be published: the field at fault (facts[0].unit, source.id…). */
  CATALOG_INVALID: 'invalid',
  /** A version of the list of matters that cannot be published: every problem at its path (domain/matters-validate.ts). */
  MATTERS_INVALID: 'invalid',
  /** A bank file (payment status report, return file) that cannot be read: the line or element at fault. */
  BAD_BANK_FILE: 'invalid',
  /** A resident or enterprise code that applyfree did not issue, or that was changed (field code). */
  TAMPERED: 'invalid',
  /** A scan naming a matter that is not one (domain/code-matters.ts; field matter). */
  UNKNOWN_MATTER: 'invalid',
  /** A code asked to show a claim that is not one, or about a certificate type that is not one (domain/code-claims.ts). */
  UNKNOWN_CLAIM: 'invalid',
  /** A verification naming a claim that is not one (domain/verification-claims.ts; field claim). */
  UNKNOWN_VERIFICATION_CLAIM: 'invalid',
  /** A verification naming a matter that is not on the list in force (domain/matters.ts; field matter). */
  UNKNOWN_LISTED_MATTER: 'invalid',
  /** A certificate type that is not in the catalog of certificate types (field type). */
  UNKNOWN_CERTIFICATE_TYPE: 'invalid',
  /** A certificate that cannot be issued as asked: the field, holder or department at fault. */
  INVALID_CERTIFICATE: 'invalid',
  // Who is asking.
  UNAUTHENTICATED: 'unauthenticated',
  /** A department route without a valid signed request: one answer whatever part was wrong. */
  DEPARTMENT_UNAUTHENTICATED: 'unauthenticated',
  /** A verifiers' route (POST /codes/scan) without a valid signed request: one answer whatever part was wrong. */
  VERIFIER_UNAUTHENTICATED: 'unauthenticated',
  /** A session that ended: idle or absolute limit, signed out, revoked, or its user disabled; sign in again. */
  SESSION_EXPIRED: 'unauthenticated',
  /** A sign-in through the identity provider that did not succeed (the reason is logged, not answered). */
  SIGN_IN_REFUSED: 'unauthenticated',
  /** A cookie-authenticated change without the console's header: not sent by the console, so refused (CSRF). */
  CSRF_REFUSED: 'forbidden',
  /** Staff sign in at the console through the identity provider when one is configured, not with a token. */
  SIGN_IN_WITH_PROVIDER: 'forbidden',
  FORBIDDEN_ROLE: 'forbidden',
  /** A department claiming an event `source`, or publishing an event type, it is not registered for. */
  SOURCE_NOT_ALLOWED: 'forbidden',
  EVENT_TYPE_NOT_ALLOWED: 'forbidden',
  FORBIDDEN_SUBJECT: 'forbidden',
  /** A verifier scanning for a matter it is not registered for (field matter). */
  MATTER_NOT_ALLOWED: 'forbidden',
  /** A code showing nothing the scan's matter may see (the holder chose another certificate or claim). */
  NOT_SHOWN: 'forbidden',
  FOUR_EYES: 'forbidden',
  NOT_ASSIGNED: 'forbidden',
  /** A window visit opened by another member of staff: only the one serving the person acts in it (at-the-window). */
  NOT_YOUR_VISIT: 'forbidden',
  /** A task step only its holder takes (completing it; releasing it, besides a supervisor): someone else holds it, or nobody yet. */
  NOT_TASK_HOLDER: 'forbidden',
  /** A fact request withdrawn by someone other than the officer who filed it. */
  NOT_FILER: 'forbidden',
  // What is asked for does not exist (or is not the caller's to see).
  NOT_FOUND: 'not-found',
  CASE_NOT_FOUND: 'not-found',
  DECISION_NOT_FOUND: 'not-found',
  NO_PLEDGE: 'not-found',
  NO_SIMULATION: 'not-found',
  NO_SWEEP: 'not-found',
  NO_VERSION_IN_FORCE: 'not-found',
  OBJECTION_NOT_FOUND: 'not-found',
  POLICY_NOT_FOUND: 'not-found',
  /** A data-catalog draft ID that names no draft. */
  CATALOG_DRAFT_NOT_FOUND: 'not-found',
  SUBJECT_NOT_FOUND: 'not-found',
  /** A draft of the list of matters that does not exist. */
  MATTER_DRAFT_NOT_FOUND: 'not-found',
  /** A matter the list in force does not hold. */
  MATTER_NOT_FOUND: 'not-found',
  /** A task that does not exist, or that the caller's role does not handle (the same answer). */
  TASK_NOT_FOUND: 'not-found',
  /** A seal ID the registry does not hold. */
  SEAL_NOT_FOUND: 'not-found',
  /** A department that has no seal and is not a sealing department. */
  UNKNOWN_DEPARTMENT: 'not-found',
  /** A certificate ID that names no certificate (or not the caller's). */
  CERTIFICATE_NOT_FOUND: 'not-found',
  /** A window visit ID that names no visit. */
  VISIT_NOT_FOUND: 'not-found',
  /** A verification ID that names no verification (or none the caller asked or certifies). */
  VERIFICATION_NOT_FOUND: 'not-found',
  /** A fact request ID that names no request (or, for a department, none addressed to it). */
  FACT_REQUEST_NOT_FOUND: 'not-found',
  /** A notice the person has not received, or a printed notice's check that names no print. */
  NOTICE_NOT_FOUND: 'not-found',
  /** An application (依申请) that does not exist, or that the caller may not see (field id). */
  APPLICATION_NOT_FOUND: 'not-found',
  /** Sign-in through an identity provider when none is configured. */
  SIGN_IN_NOT_CONFIGURED: 'not-found',
  // The record is not in a state that allows it.
  ALREADY_CORRECTED: 'conflict',
  CATALOG_CONFLICT: 'conflict',
  CHANGE_IN_PROGRESS: 'conflict',
  /** A policy version whose effective range the published versions of its policy leave no room for (field effective). */
  EFFECTIVE_OVERLAP: 'conflict',
  CHECKS_REQUIRED: 'conflict',
  /** A data correction is recorded and awaits a second person's confirmation. */
  CORRECTION_PENDING: 'conflict',
  NO_PENDING_CORRECTION: 'conflict',
  NO_RECORD: 'conflict',
  OBJECTION_CLOSED: 'conflict',
  OBJECTION_OPEN: 'conflict',
  OFFER_CLOSED: 'conflict',
  /** A window visit that was closed or has expired: open a new one with the person present. */
  VISIT_CLOSED: 'conflict',
  /** A pledge signed with a notice hash other than the written notice's (field noticeHash): the citizen reads the notice again. */
  NOTICE_CHANGED: 'conflict',
  /** A pledge signed a second time: the first signature stands. */
  ALREADY_SIGNED: 'conflict',
  /** A pledge signed after its signing period: it lapsed, nothing was granted. */
  PLEDGE_EXPIRED: 'conflict',
  /** A resident or enterprise code scanned a second time: each is good for one scan. */
  REPLAYED: 'conflict',
  POLICY_NOT_PUBLISHED: 'conflict',
  /** An erasure asked for while the subject has an open offer, pledge, objection or review: finish those first. */
  SUBJECT_HAS_OPEN_MATTERS: 'conflict',
  SWEEP_FINISHED: 'conflict',
  /** A task already done or cancelled: its outcome stands. */
  TASK_CLOSED: 'conflict',
  /** A verification already answered: its answer stands. */
  VERIFICATION_ANSWERED: 'conflict',
  /** A fact request already answered, refused or withdrawn: its outcome stands. */
  FACT_REQUEST_CLOSED: 'conflict',
  /** A task another person has claimed: they release it, or a supervisor reassigns it. */
  TASK_CLAIMED: 'conflict',
  /** A sweep that has not started: it waits for a reviewer's approval. */
  AWAITING_APPROVAL: 'conflict',
  WRONG_STATUS: 'conflict',
  /** An upload for a proof the application does not ask for (field proof): only what a failed replacement asks is taken. */
  PROOF_NOT_ASKED: 'conflict',
  // Well-formed, but the content cannot be used.
  /** A verification of a claim the matter does not list (field claim), or of a subject of the other kind (field subject.kind). */
  CLAIM_NOT_LISTED: 'unprocessable',
  /** An idempotency key used before for another request (field idempotencyKey): use a new key. */
  IDEMPOTENCY_KEY_REUSED: 'conflict',
  FACTS_UNAVAILABLE: 'unprocessable',
  /** A resident or enterprise code past its minute: the holder shows a fresh one. */
  EXPIRED: 'unprocessable',
  /** A sweep's date after today: sweeps grant, so they never screen a day to come. */
  FUTURE_AS_OF: 'unprocessable',
  POLICY_INVALID: 'unprocessable',
  POLICY_NOT_IN_FORCE: 'unprocessable',
  /** A payment batch that cannot go to the bank: a line's field, or a stated count or total its lines do not add up to. */
  INVALID_PAYMENT_BATCH: 'unprocessable',
  // Too many requests from one caller in the window; nothing was done.
  RATE_LIMITED: 'rate-limited',
  /** A request whose Host is not one of this API's names (a DNS-rebinding page's, say): refused before anything else. */
  HOST_NOT_ALLOWED: 'misdirected',
  // A dependency did not answer; nothing was done.
  ACCESS_RECORD_FAILED: 'unavailable',
  /** A department's seal cannot sign: its private key is missing or exposed (rotate the seal). */
  SEAL_UNAVAILABLE: 'unavailable',
} as const satisfies Record<string, RefusalKind>;

export type RefusalCode = keyof typeof REFUSAL_CODES;

/** One problem in a document, at its path. */
export interface RefusalIssue {
  path: string;
  message: string;
  messageZh?: string;
}

export class Refusal extends Error {
  /** What kind of refusal this is (from the code); the HTTP adapter maps it to a status. */
  readonly kind: RefusalKind;

  constructor(
    readonly code: RefusalCode,
    message: string,
    readonly messageZh: string,
    readonly field?: string,
    readonly issues?: ReadonlyArray<RefusalIssue>,
  ) {
    super(message);
    this.name = new.target.name;
    this.kind = REFUSAL_CODES[code];
  }
}
