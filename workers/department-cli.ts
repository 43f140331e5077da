/**
 * `applyfree department add|rotate|revoke|list`: the register of departments that publish life
 * events, and their credentials. A process command run on a server host: a key's secret is
 * derived from the master secret (APPLYFREE_SUBJECT_KEY_SECRET), printed once and never stored
 * (store/departments.ts keeps its fingerprint). Uses MONGODB_URI, or the embedded database that
 * `npm start` or `npm run stack -- up` keep running. Exit codes: 0 done, 1 refused or failed,
 * 2 bad input (one line naming the flag; nothing is written). The usage is bin/applyfree.mjs's;
 * what the two registers share is workers/register-cli.ts.
 */
import { DEPARTMENT_HEADERS } from '../domain/department-signature.js';
import { DepartmentSpecError, validateDepartmentSpec, type DepartmentSpec } from '../domain/departments.js';
import {
  addDepartment,
  DepartmentRegisterError,
  listDepartments,
  revokeCredential,
  rotateCredential,
} from '../store/departments.js';
import { daysFlag, InputError, listFlag } from './command-flags.js';
import { keysSummary } from './credential-output.js';
import { runRegisterCommand } from './register-cli.js';

/** A department's default back-dating window, in days, when `add` is given none. */
const DEFAULT_BACKDATING_DAYS = 30;

const SPEC_FLAGS: Record<DepartmentSpecError['field'], string> = {
  id: 'department ID',
  name: '--name-zh',
  'name.zh': '--name-zh',
  'name.en': '--name-en',
  sources: '--sources',
  eventTypes: '--event-types',
  backdatingDays: '--backdating-days',
};

/** The department `add` registers, checked in full. */
function addSpec(id: string, flags: Map<string, string>): DepartmentSpec {
  for (const flag of ['--name-zh', '--name-en', '--sources', '--event-types'])
    if (!flags.has(flag)) throw new InputError(`${flag}: required`);
  const spec = {
    id,
    name: { zh: flags.get('--name-zh')!, en: flags.get('--name-en')! },
    sources: listFlag(flags.get('--sources')!),
    eventTypes: listFlag(flags.get('--event-types')!),
    backdatingDays: daysFlag('--backdating-days', flags.get('--backdating-days'), DEFAULT_BACKDATING_DAYS, 3660),
  };
  try {
    return validateDepartmentSpec(spec);
  } catch (error) {
    if (error instanceof DepartmentSpecError) throw new InputError(`${SPEC_FLAGS[error.field]}: ${error.message}`);
    throw error;
  }
}

runRegisterCommand({
  command: 'applyfree department',
  party: 'department',
  parties: 'departments',
  idExample: 'public-security-household',
  addFlags: ['--name-zh', '--name-en', '--sources', '--event-types', '--backdating-days'],
  addSpec,
  signing: {
    header: DEPARTMENT_HEADERS.department,
    partyOf: (credential) => credential.department,
    requests: 'every request to POST /events',
    request: 'request',
    readme: 'Departments',
  },
  add: addDepartment,
  rotate: rotateCredential,
  revoke: revokeCredential,
  list: listDepartments,
  addedLine: (record) =>
    `department ${record._id} registered · 部门已登记: sources ${record.sources.join(', ')}; event types ${record.eventTypes.join(', ')}; back-dating ${record.backdatingDays} days`,
  noneLine: 'no department is registered · 尚无登记部门 (applyfree department add)',
  heading: () => [],
  detail: (record) =>
    `sources ${record.sources.join(', ')} · event types ${record.eventTypes.join(', ')} · back-dating ${record.backdatingDays} days`,
  summary: (record, now) => ({
    id: record._id,
    name: record.name,
    sources: record.sources,
    eventTypes: record.eventTypes,
    backdatingDays: record.backdatingDays,
    keys: keysSummary(record.credentials, now),
  }),
  refusal: DepartmentRegisterError,
});
