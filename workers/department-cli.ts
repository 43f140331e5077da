/**
 * `applyfree department add|rotate|revoke|list`: the register of departments that publish life
 * events, and their credentials. A process command run on a server host: a key's secret is
 * derived from the master secret (APPLYFREE_SUBJECT_KEY_SECRET), printed once and never stored
 * (store/departments.ts keeps its fingerprint). Uses MONGODB_URI, or the embedded database that
 * `npm start` or `npm run stack -- up` keep running. Exit codes: 0 done, 1 refused or failed,
 * 2 bad input (one line naming the flag; nothing is written). The usage is bin/applyfree.mjs's.
 */
import type { Connection } from 'mongoose';
import { SIGNATURE_WINDOW_SECONDS, type DepartmentCredential } from '../domain/department-signature.js';
import { DepartmentSpecError, validateDepartmentSpec, type DepartmentSpec } from '../domain/departments.js';
import {
  addDepartment,
  DEFAULT_GRACE_DAYS,
  DepartmentRegisterError,
  listDepartments,
  revokeCredential,
  rotateCredential,
  type DepartmentRecord,
} from '../store/departments.js';
import { DEVELOPMENT_KEY_NOTICE, serverConfigOrExit } from './processing.js';
import { daysFlag, InputError, listFlag, readFlags } from './command-flags.js';
import { graceLine, keyLines, keysSummary, usableKeys } from './credential-output.js';
import { exitWhenDone, openCommandStore } from './server-command.js';

const NAME = 'applyfree department';
/** A department's default back-dating window, in days, when `add` is given none. */
const DEFAULT_BACKDATING_DAYS = 30;
const MAX_GRACE_DAYS = 90;

type Command =
  | { name: 'add'; spec: DepartmentSpec }
  | { name: 'rotate'; id: string; graceDays: number }
  | { name: 'revoke'; id: string; key: string | 'all' }
  | { name: 'list' };

const FLAGS: Record<Command['name'], readonly string[]> = {
  add: ['--name-zh', '--name-en', '--sources', '--event-types', '--backdating-days'],
  rotate: ['--grace-days'],
  revoke: ['--key', '--all'],
  list: [],
};

/** The department ID argument: exactly one. */
function idOf(args: string[], command: string): string {
  if (args.length !== 1) throw new InputError(`${command}: give one department ID (e.g. public-security-household)`);
  return args[0];
}

const SPEC_FLAGS: Record<DepartmentSpecError['field'], string> = {
  id: 'department ID',
  name: '--name-zh',
  'name.zh': '--name-zh',
  'name.en': '--name-en',
  sources: '--sources',
  eventTypes: '--event-types',
  backdatingDays: '--backdating-days',
};

/** The command, checked in full before anything is opened. */
function parseCommand(argv: string[]): Command {
  const [name, ...rest] = argv;
  if (name !== 'add' && name !== 'rotate' && name !== 'revoke' && name !== 'list')
    throw new InputError(
      `${name === undefined ? 'no command' : `unknown command "${name}"`}: add, rotate, revoke or list (applyfree department --help)`,
    );
  const { flags, args } = readFlags(name, FLAGS[name], rest);
  switch (name) {
    case 'add': {
      const id = idOf(args, 'add');
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
        return { name, spec: validateDepartmentSpec(spec) };
      } catch (error) {
        if (error instanceof DepartmentSpecError) throw new InputError(`${SPEC_FLAGS[error.field]}: ${error.message}`);
        throw error;
      }
    }
    case 'rotate':
      return {
        name,
        id: idOf(args, 'rotate'),
        graceDays: daysFlag('--grace-days', flags.get('--grace-days'), DEFAULT_GRACE_DAYS, MAX_GRACE_DAYS),
      };
    case 'revoke': {
      const id = idOf(args, 'revoke');
      const key = flags.get('--key');
      if ((key === undefined) === !flags.has('--all')) throw new InputError('--key: give --key <key ID> or --all');
      return { name, id, key: key ?? 'all' };
    }
    case 'list':
      if (args.length > 0) throw new InputError(`list: takes no argument, got "${args[0]}"`);
      return { name };
  }
}

/** The credential, shown once, with how to sign. */
function credentialLines(credential: DepartmentCredential): string[] {
  return [
    'key issued · 已签发密钥 — shown once: store the secret in the department’s secret store now · 密钥仅显示一次，请立即妥善保存',
    `  x-applyfree-department  ${credential.department}`,
    `  x-applyfree-key         ${credential.keyId}`,
    `  secret                  ${credential.secret}`,
    'Sign every request to POST /events with these and x-applyfree-timestamp (unix seconds, within ' +
      `${SIGNATURE_WINDOW_SECONDS / 60} minutes), x-applyfree-nonce (new each time) and x-applyfree-signature =`,
    '  hex HMAC-SHA256(secret, "METHOD\\npath\\ntimestamp\\nnonce\\n" + hex SHA-256(body)) — README "Departments".',
  ];
}

/** A department as `list` prints it: what it may publish, and each key's status (never a secret). */
function departmentLines(record: DepartmentRecord, now: Date): string[] {
  return [
    `${record._id} · ${record.name.zh} · ${record.name.en} · ${usableKeys(record.credentials, now)}`,
    `  sources ${record.sources.join(', ')} · event types ${record.eventTypes.join(', ')} · back-dating ${record.backdatingDays} days`,
    ...keyLines(record.credentials, now),
  ];
}

/** What the store says of a department, for --json: never a fingerprint or a secret. */
const summary = (record: DepartmentRecord, now: Date) => ({
  id: record._id,
  name: record.name,
  sources: record.sources,
  eventTypes: record.eventTypes,
  backdatingDays: record.backdatingDays,
  keys: keysSummary(record.credentials, now),
});

async function run(command: Command, store: Connection, master: string, json: boolean): Promise<void> {
  const print = (human: string[], data: unknown) =>
    console.log(json ? JSON.stringify(data, null, 2) : human.join('\n'));
  const now = new Date();
  switch (command.name) {
    case 'add': {
      const { record, credential } = await addDepartment(store, command.spec, master);
      print(
        [
          `department ${record._id} registered · 部门已登记: sources ${record.sources.join(', ')}; event types ${record.eventTypes.join(', ')}; back-dating ${record.backdatingDays} days`,
          ...credentialLines(credential),
        ],
        { department: summary(record, now), credential },
      );
      return;
    }
    case 'rotate': {
      const { record, credential, graceUntil } = await rotateCredential(store, command.id, master, {
        graceDays: command.graceDays,
      });
      print([...credentialLines(credential), graceLine(record.credentials, credential.keyId, graceUntil, now)], {
        department: summary(record, now),
        credential,
        graceUntil,
      });
      return;
    }
    case 'revoke': {
      const record = await revokeCredential(store, command.id, command.key);
      print(
        [
          `${command.key === 'all' ? 'every key' : `key ${command.key}`} of ${record._id} revoked: refused from the next request · 密钥已吊销`,
          ...departmentLines(record, now),
        ],
        { department: summary(record, now) },
      );
      return;
    }
    case 'list': {
      const records = await listDepartments(store);
      print(
        records.length === 0
          ? ['no department is registered · 尚无登记部门 (applyfree department add)']
          : records.flatMap((record) => departmentLines(record, now)),
        { departments: records.map((record) => summary(record, now)) },
      );
    }
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const json = argv.includes('--json');
  let command: Command;
  try {
    command = parseCommand(argv.filter((arg) => arg !== '--json'));
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    console.error(`${NAME}: ${error.message}`);
    return 2;
  }
  const config = serverConfigOrExit(NAME);
  if (config.keys.development && command.name !== 'list')
    console.error(`${NAME}: ${DEVELOPMENT_KEY_NOTICE}; keys derived from it are for development only`);
  const store = await openCommandStore(NAME, config.mongodbUri);
  if (!store) return 1;
  try {
    await run(command, store, config.keys.subjectKeySecret, json);
    return 0;
  } catch (error) {
    if (!(error instanceof DepartmentRegisterError)) throw error;
    console.error(`${NAME}: ${error.message}`);
    return 1;
  } finally {
    await store.close();
  }
}

exitWhenDone(NAME, main);
