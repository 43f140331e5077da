/**
 * Activity factory: every side effect lives here. Workflows import only the type
 * `Activities`; workers call `createActivities(deps)` with real dependencies. Build it
 * once per worker process so the data-source circuit breakers keep their state.
 */
import type { Connection } from 'mongoose';
import { registerModels } from '../store/models.js';
import { makeBenefitActivities } from './benefits.js';
import { makeCaseActivities, type PolicySource } from './case.js';
import { guardActivities } from './guard.js';
import { makeEnqueueNotice, type NoticeQueues } from './notices.js';
import { makeRecordProbe } from './probe.js';
import { createAdapterRegistry, type HttpSourceConfig } from './shared-data/adapters.js';
import { makeFetchFacts } from './shared-data/fetch-facts.js';

export interface ActivityDeps {
  store: Connection;
  policies: PolicySource;
  noticeQueues: NoticeQueues;
  /** Sources answered by a department's HTTP verification service instead of the platform collections. */
  verification?: Record<string, HttpSourceConfig>;
}

export function createActivities(deps: ActivityDeps) {
  const models = registerModels(deps.store);
  const adapters = createAdapterRegistry({ connection: deps.store, http: deps.verification });
  const fetchFacts = makeFetchFacts({ connection: deps.store, adapters });
  return guardActivities({
    recordProbe: makeRecordProbe(models),
    ...makeCaseActivities({ store: deps.store, policies: deps.policies, fetchFacts }),
    ...makeBenefitActivities({ store: deps.store, policies: deps.policies, fetchFacts }),
    enqueueNotice: makeEnqueueNotice(deps.store, deps.noticeQueues),
  });
}

export type Activities = ReturnType<typeof createActivities>;
