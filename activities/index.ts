/**
 * Activity factory: every side effect lives here. Workflows import only the type
 * `Activities`; workers call `createActivities(deps)` with real dependencies. Build it
 * once per worker process so the data-source circuit breakers keep their state.
 */
import type { Connection } from 'mongoose';
import type { SubjectKeyRing } from '../domain/pseudonym.js';
import { registerModels } from '../store/models.js';
import { makeApplicationActivities } from './applications.js';
import { makeBenefitActivities } from './benefits.js';
import { makePledgeActivities } from './pledges.js';
import { makeCaseActivities } from './case.js';
import { makeCertificateActivities } from './certificates.js';
import type { PolicySource } from '../rules/policy-source.js';
import { guardActivities } from './guard.js';
import { makeEnqueueNotice, makeEnqueueNotices } from './notices.js';
import type { NoticeQueues } from '../notices/queues.js';
import { makeObjectionActivities } from './objections.js';
import { makePayrollActivities } from './payroll.js';
import { makePayrollStopActivities } from './payroll-stops.js';
import { makeRecordProbe } from './probe.js';
import { createAdapterRegistry, type HttpSourceConfig } from './shared-data/adapters.js';
import { makeFetchFacts, makeFetchFactsForMany, makeFetchFactsForPolicies } from './shared-data/fetch-facts.js';
import type { BenefitStarter } from './benefit-start.js';
import { makeSweepActivities } from './sweep.js';
import { makeRetentionActivities } from './retention.js';
import { makeTaskStepActivities } from './task-steps.js';
import { makeReviewActivities } from './review.js';
import type { SealKeeper } from '../services/certificates/seal-keeper.js';

/** The key ring (from workers/config.ts): sweeps resolve screened IDs to subject keys and seal their cursors with it. */
export interface ActivityDeps extends SubjectKeyRing {
  store: Connection;
  policies: PolicySource;
  noticeQueues: NoticeQueues;
  /** Sources answered by a department's HTTP verification service instead of the platform collections. */
  verification?: Record<string, HttpSourceConfig>;
  /**
   * How sweeps start offer and pledge workflows, and tasks their humanTask workflows; absent, only
   * auto-mode sweeps can run, and tasks are recorded without their timers.
   */
  workflows?: BenefitStarter;
  /** The departments' seals: grants and refusals of the case path issue their certificates with them. */
  seals?: SealKeeper;
}

export function createActivities(deps: ActivityDeps) {
  const models = registerModels(deps.store);
  const adapters = createAdapterRegistry({ connection: deps.store, http: deps.verification });
  const fetchFacts = makeFetchFacts({ connection: deps.store, adapters });
  const fetchFactsForMany = makeFetchFactsForMany({ connection: deps.store, adapters });
  const enqueueNotice = makeEnqueueNotice(deps.store, deps.noticeQueues);
  const benefitActivities = makeBenefitActivities({
    store: deps.store,
    policies: deps.policies,
    fetchFacts,
    seals: deps.seals,
  });
  return guardActivities({
    recordProbe: makeRecordProbe(models),
    ...makeCaseActivities({
      store: deps.store,
      policies: deps.policies,
      fetchFacts,
      fetchFactsForPolicies: makeFetchFactsForPolicies({ connection: deps.store, adapters }),
      seals: deps.seals,
      ...(deps.workflows ? { workflows: deps.workflows } : {}),
    }),
    ...makeTaskStepActivities({ store: deps.store }),
    ...benefitActivities,
    ...makePledgeActivities({
      store: deps.store,
      policies: deps.policies,
      fetchFacts,
      ...(deps.workflows ? { workflows: deps.workflows } : {}),
    }),
    enqueueNotice,
    ...makeApplicationActivities({
      store: deps.store,
      fetchFacts,
      enqueueNotice,
      verification: {
        store: deps.store,
        adapters,
        subjectKeySecret: deps.subjectKeySecret,
        ...(deps.previousSubjectKeySecrets ? { previousSubjectKeySecrets: deps.previousSubjectKeySecrets } : {}),
        ...(deps.seals ? { seals: deps.seals } : {}),
      },
    }),
    ...makePayrollActivities({
      store: deps.store,
      policies: deps.policies,
      fetchFacts,
      fetchFactsForMany,
      enqueueNotice,
    }),
    ...makePayrollStopActivities({ store: deps.store, policies: deps.policies, enqueueNotice }),
    ...makeRetentionActivities({ store: deps.store }),
    ...makeCertificateActivities({ store: deps.store, policies: deps.policies, fetchFacts, seals: deps.seals }),
    ...makeObjectionActivities({
      store: deps.store,
      policies: deps.policies,
      fetchFacts,
      ...(deps.workflows ? { workflows: deps.workflows } : {}),
      seals: deps.seals,
    }),
    ...makeReviewActivities({
      store: deps.store,
      policies: deps.policies,
      recordGrant: benefitActivities.recordGrant,
      enqueueNotice,
      ...(deps.workflows ? { workflows: deps.workflows } : {}),
      seals: deps.seals,
    }),
    ...makeSweepActivities({
      store: deps.store,
      policies: deps.policies,
      subjectKeySecret: deps.subjectKeySecret,
      ...(deps.previousSubjectKeySecrets ? { previousSubjectKeySecrets: deps.previousSubjectKeySecrets } : {}),
      enqueueNotices: makeEnqueueNotices(deps.store, deps.noticeQueues),
      fetchFacts,
      ...(deps.workflows ? { workflows: deps.workflows } : {}),
      issuesCertificates: Boolean(deps.seals),
    }),
  });
}

export type Activities = ReturnType<typeof createActivities>;
