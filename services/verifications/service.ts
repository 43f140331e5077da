/**
 * Verifications over the API (证明核验): what a department, signed, may ask and see — verify a
 * claim its matter lists, poll its own verifications, read its own log — and what the certifying
 * department does with a claim answered by its procedure: list those pending for it (with the
 * subject's identifier, which its procedure needs, in the body only) and answer them. Staff:
 * supervisors read every verification (the subject masked) and answer a pending one for the
 * certifying department when it answers on paper. The answering itself is answer.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { authorize } from '../../domain/permissions.js';
import type { SubjectKind, Text } from '../../domain/sources.js';
import type { ClaimAnswer } from '../../domain/verification-claims.js';
import { verificationClaim } from '../../domain/verification-claims.js';
import { findMatter } from '../../domain/matters.js';
import { resolveSubject, staffMaskedSubject } from '../../store/subjects.js';
import type { User } from '../../store/users.js';
import {
  findVerification,
  listVerifications,
  type VerificationRecord,
  type VerificationStatus,
} from '../../store/verifications.js';
import type { DepartmentPrincipal } from '../departments/authenticate.js';
import {
  answerClaimFor,
  answerOf,
  answerPendingVerification,
  requesterName,
  VerificationRefusal,
  type VerificationAnswer,
  type VerificationDeps,
} from './answer.js';

/** What a department sends to POST /verifications: the raw ID in the body, never in a URL. */
export interface VerificationBody {
  matter?: unknown;
  claim?: unknown;
  subject?: { kind?: unknown; id?: unknown };
  /** The department's key for this request: a retry with the same key answers the first verification. */
  requestKey?: unknown;
  purpose?: unknown;
}

export interface VerificationLogQuery {
  status?: VerificationStatus;
  requester?: string;
  certifiedBy?: string;
  limit?: number;
}

/** A verification as a log shows it: never the facts, never the subject's identifier. */
export interface VerificationLogEntry extends VerificationAnswer {
  status: VerificationStatus;
  matter: { id: string; title?: { zh: string; en: string } };
  claim: { id: string; statement?: { zh: string; en: string } };
  requester: { kind: 'department' | 'application'; id: string; department?: string; name: Text };
  subjectKind: SubjectKind;
  requestedAt: string;
  answeredAt?: string;
  answeredBy?: { kind: 'department' | 'staff'; id: string; name?: string };
  reference?: string;
  /** A pending answer past its time limit (逾期未答复). */
  overdue?: true;
}

/** A pending verification as the certifying department sees it: with the identifier its procedure needs. */
export interface PendingForCertifier extends VerificationLogEntry {
  subject: { kind: SubjectKind; id?: string };
}

export interface VerificationService {
  request(department: DepartmentPrincipal, body: VerificationBody): Promise<VerificationAnswer>;
  show(department: DepartmentPrincipal, id: string): Promise<VerificationLogEntry>;
  log(department: DepartmentPrincipal, query: VerificationLogQuery): Promise<VerificationLogEntry[]>;
  pending(department: DepartmentPrincipal): Promise<PendingForCertifier[]>;
  answer(
    department: DepartmentPrincipal,
    id: string,
    body: { answer?: unknown; reference?: unknown },
  ): Promise<VerificationAnswer>;
  staffLog(actor: User, query: VerificationLogQuery): Promise<Array<VerificationLogEntry & { subject?: string }>>;
  staffAnswer(actor: User, id: string, body: { answer?: unknown; reference?: unknown }): Promise<VerificationAnswer>;
}

const invalid = (field: string, en: string, zh: string): never => {
  throw new VerificationRefusal('BAD_REQUEST', `${field}: ${en}`, zh, field);
};

const text = (value: unknown, field: string, max: number): string => {
  if (typeof value !== 'string' || !value.trim() || value.length > max)
    invalid(field, `a string of 1 to ${max} characters`, `${field} 应为1至${max}个字符`);
  return (value as string).trim();
};

/** A record as a log shows it at `now` (a pending one past its due time is marked overdue). */
export function logEntry(record: VerificationRecord, now: Date): VerificationLogEntry {
  const matter = findMatter(record.matter);
  const claim = verificationClaim(record.claim);
  return {
    ...answerOf(record),
    status: record.status,
    matter: { id: record.matter, ...(matter ? { title: matter.title } : {}) },
    claim: { id: record.claim, ...(claim ? { statement: claim.statement } : {}) },
    requester: { ...record.requester, name: requesterName(matter, record.requester) },
    subjectKind: record.subjectKind,
    requestedAt: record.requestedAt.toISOString(),
    ...(record.answeredAt ? { answeredAt: record.answeredAt.toISOString() } : {}),
    ...(record.answeredBy ? { answeredBy: record.answeredBy } : {}),
    ...(record.reference ? { reference: record.reference } : {}),
    ...(record.status === 'pending' && record.dueAt && record.dueAt.getTime() < now.getTime()
      ? { overdue: true as const }
      : {}),
  };
}

export function createVerificationService(deps: VerificationDeps): VerificationService {
  const store: Connection = deps.store;
  const clock = deps.now ?? (() => new Date());
  const notFound = (id: string): never => {
    throw new VerificationRefusal('VERIFICATION_NOT_FOUND', `no verification ${id}`, `没有核验 ${id}`, 'id');
  };

  return {
    async request(department, body) {
      const subject = body.subject ?? {};
      const kind = subject.kind;
      if (kind !== 'person' && kind !== 'enterprise')
        invalid('subject.kind', 'person or enterprise', '核验对象类型应为 person 或 enterprise');
      const requestKey = body.requestKey === undefined ? randomUUID() : text(body.requestKey, 'requestKey', 100);
      return answerClaimFor(deps, {
        matter: text(body.matter, 'matter', 100),
        claim: text(body.claim, 'claim', 100),
        subject: { kind: kind as SubjectKind, idValue: text(subject.id, 'subject.id', 30) },
        requester: { kind: 'department', id: department.department, department: department.department },
        idempotencyKey: requestKey,
        ...(typeof body.purpose === 'string' && body.purpose.trim() ? { purpose: body.purpose.trim() } : {}),
      });
    },

    /** The requester polls its own; the certifying department sees those it certifies. Others: not found. */
    async show(department, id) {
      const record = await findVerification(store, id);
      if (!record || (record.requester.id !== department.department && record.certifiedBy !== department.department))
        return notFound(id);
      return logEntry(record, clock());
    },

    async log(department, query) {
      const records = await listVerifications(store, {
        requester: department.department,
        ...(query.status ? { status: query.status } : {}),
        ...(query.limit ? { limit: query.limit } : {}),
      });
      const now = clock();
      return records.map((record) => logEntry(record, now));
    },

    async pending(department) {
      const records = await listVerifications(store, { certifiedBy: department.department, status: 'pending' });
      // The soonest due first, so what is overdue heads the department's list.
      records.sort((a, b) => (a.dueAt?.getTime() ?? 0) - (b.dueAt?.getTime() ?? 0));
      return Promise.all(
        records.map(async (record) => {
          const resolved = await resolveSubject(store, record.subjectKey);
          const id = record.subjectKind === 'person' ? resolved?.idNumber : resolved?.creditCode;
          return { ...logEntry(record, clock()), subject: { kind: record.subjectKind, ...(id ? { id } : {}) } };
        }),
      );
    },

    async answer(department, id, body) {
      return answerPendingVerification(deps, {
        verificationId: id,
        answer: body.answer as ClaimAnswer,
        by: { kind: 'department', id: department.department },
        ...(typeof body.reference === 'string' && body.reference.trim() ? { reference: body.reference.trim() } : {}),
      });
    },

    async staffLog(actor, query) {
      authorize(actor, 'verification.read', VerificationRefusal);
      const records = await listVerifications(store, {
        ...(query.requester ? { requester: query.requester } : {}),
        ...(query.certifiedBy ? { certifiedBy: query.certifiedBy } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(query.limit ? { limit: query.limit } : {}),
      });
      return Promise.all(
        records.map(async (record) => {
          const { masked } = await staffMaskedSubject(store, record.subjectKey);
          return { ...logEntry(record, clock()), ...(masked ? { subject: masked } : {}) };
        }),
      );
    },

    async staffAnswer(actor, id, body) {
      authorize(actor, 'verification.answer', VerificationRefusal);
      return answerPendingVerification(deps, {
        verificationId: id,
        answer: body.answer as ClaimAnswer,
        by: { kind: 'staff', id: actor.id, name: actor.name },
        ...(typeof body.reference === 'string' && body.reference.trim() ? { reference: body.reference.trim() } : {}),
      });
    },
  };
}
