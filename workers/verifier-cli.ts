/**
 * `applyfree verifier add|rotate|revoke|list`: the register of verifiers that scan resident and
 * enterprise codes (a department's counter, a bank, a park, an employer), the matters each may
 * check, and their credentials. A process command run on a server host, like `applyfree
 * department`: a key's secret is derived from the master secret (APPLYFREE_SUBJECT_KEY_SECRET,
 * purpose `verifierCredential`), printed once and never stored (store/verifiers.ts keeps its
 * fingerprint). Exit codes: 0 done, 1 refused or failed, 2 bad input (one line naming the flag;
 * nothing is written). The usage is bin/applyfree.mjs's; what the two registers share is
 * workers/register-cli.ts.
 */
import { CODE_MATTERS } from '../domain/code-matters.js';
import { VERIFIER_HEADERS } from '../domain/verifier-signature.js';
import { validateVerifierSpec, VerifierSpecError, type VerifierKind, type VerifierSpec } from '../domain/verifiers.js';
import {
  addVerifier,
  listVerifiers,
  revokeVerifierCredential,
  rotateVerifierCredential,
  VerifierRegisterError,
} from '../store/verifiers.js';
import { InputError, listFlag } from './command-flags.js';
import { keysSummary } from './credential-output.js';
import { runRegisterCommand } from './register-cli.js';

const SPEC_FLAGS: Record<VerifierSpecError['field'], string> = {
  id: 'verifier ID',
  'name.zh': '--name-zh',
  'name.en': '--name-en',
  kind: '--kind',
  department: '--department',
  matters: '--matters',
};

/** The verifier `add` registers, checked in full. */
function addSpec(id: string, flags: Map<string, string>): VerifierSpec {
  for (const flag of ['--name-zh', '--name-en', '--kind', '--matters'])
    if (!flags.has(flag)) throw new InputError(`${flag}: required`);
  const department = flags.get('--department');
  const spec: VerifierSpec = {
    id,
    name: { zh: flags.get('--name-zh')!, en: flags.get('--name-en')! },
    kind: flags.get('--kind') as VerifierKind,
    ...(department === undefined ? {} : { department }),
    matters: listFlag(flags.get('--matters')!),
  };
  try {
    return validateVerifierSpec(spec);
  } catch (error) {
    if (error instanceof VerifierSpecError) throw new InputError(`${SPEC_FLAGS[error.field]}: ${error.message}`);
    throw error;
  }
}

const matterTitles = (matters: readonly string[]) =>
  matters.map((id) => `${id} (${CODE_MATTERS.find((matter) => matter.id === id)?.title.zh ?? '?'})`).join(', ');

runRegisterCommand({
  command: 'applyfree verifier',
  party: 'verifier',
  parties: 'verifiers',
  idExample: 'bank-of-rizhao',
  addFlags: ['--name-zh', '--name-en', '--kind', '--department', '--matters'],
  addSpec,
  signing: {
    header: VERIFIER_HEADERS.verifier,
    partyOf: (credential) => credential.verifier,
    requests: 'every POST /codes/scan',
    request: 'scan',
    readme: 'Resident and enterprise codes',
  },
  add: addVerifier,
  rotate: rotateVerifierCredential,
  revoke: revokeVerifierCredential,
  list: listVerifiers,
  addedLine: (record) => `verifier ${record._id} registered · 核验方已登记: may check ${matterTitles(record.matters)}`,
  noneLine: 'no verifier is registered · 尚无登记核验方 (applyfree verifier add)',
  heading: (record) => [record.kind === 'department' ? `department ${record.department}` : 'outside party'],
  detail: (record) => `matters ${matterTitles(record.matters)}`,
  summary: (record, now) => ({
    id: record._id,
    name: record.name,
    kind: record.kind,
    ...(record.department ? { department: record.department } : {}),
    matters: record.matters,
    keys: keysSummary(record.credentials, now),
  }),
  refusal: VerifierRegisterError,
});
