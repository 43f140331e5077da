/**
 * What the register commands of signing parties (`applyfree department`, `applyfree verifier`)
 * share, so the two registers read, print and exit alike: the subcommands `add|rotate|revoke|list`
 * checked in full before anything is opened (only `add`'s flags and spec are the register's own),
 * the credential shown once with how to sign, a party and its keys as `list` prints them, and the
 * process around it (--json, exit codes 0 done, 1 refused or failed, 2 bad input). Each register
 * says what differs in a `SigningRegister`.
 */
import type { Connection } from 'mongoose';
import { SIGNATURE_WINDOW_SECONDS } from '../domain/signed-request.js';
import type { Text } from '../domain/sources.js';
import { DEFAULT_GRACE_DAYS, type CredentialRecord } from '../store/credentials.js';
import { daysFlag, InputError, readFlags } from './command-flags.js';
import { graceLine, keyLines, usableKeys } from './credential-output.js';
import { DEVELOPMENT_KEY_NOTICE, serverConfigOrExit } from './processing.js';
import { exitWhenDone, openCommandStore } from './server-command.js';

const MAX_GRACE_DAYS = 90;

export type RegisterCommand<Spec> =
  | { name: 'add'; spec: Spec }
  | { name: 'rotate'; id: string; graceDays: number }
  | { name: 'revoke'; id: string; key: string | 'all' }
  | { name: 'list' };

/** A party as its register keeps it. */
interface PartyRecord {
  _id: string;
  name: Text;
  credentials: CredentialRecord[];
}

/** A credential as it is shown once. */
interface ShownCredential {
  keyId: string;
  secret: string;
}

/** What one register of signing parties is: its words, its `add`, its store and how it prints a party. */
export interface SigningRegister<Spec, R extends PartyRecord, C extends ShownCredential> {
  /** The command, e.g. `applyfree verifier`. */
  command: string;
  /** The party in a word, also its key in --json: `verifier` (and `verifiers` for `list`). */
  party: string;
  parties: string;
  /** An ID given as an example when none is. */
  idExample: string;
  addFlags: readonly string[];
  /** The spec `add` registers, from its flags; InputError naming the flag at fault. */
  addSpec(id: string, flags: Map<string, string>): Spec;
  /** How the credential is used: the party's header and ID, which requests it signs, the README section. */
  signing: { header: string; partyOf(credential: C): string; requests: string; request: string; readme: string };
  add(store: Connection, spec: Spec, master: string): Promise<{ record: R; credential: C }>;
  rotate(
    store: Connection,
    id: string,
    master: string,
    options: { graceDays: number },
  ): Promise<{ record: R; credential: C; graceUntil: Date }>;
  revoke(store: Connection, id: string, key: string | 'all'): Promise<R>;
  list(store: Connection): Promise<R[]>;
  /** The line `add` prints first. */
  addedLine(record: R): string;
  /** The line `list` prints when the register is empty. */
  noneLine: string;
  /** What `list` says of a party beside its names and keys: in its first line, and a line of its own. */
  heading(record: R): string[];
  detail(record: R): string;
  /** What the store says of a party, for --json: never a fingerprint or a secret. */
  summary(record: R, now: Date): object;
  /** The register's refusals: exit 1 with their message. */
  refusal: abstract new (...args: never[]) => Error;
}

/** The party ID argument: exactly one. */
function idOf(register: { party: string; idExample: string }, args: string[], command: string): string {
  if (args.length !== 1) throw new InputError(`${command}: give one ${register.party} ID (e.g. ${register.idExample})`);
  return args[0];
}

/** The command, checked in full before anything is opened. */
export function parseRegisterCommand<Spec>(
  register: Pick<
    SigningRegister<Spec, PartyRecord, ShownCredential>,
    'command' | 'party' | 'idExample' | 'addFlags' | 'addSpec'
  >,
  argv: string[],
): RegisterCommand<Spec> {
  const [name, ...rest] = argv;
  if (name !== 'add' && name !== 'rotate' && name !== 'revoke' && name !== 'list')
    throw new InputError(
      `${name === undefined ? 'no command' : `unknown command "${name}"`}: add, rotate, revoke or list (${register.command} --help)`,
    );
  const allowed = { add: register.addFlags, rotate: ['--grace-days'], revoke: ['--key', '--all'], list: [] }[name];
  const { flags, args } = readFlags(name, allowed, rest);
  switch (name) {
    case 'add':
      return { name, spec: register.addSpec(idOf(register, args, 'add'), flags) };
    case 'rotate':
      return {
        name,
        id: idOf(register, args, 'rotate'),
        graceDays: daysFlag('--grace-days', flags.get('--grace-days'), DEFAULT_GRACE_DAYS, MAX_GRACE_DAYS),
      };
    case 'revoke': {
      const id = idOf(register, args, 'revoke');
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
function credentialLines<C extends ShownCredential>(
  party: string,
  signing: SigningRegister<unknown, PartyRecord, C>['signing'],
  credential: C,
): string[] {
  return [
    `key issued · 已签发密钥 — shown once: store the secret in the ${party}’s secret store now · 密钥仅显示一次，请立即妥善保存`,
    `  ${signing.header.padEnd(24)}${signing.partyOf(credential)}`,
    `  x-applyfree-key         ${credential.keyId}`,
    `  secret                  ${credential.secret}`,
    `Sign ${signing.requests} with these and x-applyfree-timestamp (unix seconds, within ` +
      `${SIGNATURE_WINDOW_SECONDS / 60} minutes), x-applyfree-nonce (new each time) and x-applyfree-signature =`,
    `  hex HMAC-SHA256(secret, "METHOD\\npath\\ntimestamp\\nnonce\\n" + hex SHA-256(body)) — README "${signing.readme}".`,
  ];
}

/** A party as `list` prints it: its names, what it may do, and each key's status (never a secret). */
function partyLines<R extends PartyRecord>(
  register: Pick<SigningRegister<unknown, R, ShownCredential>, 'heading' | 'detail'>,
  record: R,
  now: Date,
): string[] {
  return [
    [record._id, record.name.zh, record.name.en, ...register.heading(record), usableKeys(record.credentials, now)].join(
      ' · ',
    ),
    `  ${register.detail(record)}`,
    ...keyLines(record.credentials, now),
  ];
}

async function run<Spec, R extends PartyRecord, C extends ShownCredential>(
  register: SigningRegister<Spec, R, C>,
  command: RegisterCommand<Spec>,
  store: Connection,
  master: string,
  json: boolean,
): Promise<void> {
  const print = (human: string[], data: unknown) =>
    console.log(json ? JSON.stringify(data, null, 2) : human.join('\n'));
  const { party, signing } = register;
  const now = new Date();
  switch (command.name) {
    case 'add': {
      const { record, credential } = await register.add(store, command.spec, master);
      print([register.addedLine(record), ...credentialLines(party, signing, credential)], {
        [party]: register.summary(record, now),
        credential,
      });
      return;
    }
    case 'rotate': {
      const { record, credential, graceUntil } = await register.rotate(store, command.id, master, {
        graceDays: command.graceDays,
      });
      print(
        [
          ...credentialLines(party, signing, credential),
          graceLine(record.credentials, credential.keyId, graceUntil, now),
        ],
        { [party]: register.summary(record, now), credential, graceUntil },
      );
      return;
    }
    case 'revoke': {
      const record = await register.revoke(store, command.id, command.key);
      print(
        [
          `${command.key === 'all' ? 'every key' : `key ${command.key}`} of ${record._id} revoked: refused from the next ${signing.request} · 密钥已吊销`,
          ...partyLines(register, record, now),
        ],
        { [party]: register.summary(record, now) },
      );
      return;
    }
    case 'list': {
      const records = await register.list(store);
      print(
        records.length === 0 ? [register.noneLine] : records.flatMap((record) => partyLines(register, record, now)),
        { [register.parties]: records.map((record) => register.summary(record, now)) },
      );
    }
  }
}

async function main<Spec, R extends PartyRecord, C extends ShownCredential>(
  register: SigningRegister<Spec, R, C>,
): Promise<number> {
  const NAME = register.command;
  const argv = process.argv.slice(2);
  const json = argv.includes('--json');
  let command: RegisterCommand<Spec>;
  try {
    command = parseRegisterCommand(
      register,
      argv.filter((arg) => arg !== '--json'),
    );
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
    await run(register, command, store, config.keys.subjectKeySecret, json);
    return 0;
  } catch (error) {
    if (!(error instanceof register.refusal)) throw error;
    console.error(`${NAME}: ${error.message}`);
    return 1;
  } finally {
    await store.close();
  }
}

/** Runs a register command as the process, and exits with its code. */
export function runRegisterCommand<Spec, R extends PartyRecord, C extends ShownCredential>(
  register: SigningRegister<Spec, R, C>,
): void {
  exitWhenDone(register.command, () => main(register));
}
