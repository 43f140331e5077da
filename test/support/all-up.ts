/** Health checks that report every server up: for test APIs whose health is not under test. */
import type { HealthChecks } from '../../services/health/service.js';

export const ALL_UP: HealthChecks = {
  temporal: async () => undefined,
  mongodb: async () => undefined,
  redis: async () => undefined,
};
