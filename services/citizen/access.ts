/**
 * "Who used my data" (谁使用谁负责) for one citizen: every pull of their data for a case or a
 * sweep, the population sweeps and impact simulations that read everyone of their kind, staff
 * reads of their cases, reveals of their identifier, corrections of their records and the scans of
 * their codes (which verifier, for which matter, saw which certificate or claim) and their visits
 * to a service window (which window, which member of staff, why) — newest
 * first, the most recent ACCESS_LIMIT. Each store is asked for its own most recent
 * ACCESS_LIMIT with sort and limit in the query (MongoDB serves them from the `subjectKey, at`
 * indexes; FerretDB 1.24 filters and sorts inside the server and sends only those), then merged.
 */
import type { Connection } from 'mongoose';
import { certificateType } from '../../domain/certificate-types.js';
import { codeMatter } from '../../domain/code-matters.js';
import { findFact, findSource, type Text } from '../../domain/sources.js';
import { registerAccessRecordModel, type AccessOutcome } from '../../store/access-records.js';
import { registerCaseReadModel } from '../../store/case-reads.js';
import { scansOfHolder } from '../../store/codes.js';
import { correctionsOfSubject } from '../../store/corrections.js';
import { programmeReadsOf } from '../../store/programme-access.js';
import { resolveSubject } from '../../store/subjects.js';
import { unmasksOfSubject } from '../../store/unmask-log.js';
import { listVerifications } from '../../store/verifications.js';
import { findMatter } from '../../domain/matters.js';
import { verificationClaim } from '../../domain/verification-claims.js';

/** Entries answered at most. */
export const ACCESS_LIMIT = 200;

type Label = { id: string; version: number; title: Text };
type Field = { fact: string; label: Text };
type Person = { name: string; role?: string };

/** One entry of the citizen's access list; `kind` says which. */
export type AccessEntry =
  /** A department's data read for one of the citizen's cases, or for a sweep that acted on them. */
  | {
      kind: 'data-pull';
      at: string;
      department: Text;
      source: string;
      fields: Field[];
      purposes: string[];
      policy: Label;
      outcome: AccessOutcome;
    }
  /** A population sweep or impact simulation that read everyone of the citizen's kind. */
  | {
      kind: 'screening';
      at: string;
      programme: 'sweep' | 'simulation';
      departments: Text[];
      fields: Field[];
      purposes: string[];
      policy: Label;
      asOf: string;
      by: Person;
    }
  /** A supervisor or inspector opened one of the citizen's cases. */
  | { kind: 'case-read'; at: string; caseId: string; by: Person; purposes: string[] }
  /** A supervisor revealed the citizen's full identifier, with the reason they gave. */
  | { kind: 'unmask'; at: string; caseId: string; by: Person; reason: string }
  /** A supervisor had one of the citizen's decisions explained from their data, with the reason they gave. */
  | { kind: 'explanation'; at: string; caseId: string; policy: Label; by: Person; reason: string }
  /** A member of staff searched cases by the citizen's resident ID or credit code, with the reason they gave. */
  | { kind: 'subject-search'; at: string; by: Person; reason: string }
  /** Window staff served the citizen in person at a service window, having read their ID card, with the reason. */
  | { kind: 'window-visit'; at: string; by: Person; reason: string; window: string }
  /** A verifier scanned the citizen's code for a matter, and saw the certificate or the claim's answer they chose to show. */
  | {
      kind: 'code-scan';
      at: string;
      verifier: { name: Text; kind: string };
      matter: { id: string; title: Text };
      shown: {
        kind: 'certificate' | 'claim';
        certificateType: string;
        certificateTitle: Text;
        certificateId?: string;
        answer?: boolean;
      };
    }
  /**
   * A department verified a claim about the citizen for a matter (证明核验): who asked, what, and the
   * answer it got (never the data); `reused` when an archived answer served, with no new read.
   */
  | {
      kind: 'verification';
      at: string;
      department: Text;
      matter: { id: string; title: Text };
      claim: { id: string; statement: Text };
      certifiedBy: Text;
      answer: 'yes' | 'no' | 'cannot-tell' | 'pending';
      reused: boolean;
    }
  /** A department corrected the citizen's record, with the reason: recorded by one person, confirmed by a second. */
  | {
      kind: 'correction';
      at: string;
      department: Text;
      fields: Field[];
      reason: string;
      by: Person;
      confirmedBy?: Person;
    };

/** A fact's label in the catalog in force (a fact published since start is known too). */
const FIELD_LABELS = { get: (fact: string): Text | undefined => findFact(fact)?.field.label };
/** A source's department in the catalog in force. */
const DEPARTMENTS = { get: (source: string): Text | undefined => findSource(source)?.department };
const field = (fact: string): Field => ({ fact, label: FIELD_LABELS.get(fact) ?? { zh: fact, en: fact } });

/** A matter's title and handling department in the list in force (none in force: its ID). */
function matterOf(id: string) {
  try {
    return findMatter(id);
  } catch {
    return undefined;
  }
}
const matterTitle = (id: string): Text => matterOf(id)?.title ?? { zh: id, en: id };
const matterDepartment = (id: string): Text | undefined => matterOf(id)?.department.name;

/** YYYY-MM-DD from a resident ID's embedded birth date (GB 11643, characters 7-14). */
const bornOn = (id: string) => `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;

/** The citizen's access list, newest first; `label` names a policy version. */
export async function accessOf(
  store: Connection,
  subjectKey: string,
  label: (ref: { id: string; version: number }) => Promise<Label>,
): Promise<AccessEntry[]> {
  const subject = await resolveSubject(store, subjectKey);
  const kind = subject?.kind ?? (subjectKey.startsWith('e_') ? 'enterprise' : 'person');
  // A verification's reads are policy-less: they name the matter (`matter:<id>`) in place of a policy.
  const labelOf = async (ref: { id: string; version: number }): Promise<Label> => {
    if (!ref.id.startsWith('matter:')) return label(ref);
    const id = ref.id.slice('matter:'.length);
    return { id: ref.id, version: ref.version, title: matterTitle(id) };
  };
  const [pulls, programmes, reads, unmasks, corrections, scans, verifications] = await Promise.all([
    registerAccessRecordModel(store).find({ subjectKey }).sort({ at: -1 }).limit(ACCESS_LIMIT).lean(),
    programmeReadsOf(store, kind, ACCESS_LIMIT),
    registerCaseReadModel(store).find({ subjectKey }).sort({ at: -1 }).limit(ACCESS_LIMIT).lean(),
    unmasksOfSubject(store, subjectKey, ACCESS_LIMIT),
    correctionsOfSubject(store, subjectKey, ACCESS_LIMIT),
    scansOfHolder(store, subjectKey, ACCESS_LIMIT),
    listVerifications(store, { subjectKey, limit: ACCESS_LIMIT }),
  ]);
  // A resident born after the date a population was read as of was not in it.
  const birth = kind === 'person' && subject?.idNumber ? bornOn(subject.idNumber) : undefined;
  const entries: AccessEntry[] = [
    ...(await Promise.all(
      pulls.map(async (r): Promise<AccessEntry> => ({
        kind: 'data-pull',
        at: r.at.toISOString(),
        department: DEPARTMENTS.get(r.source) ?? { zh: r.department, en: r.department },
        source: r.source,
        fields: r.fields.map(field),
        purposes: r.purposes,
        policy: await labelOf({ id: r.policyId, version: r.policyVersion }),
        outcome: r.outcome,
      })),
    )),
    ...(await Promise.all(
      programmes
        .filter((p) => birth === undefined || p.asOf >= birth)
        .map(async (p): Promise<AccessEntry> => ({
          kind: 'screening',
          at: p.at.toISOString(),
          programme: p.kind,
          departments: p.sources.map((source) => DEPARTMENTS.get(source) ?? { zh: source, en: source }),
          fields: p.fields.map(field),
          purposes: p.purposes,
          policy: await label({ id: p.policyId, version: p.policyVersion }),
          asOf: p.asOf,
          by: { name: p.requestedBy, ...(p.role ? { role: p.role } : {}) },
        })),
    )),
    ...reads.map((r): AccessEntry => ({
      kind: 'case-read',
      at: r.at.toISOString(),
      caseId: r.caseId,
      by: { name: r.actor, role: r.role },
      purposes: [r.purpose],
    })),
    ...(await Promise.all(
      unmasks.map(async (u): Promise<AccessEntry> => {
        const common = { at: u.at.toISOString(), by: { name: u.actor, role: u.role }, reason: u.reason };
        if (u.kind === 'subject-search') return { kind: 'subject-search', ...common };
        if (u.kind === 'window-visit') return { kind: 'window-visit', ...common, window: u.window ?? '' };
        if (u.kind === 'explanation' && u.policyId)
          return {
            kind: 'explanation',
            ...common,
            caseId: u.caseId ?? '',
            policy: await label({ id: u.policyId, version: u.policyVersion ?? 0 }),
          };
        return { kind: 'unmask', ...common, caseId: u.caseId ?? '' };
      }),
    )),
    ...corrections.map((c): AccessEntry => ({
      kind: 'correction',
      at: c.at.toISOString(),
      department: DEPARTMENTS.get(c.source) ?? { zh: c.department, en: c.department },
      fields: [field(c.fact)],
      reason: c.reason,
      by: { name: c.by.name, role: c.by.role },
      ...(c.confirmedBy ? { confirmedBy: { name: c.confirmedBy.name, role: c.confirmedBy.role } } : {}),
    })),
    ...scans.map((scan): AccessEntry => ({
      kind: 'code-scan',
      at: scan.at.toISOString(),
      verifier: { name: { zh: scan.verifier.name.zh, en: scan.verifier.name.en }, kind: scan.verifier.kind },
      matter: { id: scan.matter, title: codeMatter(scan.matter)?.title ?? { zh: scan.matter, en: scan.matter } },
      shown: {
        kind: scan.shown.kind,
        certificateType: scan.shown.certificateType,
        certificateTitle: certificateType(scan.shown.certificateType)?.title ?? {
          zh: scan.shown.certificateType,
          en: scan.shown.certificateType,
        },
        ...(scan.shown.certificateId ? { certificateId: scan.shown.certificateId } : {}),
        ...(scan.shown.answer === undefined ? {} : { answer: scan.shown.answer }),
      },
    })),
    ...verifications.map((v): AccessEntry => {
      const claim = verificationClaim(v.claim);
      return {
        kind: 'verification',
        at: v.requestedAt.toISOString(),
        department: matterDepartment(v.matter) ?? {
          zh: v.requester.department ?? v.requester.id,
          en: v.requester.department ?? v.requester.id,
        },
        matter: { id: v.matter, title: matterTitle(v.matter) },
        claim: { id: v.claim, statement: claim?.statement ?? { zh: v.claim, en: v.claim } },
        certifiedBy: claim?.department.name ?? { zh: v.certifiedBy, en: v.certifiedBy },
        answer: v.status === 'pending' ? 'pending' : (v.answer ?? 'cannot-tell'),
        reused: v.reused,
      };
    }),
  ];
  return entries.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, ACCESS_LIMIT);
}
