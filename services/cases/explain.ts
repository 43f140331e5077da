/**
 * A case's decision explained from its subject's own data (S2, abuse test 5): why they are eligible
 * or not under a policy, each condition, what would flip it and when it changes by itself. Bound to
 * a case the caller may read (the case names the subject: no resident ID is asked for), to a
 * published or retired version (a draft could be written to read anything), and to a stated reason
 * logged like an unmask before any data is read (store/unmask-log.ts, kind `explanation`; the
 * citizen sees it in /me/access); the pulls are access-recorded under the case with that reason.
 * Sensitive facts are withheld whole (rules/explain-subject.ts `withholdSensitive`). A decision a
 * review replaced is explained as the review decided it: the facts a reviewer supplied stand in
 * for those the departments still do not hold, and the answer says who supplied each, from what.
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Connection } from 'mongoose';
import type { FetchFactsInput, FetchFactsResult } from '../../activities/shared-data/fetch-facts.js';
import { defaultAsOf, explainPolicy, type Explanation } from '../../rules/explain-subject.js';
import type { PolicySource } from '../../rules/policy-source.js';
import type { Policy } from '../../rules/types.js';
import { subjectKeyKind } from '../../domain/pseudonym.js';
import type { Refusal } from '../../domain/refusal.js';
import { logReveal } from '../../store/unmask-log.js';
import type { User } from '../../store/users.js';
import type { LifeEventRecord } from '../../store/cases.js';
import { registerDecisionModels, snapshotFacts, type DecisionRecord } from '../../store/decisions.js';
import { PROVENANCE_TEXT, type Provenance } from '../../domain/tasks.js';
import { findFact, type Text } from '../../domain/sources.js';
import { ErrorType } from '../../workflows/contracts/index.js';

/** What explaining needs: the shared-data reader (as cases pull) and the published policies. */
export interface CaseExplainDeps {
  fetchFacts: (input: FetchFactsInput) => Promise<FetchFactsResult>;
  policies: PolicySource;
}

export interface ExplainCaseBody {
  policyId?: string;
  /** Why the explanation is needed (at least 5 characters); logged, and shown to the citizen. */
  reason?: string;
  /** Default: the version the case's decision under the policy pinned, else the one in force on asOf. */
  version?: number;
  /** YYYY-MM-DD; default the decision's own date, else today (within the version's effective range). */
  asOf?: string;
}

type Refuse = (code: Refusal['code'], message: string, messageZh: string, field?: string) => Refusal;

/** A fact a reviewer supplied for the decision explained: its label, where it came from, who recorded it and when. */
export interface ExplainedSuppliedFact {
  fact: string;
  factLabel: Text;
  provenance: Provenance & { kindText: Text };
  byId: string;
  byName: string;
  at: string;
}

/** The explanation of a case's decision, with the facts a review supplied when a review decided it. */
export type CaseExplanation = Explanation & { suppliedFacts?: ExplainedSuppliedFact[] };

/** The decision in force: the one given, or the review (or objection) decision that replaced it, following the links. */
async function decisionInForce(store: Connection, decision: DecisionRecord | null): Promise<DecisionRecord | null> {
  const { Decision } = registerDecisionModels(store);
  let current = decision;
  for (let hops = 0; current?.supersededBy && hops < 20; hops++) {
    const next = await Decision.findOne({ _id: current.supersededBy }).lean();
    if (!next) break;
    current = next;
  }
  return current;
}

/** The values a review supplied (from its snapshot), for the facts among them that the departments did not answer. */
async function suppliedValues(store: Connection, decision: DecisionRecord | null): Promise<Record<string, unknown>> {
  if (!decision?.taskKey || !decision.suppliedFacts?.length) return {};
  const { FactSnapshot } = registerDecisionModels(store);
  const snapshot = await FactSnapshot.findOne({ _id: `${decision.taskKey}:facts` }).lean();
  if (!snapshot) return {};
  const facts = snapshotFacts(snapshot);
  return Object.fromEntries(decision.suppliedFacts.map((s) => [s.fact, facts[s.fact]]));
}

const explainedSupplied = (decision: DecisionRecord): ExplainedSuppliedFact[] =>
  (decision.suppliedFacts ?? []).map((s) => ({
    fact: s.fact,
    factLabel: findFact(s.fact)?.field.label ?? { zh: s.fact, en: s.fact },
    provenance: { ...s.provenance, kindText: PROVENANCE_TEXT[s.provenance.kind] },
    byId: s.byId,
    byName: s.byName,
    at: new Date(s.at).toISOString(),
  }));

/** The reason, trimmed; REASON_REQUIRED under 5 characters. */
export function statedReason(reason: unknown, refuse: Refuse, what: { en: string; zh: string }): string {
  const stated = typeof reason === 'string' ? reason.trim() : '';
  if (stated.length < 5)
    throw refuse(
      'REASON_REQUIRED',
      `state why ${what.en} (at least 5 characters); the reason is logged and shown to the citizen`,
      `请说明${what.zh}的理由（至少5个字），理由将被记录并告知本人`,
      'reason',
    );
  return stated;
}

/**
 * Explains the decision of a case the caller may read (the caller checked that). Refuses a short
 * reason, a policy for another kind of subject, and a version that is neither published nor
 * retired (the same 404 as none: a draft's existence is not told).
 */
export async function explainCase(
  deps: CaseExplainDeps & { store: Connection; today: () => string },
  actor: Pick<User, 'id' | 'name' | 'role'>,
  record: LifeEventRecord,
  caseDecision: DecisionRecord | null,
  body: ExplainCaseBody,
  refuse: Refuse,
): Promise<CaseExplanation> {
  const decision = await decisionInForce(deps.store, caseDecision);
  const reason = statedReason(body.reason, refuse, {
    en: 'the decision is explained from the person’s data',
    zh: '查看判定数据依据',
  });
  const policyId = body.policyId ?? '';
  const version = body.version ?? decision?.policy.version;
  const asOfAsked = body.asOf ?? decision?.asOf;
  let policy: Policy | undefined;
  if (version !== undefined) policy = await deps.policies.version(policyId, version);
  else {
    const on = asOfAsked ?? deps.today();
    policy = (await deps.policies.allInForce(on)).find((candidate) => candidate.id === policyId);
  }
  if (!policy)
    throw refuse(
      'POLICY_NOT_FOUND',
      `no published or retired version ${version ?? `of ${policyId} in force`}${version !== undefined ? ` of ${policyId}` : ''}: only those explain a real person`,
      `没有 ${policyId} ${version !== undefined ? `第 ${version} 版的` : '现行的'}已发布或已停用版本：只有这些版本可用于解释真实对象`,
      version !== undefined ? 'version' : 'policyId',
    );
  const kind = subjectKeyKind(record.subjectKey) ?? 'person';
  if (policy.subject !== kind)
    throw refuse(
      'BAD_REQUEST',
      `${policy.id} decides for ${policy.subject === 'person' ? 'residents' : 'enterprises'}; this case is about ${kind === 'person' ? 'a resident' : 'an enterprise'}`,
      `${policy.id} 适用于${policy.subject === 'person' ? '居民' : '企业'}，该案件当事人是${kind === 'person' ? '居民' : '企业'}`,
      'policyId',
    );
  const asOf = asOfAsked ?? defaultAsOf(policy, deps.today());

  // Logged (and chained) before anything is read: no explanation goes unrecorded.
  await logReveal(deps.store, {
    kind: 'explanation',
    caseId: record.caseId,
    subjectKey: record.subjectKey,
    actor: actor.name,
    actorId: actor.id,
    role: actor.role,
    reason,
    policyId: policy.id,
    policyVersion: policy.version,
  });
  const purpose = `案件解释 case explanation (${actor.name}, ${actor.id}): ${reason}`;
  const pull = `explain:${randomUUID()}`;
  let facts: FetchFactsResult;
  try {
    facts = await deps.fetchFacts({
      caseId: record.caseId,
      subjectKey: record.subjectKey,
      policyId: policy.id,
      policyVersion: policy.version,
      facts: Object.fromEntries(
        Object.entries(policy.facts).map(([fact, declared]) => [fact, { source: declared.source, purpose }]),
      ),
      idempotencyKey: pull,
    });
  } catch (error) {
    throw fetchRefusal(error, refuse);
  }
  // The departments' records win where they now answer; a supplied fact stands in where they still do not.
  const supplied =
    policy.id === decision?.policy.id && policy.version === decision.policy.version
      ? await suppliedValues(deps.store, decision)
      : {};
  const values = {
    ...supplied,
    ...Object.fromEntries(Object.entries(facts.values).filter(([, v]) => v !== undefined && v !== null)),
  };
  const explanation = explainPolicy(policy, values, asOf, { subjectKey: record.subjectKey, withholdSensitive: true });
  return decision?.suppliedFacts?.length ? { ...explanation, suppliedFacts: explainedSupplied(decision) } : explanation;
}

/** fetchFacts' typed failures as refusals: no access record written, or a source that could not be read. */
function fetchRefusal(error: unknown, refuse: Refuse): Error {
  if (!(error instanceof ApplicationFailure)) return error instanceof Error ? error : new Error(String(error));
  if (error.type === ErrorType.AccessRecordWriteFailed)
    return refuse(
      'ACCESS_RECORD_FAILED',
      'the access record could not be written, so no data was read',
      '无法写入数据使用记录，未读取数据',
    );
  return refuse(
    'FACTS_UNAVAILABLE',
    `${error.type ? `${error.type}: ` : ''}${error.message}`,
    `无法读取该对象的数据：${error.message}`,
  );
}
