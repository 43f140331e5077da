/**
 * The compiled evaluator against json-rules-engine, as in compiled.test.ts, for the second half of
 * the catalog: at least 10,000 seeded fact sets per policy, zero mismatches. In a file of its own so
 * that vitest's two workers share the agreement.
 */
import { describe, it } from 'vitest';
import { FACT_SETS_PER_POLICY, agreementTitle, catalogHalf, expectAgreement } from './differential.js';

describe('the compiled evaluator agrees with json-rules-engine', () => {
  it.each(catalogHalf('second').map((policy) => [agreementTitle(policy, FACT_SETS_PER_POLICY), policy] as const))(
    '%s',
    (_title, policy) => expectAgreement(policy, FACT_SETS_PER_POLICY),
    120_000,
  );
});
