/**
 * Proof-free applications (依申请 免提交) as people reach them: the pre-filled form of a matter
 * (免填写: each field's value from shared data with its source, the read access-recorded with a
 * purpose naming the matter, and how each proof will be obtained), the submission (checked field
 * by field before anything is written, then one record per business key and one `application`
 * workflow per record), the applicant's upload of a proof that was asked for, and the reads: the
 * applicant's own, the handling department's, every one for a supervisor. A citizen or a firm
 * applies for themself; window staff apply for the person present, in the visit that recorded
 * their presence (domain/permissions.ts, application.apply at-the-window).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Connection } from 'mongoose';
import type { ApplicationForm, ApplicationProofView, FormProofView } from '../../domain/applications.js';
import { cityToday, workingDaysAfter } from '../../domain/calendar.js';
import { canonicalRecord } from '../../domain/canonical.js';
// The shipped starter list is in force until a published version replaces it (domain/matters-starter.ts).
import '../../domain/matters-starter.js';
import { findMatter, mattersInForce, type Matter, type MatterProof } from '../../domain/matters.js';
import { authorize } from '../../domain/permissions.js';
import { Refusal } from '../../domain/refusal.js';
import { findFact, type Text } from '../../domain/sources.js';
import { verificationClaim } from '../../domain/verification-claims.js';
import { createAdapterRegistry, type HttpSourceConfig } from '../../activities/shared-data/adapters.js';
import { makeFetchFacts, type FetchFactsInput } from '../../activities/shared-data/fetch-facts.js';
import {
  applicationIdOf,
  applicationsOf,
  findApplication,
  insertApplication,
  registerApplicationModel,
  updateApplication,
  withProof,
  type ApplicationRecord,
  type FieldValue,
  type ProofProgress,
} from '../../store/applications.js';
import { findCertificate, holderCertificates } from '../../store/certificates.js';
import { proofOfDocument } from '../../store/proofs.js';
import { buildIndexes } from '../../store/indexes.js';
import { personRef, type User } from '../../store/users.js';
import {
  APPLICATION_WORKFLOW_TYPE,
  applicationWorkflowId,
  proofsSuppliedSignal,
  SearchAttributes,
  type ApplicationWorkflow,
} from '../../workflows/contracts/index.js';
import type { WindowVisits } from '../window/visits.js';
import { fileApplicationProof } from './archive.js';
import { PRESENTED_VALIDITY_DAYS, purposeOf } from './obtain.js';

export class ApplicationRefusal extends Refusal {}

export interface ApplicationServiceDeps {
  store: Connection;
  temporal: Client;
  taskQueue: string;
  /** Sources answered by a department's HTTP verification service (as the worker's activities read them). */
  verification?: Record<string, HttpSourceConfig>;
  /** The window's visits: staff apply for the person present only in their open visit. */
  visits?: Pick<WindowVisits, 'servingVisit'>;
  now?: () => Date;
}

/** What POST /applications takes. */
export interface SubmitBody {
  matter?: unknown;
  /** The typed values by field ID (the fields shared data fills need none). */
  fields?: unknown;
  /** The pledges signed: the matter's pledge proofs by ID. */
  pledges?: unknown;
  /** The certificates presented: certificate IDs from the holder's wallet. */
  certificates?: unknown;
  /** The form's own key (a fresh one per form opened): a retried or double-clicked submit is the same application. */
  submissionKey?: unknown;
  /** Window staff: the visit of the person present. */
  visitId?: unknown;
}

export interface UploadBody {
  proof?: unknown;
  fileName?: unknown;
  /** The scan, base64; at most 5 MB. */
  contentBase64?: unknown;
  visitId?: unknown;
}

const LIST_LIMIT = 100;
const UPLOAD_MAX_BYTES = 5 * 1024 * 1024;
const CERTIFICATE_LIMIT = 200;

const invalid = (field: string, message: string, messageZh: string) =>
  new ApplicationRefusal('INVALID_INPUT', `${field}: ${message}`, messageZh, field);
const notFound = (id: string) =>
  new ApplicationRefusal('APPLICATION_NOT_FOUND', `no application ${id}`, `没有申请 ${id}`, 'id');

/** The subject kind a pseudonymous key names (p_… a person, e_… a firm). */
const kindOfKey = (subjectKey: string) => (subjectKey.startsWith('e_') ? 'enterprise' : 'person');

/** How a replacement obtains the proof, in words for the form. */
function howOf(proof: MatterProof): Text {
  const r = proof.replacement;
  switch (r.method) {
    case 'sharing': {
      const departments = [...new Set(r.facts.map((f) => findFact(f)?.source.department.zh).filter(Boolean))];
      const en = [...new Set(r.facts.map((f) => findFact(f)?.source.department.en).filter(Boolean))];
      return {
        zh: `数据共享：由承办部门向${departments.join('、')}调取，无需提交`,
        en: `data sharing: read from the ${en.join(', ')}; nothing to submit`,
      };
    }
    case 'verification': {
      const claim = verificationClaim(r.claim);
      return {
        zh: `部门核验：由${claim?.department.name.zh ?? '发证部门'}核验“${claim?.statement.zh ?? r.claim}”`,
        en: `verification: the ${claim?.department.name.en ?? 'certifying department'} confirms that the applicant ${claim?.statement.en ?? r.claim}`,
      };
    }
    case 'certificate':
      return { zh: '电子证照：从证照夹出示', en: 'electronic certificate: present it from your wallet' };
    case 'pledge':
      return { zh: '告知承诺：签署承诺即可', en: 'pledge: sign the statement' };
    case 'cancelled':
      return { zh: `已取消：${r.basis.zh}`, en: `no longer required: ${r.basis.en}` };
    case 'paper':
      return { zh: '仍须上传', en: 'still to be uploaded' };
  }
}

export function createApplicationService(deps: ApplicationServiceDeps) {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());
  const fetchFacts = makeFetchFacts({
    connection: store,
    adapters: createAdapterRegistry({ connection: store, http: deps.verification }),
  });
  let indexes: Promise<unknown> | undefined;
  const ensureIndexes = () =>
    (indexes ??= buildIndexes(registerApplicationModel(store)).catch((error: unknown) => {
      indexes = undefined;
      throw error;
    }));

  /** Whom the caller applies for: themself, or (window staff) the person present in their open visit. */
  async function applicantOf(actor: User, visitId: unknown): Promise<{ subjectKey: string; visitId?: string }> {
    authorize(actor, 'application.apply', ApplicationRefusal);
    if (actor.role === 'window') {
      if (typeof visitId !== 'string' || visitId === '' || !deps.visits)
        throw invalid('visitId', 'name the visit of the person present', '请注明到场群众的接待编号（visitId）');
      const visit = await deps.visits.servingVisit(actor, visitId, 'application.apply');
      return { subjectKey: visit.subjectKey, visitId };
    }
    if (!actor.subjectKey)
      throw new ApplicationRefusal('FORBIDDEN_ROLE', 'this token is bound to no subject', '该令牌未绑定本人身份');
    return { subjectKey: actor.subjectKey };
  }

  function matterFor(id: unknown, subjectKey: string, field: string, status: 'invalid' | 'not-found'): Matter {
    const matter = typeof id === 'string' ? findMatter(id) : undefined;
    if (!matter)
      throw status === 'not-found'
        ? new ApplicationRefusal(
            'MATTER_NOT_FOUND',
            `no matter ${String(id)} on the list in force`,
            `清单中没有事项 ${String(id)}`,
            field,
          )
        : new ApplicationRefusal(
            'UNKNOWN_MATTER',
            `${field}: no matter ${String(id)} on the list in force`,
            `清单中没有事项 ${String(id)}`,
            field,
          );
    if (matter.subject !== kindOfKey(subjectKey))
      throw new ApplicationRefusal(
        status === 'not-found' ? 'MATTER_NOT_FOUND' : 'UNKNOWN_MATTER',
        `${field}: ${matter.id} is applied for by ${matter.subject === 'person' ? 'a person' : 'a firm'}`,
        `事项 ${matter.id} 的申请人须为${matter.subject === 'person' ? '个人' : '企业'}`,
        field,
      );
    return matter;
  }

  /** The holder's certificates of a type, for the form's picker. */
  async function certificatesOf(subjectKey: string, type: string, today: string) {
    const records = await holderCertificates(store, subjectKey, CERTIFICATE_LIMIT);
    return records
      .filter((r) => r.type === type && !r.revokedAt && (!r.validUntil || r.validUntil >= today))
      .map((r) => {
        const title = (JSON.parse(r.signedText) as { title?: Text }).title ?? { zh: type, en: type };
        return { id: r._id, title, ...(r.validUntil ? { validUntil: r.validUntil } : {}) };
      });
  }

  /** The application as the applicant and the handler see it. */
  function view(record: ApplicationRecord) {
    const matter = findMatter(record.matter);
    const proofs: Array<ApplicationProofView & { upload?: { fileName: string; at: string } }> = record.proofs.map(
      (proof) => {
        const known = matter?.proofs.find((p) => p.id === proof.id);
        const step = record.progress.find((p) => p.id === proof.id);
        return {
          ...proof,
          title: known?.title ?? { zh: proof.id, en: proof.id },
          method: step?.method ?? known?.replacement.method ?? 'paper',
          ...(step?.asked ? { asked: step.asked } : {}),
          ...(step?.upload ? { upload: { fileName: step.upload.fileName, at: step.upload.at.toISOString() } } : {}),
        };
      },
    );
    return {
      id: record._id,
      matter: { id: record.matter, title: record.matterTitle },
      department: { id: record.department, name: record.departmentName },
      listVersion: record.listVersion,
      status: record.status,
      submittedAt: record.submittedAt.toISOString(),
      dueAt: record.dueAt.toISOString(),
      fields: record.fields.map((field) => {
        const known = matter?.fields.find((f) => f.id === field.id);
        const value = field.source === 'shared' ? record.shared[field.id] : record.typed[field.id];
        return {
          ...field,
          label: known?.label ?? { zh: field.id, en: field.id },
          ...(field.fact ? { department: findFact(field.fact)?.source.department } : {}),
          ...(value !== undefined ? { value } : {}),
        };
      }),
      proofs,
      asked: proofs.filter((p) => p.asked).map((p) => p.id),
      ...(record.taskKey ? { taskKey: record.taskKey } : {}),
      ...(record.decision ? { decision: { ...record.decision, at: record.decision.at.toISOString() } } : {}),
      ...(record.notice ? { notice: { key: record.notice.key, at: record.notice.at.toISOString() } } : {}),
      submittedBy: { id: record.submittedBy.id, name: record.submittedBy.name, role: record.submittedBy.role },
    };
  }

  /** Whether staff may read an application: the supervisors all, a handler their department's, window staff what they submitted. */
  function staffMayRead(actor: User, record: ApplicationRecord): boolean {
    if (actor.role === 'supervisor') return true;
    if (actor.role === 'window') return record.submittedBy.id === actor.id;
    const dept = actor.department;
    return dept !== undefined && (dept === record.department || dept === record.departmentName.zh);
  }

  async function readable(actor: User, id: string): Promise<ApplicationRecord> {
    authorize(actor, 'application.read', ApplicationRefusal);
    const record = await findApplication(store, id);
    if (!record) throw notFound(id);
    const mine = actor.role === 'citizen' ? record.subjectKey === actor.subjectKey : staffMayRead(actor, record);
    if (!mine) throw notFound(id);
    return record;
  }

  /** The typed values, checked against the matter's fields (each fault named by its field). */
  function typedValues(matter: Matter, given: unknown): Record<string, FieldValue> {
    if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given)))
      throw invalid('fields', 'an object of typed values by field ID', '须为按字段编号填写的对象');
    const values = (given ?? {}) as Record<string, unknown>;
    const typed: Record<string, FieldValue> = {};
    for (const [id, value] of Object.entries(values)) {
      const field = matter.fields.find((f) => f.id === id);
      const at = `fields.${id}`;
      if (!field) throw invalid(at, `${matter.id} has no field ${id}`, `事项没有字段 ${id}`);
      if (value === undefined || value === null || value === '') continue;
      const input = field.input ?? inputOfFact(field.fact);
      if (input === 'number' && !(typeof value === 'number' && Number.isFinite(value)))
        throw invalid(at, 'a number', `${field.label.zh}须为数字`);
      if (input === 'boolean' && typeof value !== 'boolean')
        throw invalid(at, 'true or false', `${field.label.zh}须为是或否`);
      if (input === 'date' && !(typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)))
        throw invalid(at, 'a date YYYY-MM-DD', `${field.label.zh}须为日期（YYYY-MM-DD）`);
      if (input === 'text' && !(typeof value === 'string' && value.trim().length <= 200))
        throw invalid(at, 'text of at most 200 characters', `${field.label.zh}须为不超过200字的文字`);
      typed[id] = typeof value === 'string' ? value.trim() : (value as FieldValue);
    }
    for (const field of matter.fields)
      if (field.required && !field.fact && typed[field.id] === undefined)
        throw invalid(`fields.${field.id}`, `required: ${field.label.en}`, `请填写${field.label.zh}`);
    return typed;
  }

  function pledgesOf(matter: Matter, given: unknown): Set<string> {
    if (given === undefined) return new Set();
    if (!Array.isArray(given)) throw invalid('pledges', 'a list of pledge proof IDs', '须为所签承诺的证明编号列表');
    given.forEach((id, index) => {
      const proof = matter.proofs.find((p) => p.id === id);
      if (!proof || proof.replacement.method !== 'pledge')
        throw invalid(
          `pledges[${index}]`,
          `${String(id)} is not a pledge of ${matter.id}`,
          `${String(id)} 不是本事项的告知承诺`,
        );
    });
    return new Set(given as string[]);
  }

  async function certificatesPresented(
    matter: Matter,
    subjectKey: string,
    given: unknown,
  ): Promise<Map<string, string>> {
    const byProof = new Map<string, string>();
    if (given === undefined) return byProof;
    if (!Array.isArray(given))
      throw invalid('certificates', 'a list of certificate IDs from your wallet', '须为证照夹中的证照编号列表');
    for (const [index, id] of given.entries()) {
      const at = `certificates[${index}]`;
      const record = typeof id === 'string' ? await findCertificate(store, id) : undefined;
      if (!record || record.holderSubjectKey !== subjectKey)
        throw invalid(
          at,
          `no certificate ${String(id)} in the applicant’s wallet`,
          `申请人的证照夹中没有证照 ${String(id)}`,
        );
      const proof = matter.proofs.find(
        (p) => p.replacement.method === 'certificate' && p.replacement.certificateType === record.type,
      );
      if (!proof)
        throw invalid(at, `${matter.id} asks for no ${record.type}`, `本事项不需要该类证照（${record.type}）`);
      byProof.set(proof.id, record._id);
    }
    return byProof;
  }

  async function start(record: ApplicationRecord): Promise<void> {
    try {
      await deps.temporal.workflow.start<ApplicationWorkflow>(APPLICATION_WORKFLOW_TYPE, {
        workflowId: record.workflowId,
        taskQueue: deps.taskQueue,
        args: [{ applicationId: record._id }],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [{ key: SearchAttributes.subjectKey, value: record.subjectKey }],
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  }

  return {
    /** The matters one may apply for here (the list in force, of the applicant's kind), for the form's picker. */
    matters(actor: User) {
      authorize(actor, 'application.read', ApplicationRefusal);
      // A citizen's token is bound to a person or a firm: they see the matters of their kind.
      const kind = actor.role === 'citizen' && actor.subjectKey ? kindOfKey(actor.subjectKey) : undefined;
      return mattersInForce()
        .matters.filter((m) => !kind || m.subject === kind)
        .map((m) => ({
          id: m.id,
          subject: m.subject,
          title: m.title,
          department: m.department,
        }));
    },

    /** The pre-filled form (免填写): shared values with their source, the read access-recorded; how each proof is obtained. */
    async form(actor: User, matterId: string, query: { visitId?: string } = {}): Promise<ApplicationForm> {
      const { subjectKey } = await applicantOf(actor, query.visitId);
      const matter = matterFor(matterId, subjectKey, 'matter', 'not-found');
      const shared = matter.fields.filter((f) => f.fact && findFact(f.fact));
      const manifest: FetchFactsInput['facts'] = {};
      for (const field of shared)
        manifest[field.fact!] = { source: findFact(field.fact!)!.source.id, purpose: purposeOf(matter, '预填申请表') };
      const read =
        shared.length > 0
          ? await fetchFacts({
              caseId: `form:${matter.id}`,
              subjectKey,
              policyId: `matter:${matter.id}`,
              policyVersion: mattersInForce().version,
              facts: manifest,
              idempotencyKey: `form:${randomUUID()}`,
            })
          : { values: {} as Record<string, unknown> };
      const today = cityToday(now());
      const proofs: FormProofView[] = [];
      for (const proof of matter.proofs) {
        const r = proof.replacement;
        proofs.push({
          id: proof.id,
          title: proof.title,
          issuedBy: proof.issuedBy,
          method: r.method,
          how: howOf(proof),
          ...(r.method === 'pledge' ? { statement: r.statement } : {}),
          ...(r.method === 'certificate'
            ? {
                certificateType: r.certificateType,
                certificates: await certificatesOf(subjectKey, r.certificateType, today),
              }
            : {}),
        });
      }
      return {
        matter: { id: matter.id, title: matter.title, department: matter.department },
        listVersion: mattersInForce().version,
        timeLimitWorkingDays: matter.timeLimitWorkingDays,
        fields: matter.fields.map((field) => {
          const known = field.fact ? findFact(field.fact) : undefined;
          const value = field.fact ? read.values[field.fact] : undefined;
          const shown = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
          return {
            id: field.id,
            label: field.label,
            required: field.required,
            source: known && shown ? 'shared' : 'typed',
            ...(known ? { fact: field.fact, department: known.source.department } : {}),
            ...(shown ? { value } : {}),
            ...(!shown ? { input: field.input ?? inputOfFact(field.fact) } : {}),
          };
        }),
        proofs,
      };
    },

    /**
     * Submits an application: every field checked first (400 naming it, nothing written), then the
     * record once by its business key and its workflow once by its ID. Answers the application and
     * whether this call created it.
     */
    async submit(actor: User, body: SubmitBody): Promise<{ application: ReturnType<typeof view>; created: boolean }> {
      const applicant = await applicantOf(actor, body.visitId);
      const matter = matterFor(body.matter, applicant.subjectKey, 'matter', 'invalid');
      const typed = typedValues(matter, body.fields);
      const pledged = pledgesOf(matter, body.pledges);
      const presented = await certificatesPresented(matter, applicant.subjectKey, body.certificates);
      if (
        body.submissionKey !== undefined &&
        !(typeof body.submissionKey === 'string' && /^[\w-]{8,100}$/.test(body.submissionKey))
      )
        throw invalid('submissionKey', '8 to 100 letters, digits, - or _', '提交键须为8至100位字母、数字、-或_');
      const at = now();
      const submissionKey =
        (body.submissionKey as string | undefined) ??
        createHash('sha256')
          .update(
            canonicalRecord({
              typed,
              pledges: [...pledged].sort(),
              certificates: [...presented.values()].sort(),
              day: cityToday(at),
            }),
          )
          .digest('hex')
          .slice(0, 32);
      const key = `${applicant.subjectKey}:${matter.id}:${submissionKey}`;
      const id = applicationIdOf(key);
      const progress: ProofProgress[] = matter.proofs.map((proof) => ({
        id: proof.id,
        method: proof.replacement.method,
        ...(presented.has(proof.id) ? { certificateId: presented.get(proof.id) } : {}),
        ...(pledged.has(proof.id) ? { pledgedAt: at } : {}),
      }));
      await ensureIndexes();
      const { record, created } = await insertApplication(store, {
        _id: id,
        key,
        matter: matter.id,
        department: matter.department.id,
        submittedAt: at,
        fields: matter.fields.map((field) =>
          field.fact && typed[field.id] === undefined
            ? { id: field.id, source: 'shared' as const, fact: field.fact }
            : { id: field.id, source: 'typed' as const },
        ),
        proofs: matter.proofs.map((proof) => ({ id: proof.id, reused: false })),
        listVersion: mattersInForce().version,
        matterTitle: matter.title,
        departmentName: matter.department.name,
        subjectKey: applicant.subjectKey,
        subjectKind: matter.subject,
        typed,
        shared: {},
        progress,
        status: 'obtaining',
        submittedBy: personRef(actor),
        ...(applicant.visitId ? { visitId: applicant.visitId } : {}),
        dueAt: workingDaysAfter(at, matter.timeLimitWorkingDays),
        workflowId: applicationWorkflowId(id),
        updatedAt: at,
      });
      await start(record);
      return { application: view(record), created };
    },

    async get(actor: User, id: string) {
      return view(await readable(actor, id));
    },

    /** The caller's applications: a citizen's or firm's own; a handler's department's; a supervisor's all; window staff's submitted. */
    async list(actor: User) {
      authorize(actor, 'application.read', ApplicationRefusal);
      const Application = registerApplicationModel(store);
      let records: ApplicationRecord[];
      if (actor.role === 'citizen')
        records = actor.subjectKey ? await applicationsOf(store, actor.subjectKey, LIST_LIMIT) : [];
      else if (actor.role === 'supervisor')
        records = await Application.find({}).sort({ submittedAt: -1 }).limit(LIST_LIMIT).lean();
      else if (actor.role === 'window')
        records = await Application.find({ 'submittedBy.id': actor.id })
          .sort({ submittedAt: -1 })
          .limit(LIST_LIMIT)
          .lean();
      else
        records = actor.department
          ? await Application.find({
              $or: [{ department: actor.department }, { 'departmentName.zh': actor.department }],
            })
              .sort({ submittedAt: -1 })
              .limit(LIST_LIMIT)
              .lean()
          : [];
      return { applications: records.map(view) };
    },

    /**
     * The last resort: a scan of a proof the application asks for (and only such a proof), recorded
     * as obtained by upload and filed; the workflow is told, and goes on once nothing else is asked.
     */
    async upload(actor: User, id: string, body: UploadBody) {
      const applicant = await applicantOf(actor, body.visitId);
      const record = await findApplication(store, id);
      if (!record || record.subjectKey !== applicant.subjectKey) throw notFound(id);
      const step = record.progress.find((p) => p.id === body.proof);
      if (typeof body.proof !== 'string' || !record.proofs.some((p) => p.id === body.proof))
        throw invalid(
          'proof',
          `${record.matter} has no proof ${String(body.proof)}`,
          `本事项没有证明材料 ${String(body.proof)}`,
        );
      if (record.status !== 'awaiting-proofs' || !step?.asked)
        throw new ApplicationRefusal(
          'PROOF_NOT_ASKED',
          `application ${id} does not ask for ${body.proof}: only a proof whose replacement failed is uploaded`,
          `该申请未要求提交“${body.proof}”：仅在替代方式未能取得时才需上传`,
          'proof',
        );
      if (typeof body.fileName !== 'string' || body.fileName.trim() === '' || body.fileName.length > 200)
        throw invalid('fileName', 'the file’s name, 1 to 200 characters', '请提供文件名（1至200字）');
      const content =
        typeof body.contentBase64 === 'string' && /^[A-Za-z0-9+/=\s]+$/.test(body.contentBase64)
          ? Buffer.from(body.contentBase64, 'base64')
          : undefined;
      if (!content || content.length === 0 || content.length > UPLOAD_MAX_BYTES)
        throw invalid('contentBase64', 'the scan, base64, at most 5 MB', '请上传扫描件（base64，不超过5MB）');
      const at = now();
      const sha256 = createHash('sha256').update(content).digest('hex');
      const proofId = await fileApplicationProof(store, {
        applicationId: id,
        matter: record.matter,
        matterProof: body.proof,
        subjectKey: record.subjectKey,
        subjectKind: record.subjectKind,
        proof: proofOfDocument(record.matter, body.proof),
        method: 'document',
        source: { department: record.department, reference: `sha256:${sha256}` },
        obtainedAt: at,
        validUntil: new Date(at.getTime() + PRESENTED_VALIDITY_DAYS * 86_400_000),
        dependsOnFacts: [],
      });
      await store
        .db!.collection('application_uploads')
        .updateOne(
          { _id: `${id}:${body.proof}` } as object,
          { $setOnInsert: { content, sha256, at } },
          { upsert: true },
        );
      const progress = record.progress.map((p) => {
        if (p.id !== body.proof) return p;
        const { asked: _asked, ...rest } = p;
        return {
          ...rest,
          upload: {
            fileName: (body.fileName as string).trim(),
            sha256,
            bytes: content.length,
            at,
            by: personRef(actor),
          },
        };
      });
      const stillAsked = progress.some((p) => p.asked);
      const updated = await updateApplication(store, id, {
        proofs: withProof(record.proofs, body.proof, { obtainedBy: 'upload', reused: false, proofId }),
        progress,
        ...(stillAsked ? {} : { status: 'obtaining' as const }),
      });
      if (!stillAsked) await deps.temporal.workflow.getHandle(record.workflowId).signal(proofsSuppliedSignal);
      return view(updated);
    },
  };
}

/** The input a fact-filled field falls back to when shared data holds no value. */
function inputOfFact(fact: string | undefined): 'text' | 'number' | 'date' | 'boolean' {
  const type = fact ? findFact(fact)?.field.type : undefined;
  if (type === 'number' || type === 'boolean' || type === 'date') return type;
  return 'text';
}

export type ApplicationService = ReturnType<typeof createApplicationService>;
