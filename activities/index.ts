/**
 * Activity factory: every side effect lives here. Workflows import only the type
 * `Activities`; workers call `createActivities(deps)` with real dependencies.
 */
import type { Connection } from 'mongoose';
import { registerModels } from '../store/models.js';
import { makeRecordProbe } from './probe.js';

export interface ActivityDeps {
  store: Connection;
}

export function createActivities(deps: ActivityDeps) {
  const models = registerModels(deps.store);
  return {
    recordProbe: makeRecordProbe(models),
  };
}

export type Activities = ReturnType<typeof createActivities>;
