/**
 * A case's decision explained from its subject's own data (S2, abuse test 5): why they are eligible
 * or not under a policy, each condition, what would flip it and when it changes by itself. Bound to
 * a case the caller may read (the case names the subject: no resident ID is asked for), to a
 * published or retired version (a draft could be written to read anything), and to a stated reason
 * logged like an unmask before any data is read (store/unmask-log.ts, kind `explanation`; the
 * citizen sees it in /me/access); the pulls are access-recorded under the case with that reason.
 * Sensitive facts are withheld whole (rules/explain-subject.ts `withholdSensitive`).
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
import type { DecisionRecord } from '../../store/decisions.js';
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
  decision: DecisionRecord | null,
  body: ExplainCaseBody,
  refuse: Refuse,
): Promise<Explanation> {
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
  return explainPolicy(policy, facts.values, asOf, { subjectKey: record.subjectKey, withholdSensitive: true });
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
