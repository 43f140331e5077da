/**
 * `applyfree verifier add|rotate|revoke|list`: the register of verifiers that scan resident and
 * enterprise codes (a department's counter, a bank, a park, an employer), the matters each may
 * check, and their credentials. A process command run on a server host, like `applyfree
 * department`: a key's secret is derived from the master secret (APPLYFREE_SUBJECT_KEY_SECRET,
 * purpose `verifierCredential`), printed once and never stored (store/verifiers.ts keeps its
 * fingerprint). Exit codes: 0 done, 1 refused or failed, 2 bad input (one line naming the flag;
 * nothing is written). The usage is bin/applyfree.mjs's.
 */
import type { Connection } from 'mongoose';
import { CODE_MATTERS } from '../domain/code-matters.js';
import { SIGNATURE_WINDOW_SECONDS } from '../domain/signed-request.js';
import type { VerifierCredential } from '../domain/verifier-signature.js';
import { validateVerifierSpec, VerifierSpecError, type VerifierKind, type VerifierSpec } from '../domain/verifiers.js';
import { DEFAULT_GRACE_DAYS } from '../store/credentials.js';
import {
  addVerifier,
  listVerifiers,
  revokeVerifierCredential,
  rotateVerifierCredential,
  VerifierRegisterError,
  type VerifierRecord,
} from '../store/verifiers.js';
import { daysFlag, InputError, listFlag, readFlags } from './command-flags.js';
import { graceLine, keyLines, keysSummary, usableKeys } from './credential-output.js';
import { DEVELOPMENT_KEY_NOTICE, serverConfigOrExit } from './processing.js';
import { exitWhenDone, openCommandStore } from './server-command.js';

const NAME = 'applyfree verifier';
const MAX_GRACE_DAYS = 90;

type Command =
  | { name: 'add'; spec: VerifierSpec }
  | { name: 'rotate'; id: string; graceDays: number }
  | { name: 'revoke'; id: string; key: string | 'all' }
  | { name: 'list' };

const FLAGS: Record<Command['name'], readonly string[]> = {
  add: ['--name-zh', '--name-en', '--kind', '--department', '--matters'],
  rotate: ['--grace-days'],
  revoke: ['--key', '--all'],
  list: [],
};

const SPEC_FLAGS: Record<VerifierSpecError['field'], string> = {
  id: 'verifier ID',
  'name.zh': '--name-zh',
  'name.en': '--name-en',
  kind: '--kind',
  department: '--department',
  matters: '--matters',
};

/** The verifier ID argument: exactly one. */
function idOf(args: string[], command: string): string {
  if (args.length !== 1) throw new InputError(`${command}: give one verifier ID (e.g. bank-of-rizhao)`);
  return args[0];
}

/** The command, checked in full before anything is opened. */
function parseCommand(argv: string[]): Command {
  const [name, ...rest] = argv;
  if (name !== 'add' && name !== 'rotate' && name !== 'revoke' && name !== 'list')
    throw new InputError(
      `${name === undefined ? 'no command' : `unknown command "${name}"`}: add, rotate, revoke or list (applyfree verifier --help)`,
    );
  const { flags, args } = readFlags(name, FLAGS[name], rest);
  switch (name) {
    case 'add': {
      const id = idOf(args, 'add');
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
        return { name, spec: validateVerifierSpec(spec) };
      } catch (error) {
        if (error instanceof VerifierSpecError) throw new InputError(`${SPEC_FLAGS[error.field]}: ${error.message}`);
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

/** The credential, shown once, with how to sign a scan. */
function credentialLines(credential: VerifierCredential): string[] {
  return [
    'key issued · 已签发密钥 — shown once: store the secret in the verifier’s secret store now · 密钥仅显示一次，请立即妥善保存',
    `  x-applyfree-verifier    ${credential.verifier}`,
    `  x-applyfree-key         ${credential.keyId}`,
    `  secret                  ${credential.secret}`,
    'Sign every POST /codes/scan with these and x-applyfree-timestamp (unix seconds, within ' +
      `${SIGNATURE_WINDOW_SECONDS / 60} minutes), x-applyfree-nonce (new each time) and x-applyfree-signature =`,
    '  hex HMAC-SHA256(secret, "METHOD\\npath\\ntimestamp\\nnonce\\n" + hex SHA-256(body)) — README "Resident and enterprise codes".',
  ];
}

const matterTitles = (matters: readonly string[]) =>
  matters.map((id) => `${id} (${CODE_MATTERS.find((matter) => matter.id === id)?.title.zh ?? '?'})`).join(', ');

/** A verifier as `list` prints it: what it is, what it may check, and each key's status (never a secret). */
function verifierLines(record: VerifierRecord, now: Date): string[] {
  return [
    `${record._id} · ${record.name.zh} · ${record.name.en} · ${record.kind === 'department' ? `department ${record.department}` : 'outside party'} · ${usableKeys(record.credentials, now)}`,
    `  matters ${matterTitles(record.matters)}`,
    ...keyLines(record.credentials, now),
  ];
}

/** What the store says of a verifier, for --json: never a fingerprint or a secret. */
const summary = (record: VerifierRecord, now: Date) => ({
  id: record._id,
  name: record.name,
  kind: record.kind,
  ...(record.department ? { department: record.department } : {}),
  matters: record.matters,
  keys: keysSummary(record.credentials, now),
});

async function run(command: Command, store: Connection, master: string, json: boolean): Promise<void> {
  const print = (human: string[], data: unknown) =>
    console.log(json ? JSON.stringify(data, null, 2) : human.join('\n'));
  const now = new Date();
  switch (command.name) {
    case 'add': {
      const { record, credential } = await addVerifier(store, command.spec, master);
      print(
        [
          `verifier ${record._id} registered · 核验方已登记: may check ${matterTitles(record.matters)}`,
          ...credentialLines(credential),
        ],
        { verifier: summary(record, now), credential },
      );
      return;
    }
    case 'rotate': {
      const { record, credential, graceUntil } = await rotateVerifierCredential(store, command.id, master, {
        graceDays: command.graceDays,
      });
      print([...credentialLines(credential), graceLine(record.credentials, credential.keyId, graceUntil, now)], {
        verifier: summary(record, now),
        credential,
        graceUntil,
      });
      return;
    }
    case 'revoke': {
      const record = await revokeVerifierCredential(store, command.id, command.key);
      print(
        [
          `${command.key === 'all' ? 'every key' : `key ${command.key}`} of ${record._id} revoked: refused from the next scan · 密钥已吊销`,
          ...verifierLines(record, now),
        ],
        { verifier: summary(record, now) },
      );
      return;
    }
    case 'list': {
      const records = await listVerifiers(store);
      print(
        records.length === 0
          ? ['no verifier is registered · 尚无登记核验方 (applyfree verifier add)']
          : records.flatMap((record) => verifierLines(record, now)),
        { verifiers: records.map((record) => summary(record, now)) },
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
    if (!(error instanceof VerifierRegisterError)) throw error;
    console.error(`${NAME}: ${error.message}`);
    return 1;
  } finally {
    await store.close();
  }
}

exitWhenDone(NAME, main);
