/**
 * GET /policies/checks: the cross-policy checks (rules/cross-checks.ts) over every published
 * version, so a reviewer sees policies that can never fire, benefits granted twice and
 * triggers no event produces. Read-only, like GET /policies.
 */
import type { FastifyInstance } from 'fastify';
import { crossCheckPolicies } from '../rules/cross-checks.js';
import { PolicyValidationError } from '../rules/errors.js';
import type { Policy } from '../rules/types.js';
import { validatePolicy } from '../rules/validate.js';
import type { PolicyLifecycle } from '../services/policies/lifecycle.js';

const finding = {
  type: 'object',
  required: ['check', 'severity', 'policyId', 'version', 'path', 'message', 'messageZh'],
  properties: {
    check: {
      type: 'string',
      enum: ['never-fires', 'duplicate-benefit', 'unknown-trigger', 'day-dependent-amount', 'no-benefit-code'],
    },
    severity: { type: 'string', enum: ['error', 'warning'] },
    policyId: { type: 'string' },
    version: { type: 'integer' },
    path: { type: 'string', description: 'field at fault, as in validation issues' },
    message: { type: 'string' },
    messageZh: { type: 'string' },
    otherPolicyId: { type: 'string' },
    otherVersion: { type: 'integer' },
  },
} as const;

/** Registers GET /policies/checks on the policy routes' scope. */
export async function checkRoutes(app: FastifyInstance, lifecycle: PolicyLifecycle): Promise<void> {
  let last: { key: string; answer: object } | undefined;
  app.get(
    '/policies/checks',
    {
      schema: {
        tags: ['policies'],
        summary: 'Checks across the published policies: never fires, same benefit twice, unknown triggers · 跨政策检查',
        response: {
          200: {
            type: 'object',
            properties: {
              checked: { type: 'integer' },
              errors: { type: 'integer' },
              warnings: { type: 'integer' },
              findings: { type: 'array', items: finding },
            },
          },
        },
      },
    },
    async () => {
      const published = await lifecycle.list({ status: 'published' });
      // Anyone may ask (security review S14): the checks run again only when the published set changed.
      const key = published.map((version) => `${version.policyId}@${version.version}:${version.hash}`).join('|');
      if (last?.key === key) return last.answer;
      const policies = published.flatMap((version): Policy[] => {
        try {
          return [validatePolicy(version.document)];
        } catch (error) {
          if (error instanceof PolicyValidationError) return [];
          throw error;
        }
      });
      const findings = crossCheckPolicies(policies);
      const errors = findings.filter((f) => f.severity === 'error').length;
      const answer = { checked: policies.length, errors, warnings: findings.length - errors, findings };
      last = { key, answer };
      return answer;
    },
  );
}
