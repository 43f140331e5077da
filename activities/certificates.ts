/**
 * The certificates of a sweep's grants, issued a chunk at a time (workflows/grant-certificates.ts), the facts a certificate shows read again from their
 * departments with the purpose "certificate issuance" and an access record each.
 */
import { heartbeat } from '@temporalio/activity';
import type { Connection } from 'mongoose';
import { cityToday } from '../domain/calendar.js';
import type { PolicySource } from '../rules/policy-source.js';
import { issueGrantCertificates, typesOnGrant } from '../services/certificates/on-decision.js';
import type { SealKeeper } from '../services/certificates/seal-keeper.js';
import { registerBenefitModels } from '../store/benefits.js';
import type { GrantCertificatesInput } from '../workflows/contracts/index.js';
import { pinnedPolicy } from './case.js';
import { issuedBesides } from './issued-besides.js';
import type { FetchFactsInput, FetchFactsResult } from './shared-data/fetch-facts.js';

export interface CertificateActivityDeps {
  store: Connection;
  policies: PolicySource;
  fetchFacts: (input: FetchFactsInput) => Promise<FetchFactsResult>;
  seals?: SealKeeper;
}

/** The facts the certificates issued with a policy's grants show (their `onGrant` fact fields). */
const factsShownFor = (policyId: string): string[] => [
  ...new Set(
    typesOnGrant(policyId).flatMap((type) =>
      Object.values(type.onGrant!.fields).flatMap((source) => ('fact' in source ? [source.fact] : [])),
    ),
  ),
];

export function makeCertificateActivities(deps: CertificateActivityDeps) {
  const { Grant } = registerBenefitModels(deps.store);
  return {
    /**
     * Issues the certificates of a chunk of a sweep's grants (their decision letters and the types
     * their policy yields): how many it issued or found issued. A worker without seals issues none.
     */
    async issueGrantsCertificates(input: GrantCertificatesInput): Promise<number> {
      if (!deps.seals) return 0;
      const certificates = { store: deps.store, seals: deps.seals };
      const policy = await pinnedPolicy(deps.policies, input.policy);
      const shown = factsShownFor(policy.id).filter((fact) => fact in policy.facts);
      const grants = await Grant.find({ _id: { $in: input.grantKeys } }).lean();
      let issued = 0;
      for (const grant of grants) {
        heartbeat();
        const facts = shown.length
          ? (
              await deps.fetchFacts({
                caseId: input.caseId,
                subjectKey: grant.subjectKey,
                policyId: policy.id,
                policyVersion: policy.version,
                facts: Object.fromEntries(
                  shown.map((fact) => [
                    fact,
                    {
                      source: policy.facts[fact].source,
                      purpose: `电子证照制发 certificate issuance: ${policy.title.zh}`,
                    },
                  ]),
                ),
                idempotencyKey: `${grant.key}:certificate`,
              })
            ).values
          : {};
        await issuedBesides(`a certificate of the ${policy.id} grant`, async () => {
          const ids = await issueGrantCertificates(certificates, grant.key, {
            subjectKey: grant.subjectKey,
            policy,
            decision: {
              asOf: input.asOf,
              period: grant.period,
              ...(grant.amount === undefined ? {} : { amount: grant.amount }),
            },
            facts,
            issuedOn: cityToday(),
          });
          issued += ids.length;
        });
      }
      return issued;
    },
  };
}
