/**
 * `applyfree audit`: the auditors' own command, independent of the API. It reads the database
 * named by MONGODB_URI (or the embedded one `npm start` keeps on this machine) directly.
 * `verify` walks every audit stream's hash chain (store/audit-verify.ts) and prints each stream's
 * tip — the hash to copy outside the database (a notary, a WORM log) so a later `verify --anchor`
 * catches even a rewrite of every block. `adopt` chains records written before the chain existed,
 * as they are now. Exit codes: 0 intact (or adopted), 1 a break (the first one named) or no
 * database, 2 usage.
 */
import { exitWhenDone } from '../infra/exit.js';
import { readFileSync } from 'node:fs';
import mongoose, { type Connection } from 'mongoose';
import { DEV_PORTS, embeddedUrls, externalUrl } from '../infra/stack.js';
import { chainStored } from '../store/audit-chain.js';
import {
  AUDIT_STREAMS,
  isAuditStream,
  STREAM_SOURCES,
  type AuditStream,
  type RecordRef,
} from '../store/audit-streams.js';
import { verifyStream, type StreamReport } from '../store/audit-verify.js';
import { loadConfig, redactUrl } from './config.js';

export const AUDIT_USAGE = `usage: applyfree audit verify [--stream S] [--json] [--anchor FILE] | audit adopt [--stream S]
  verify            checks the hash chain of every audit stream in the database (MONGODB_URI, else the embedded one):
                    exit 0 when all are intact, 1 naming the first altered, deleted, reordered or inserted entry
    --stream S      one stream: ${AUDIT_STREAMS.join(', ')}
    --json          the report as JSON; keep its streams' tip hashes outside the database (notary, WORM log)
    --anchor FILE   a report kept earlier: each stream must still hold the tip it had then
  adopt             chains records written before the chain existed, as they stand now (once, after upgrading)`;

class UsageError extends Error {}

interface Options {
  command: 'verify' | 'adopt';
  streams: AuditStream[];
  json: boolean;
  anchor?: string;
}

function parse(argv: string[]): Options {
  const [command, ...rest] = argv;
  if (command !== 'verify' && command !== 'adopt')
    throw new UsageError(command ? `unknown subcommand "${command}"` : 'name a subcommand: verify or adopt');
  const options: Options = { command, streams: [...AUDIT_STREAMS], json: false };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--json') options.json = true;
    else if (arg === '--stream') {
      const stream = rest[++i] ?? '';
      if (!isAuditStream(stream)) throw new UsageError(`--stream: unknown stream "${stream}"`);
      options.streams = [stream];
    } else if (arg === '--anchor' && command === 'verify') {
      options.anchor = rest[++i];
      if (!options.anchor) throw new UsageError('--anchor needs a file');
    } else throw new UsageError(`unknown option "${arg}"`);
  }
  return options;
}

/** The tips of a report kept earlier (`verify --json`), by stream. */
function readAnchors(file: string): Map<string, { seq: number; hash: string }> {
  const kept = JSON.parse(readFileSync(file, 'utf8')) as { streams?: Array<Partial<StreamReport>> };
  const anchors = new Map<string, { seq: number; hash: string }>();
  for (const stream of kept.streams ?? [])
    if (stream.stream && stream.tip && stream.tip.seq > 0) anchors.set(stream.stream, stream.tip);
  return anchors;
}

async function verify(connection: Connection, options: Options, database: string): Promise<number> {
  const anchors = options.anchor ? readAnchors(options.anchor) : new Map<string, { seq: number; hash: string }>();
  const reports: StreamReport[] = [];
  for (const stream of options.streams) {
    const anchor = anchors.get(stream);
    reports.push(await verifyStream(connection, stream, anchor ? { anchor } : {}));
  }
  const ok = reports.every((report) => report.ok);
  if (options.json) {
    console.log(JSON.stringify({ ok, database, checkedAt: new Date().toISOString(), streams: reports }, null, 2));
  } else {
    console.log(`audit chains · 审计链校验 (${database})`);
    for (const report of reports) {
      const figures = `${report.blocks} blocks, ${report.entries} entries`;
      console.log(
        report.ok
          ? `  ✔ ${report.stream.padEnd(18)} ${figures} · tip #${report.tip.seq} ${report.tip.hash}`
          : `  ✘ ${report.stream.padEnd(18)} ${report.break!.message}`,
      );
    }
  }
  const first = reports.find((report) => !report.ok);
  if (first) console.error(`applyfree audit: ${first.break!.message}`);
  return ok ? 0 : 1;
}

async function adopt(connection: Connection, options: Options): Promise<number> {
  for (const stream of options.streams) {
    let adopted = 0;
    let batch: RecordRef[] = [];
    for await (const { ref } of STREAM_SOURCES[stream].documents(connection)) {
      batch.push(ref);
      if (batch.length === 500) {
        adopted += await chainStored(connection, stream, batch);
        batch = [];
      }
    }
    adopted += await chainStored(connection, stream, batch);
    console.log(`  ${stream.padEnd(18)} ${adopted} record(s) chained`);
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(AUDIT_USAGE);
    return 0;
  }
  let options: Options;
  try {
    options = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`applyfree audit: ${error.message}\n${AUDIT_USAGE}`);
    return 2;
  }
  const config = loadConfig();
  const uri = externalUrl(config, 'mongodb') ?? embeddedUrls(DEV_PORTS).mongodb;
  const database = redactUrl(uri);
  // A plain connection: no models, no index builds — verify only reads.
  const connection = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 5_000, autoIndex: false });
  try {
    await connection.asPromise();
  } catch (error) {
    console.error(
      `applyfree audit: cannot verify: MongoDB at ${database} does not answer (${error instanceof Error ? error.message : String(error)}); set MONGODB_URI or start the servers with \`npm run stack -- up\``,
    );
    return 1;
  }
  try {
    return options.command === 'verify'
      ? await verify(connection, options, database)
      : await adopt(connection, options);
  } finally {
    await connection.close();
  }
}

exitWhenDone('applyfree audit', () => main(process.argv.slice(2)));
