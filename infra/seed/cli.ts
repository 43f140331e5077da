/**
 * Seeds the synthetic city into the configured database:
 *   node --import tsx infra/seed/cli.ts --residents N --enterprises M [--seed S] [--as-of YYYY-MM-DD] [--reset]
 * Prints a progress line; a bad flag or an unreachable database is one line and exit 2 / 1.
 */
import type { Connection } from 'mongoose';
import { exitWhenFlushed } from '../exit.js';
import { connectStore } from '../../store/connection.js';
import { ConfigError, loadServerConfig, redactUrl, type ServerConfig } from '../../workers/config.js';
import { DEV_PORTS } from '../stack.js';
import { seedCity, SeedOptionError, type SeedProgress } from './index.js';

const USAGE =
  'usage: node --import tsx infra/seed/cli.ts --residents N --enterprises M [--seed S] [--as-of YYYY-MM-DD] [--batch-size K] [--reset]';

class FlagError extends Error {}

interface Flags {
  residents: number;
  enterprises: number;
  seed?: string;
  asOf?: string;
  batchSize?: number;
  reset: boolean;
}

function parseFlags(argv: string[]): Flags {
  const flags: Partial<Flags> & { reset: boolean } = { reset: false };
  const count = (flag: string, value: string | undefined): number => {
    const text = value?.replaceAll('_', '').replaceAll(',', '');
    if (!text || !/^\d+$/.test(text))
      throw new FlagError(`${flag}: expected a whole number, got ${value === undefined ? 'nothing' : `"${value}"`}`);
    return Number(text);
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--residents':
        flags.residents = count(flag, value());
        break;
      case '--enterprises':
        flags.enterprises = count(flag, value());
        break;
      case '--batch-size':
        flags.batchSize = count(flag, value());
        break;
      case '--seed': {
        const seed = value();
        if (!seed) throw new FlagError('--seed: expected a value');
        flags.seed = seed;
        break;
      }
      case '--as-of': {
        const asOf = value();
        if (!asOf || !/^\d{4}-\d{2}-\d{2}$/.test(asOf))
          throw new FlagError(`--as-of: expected a date YYYY-MM-DD, got "${asOf ?? ''}"`);
        flags.asOf = asOf;
        break;
      }
      case '--reset':
        flags.reset = true;
        break;
      default:
        throw new FlagError(`${flag}: unknown flag (${USAGE})`);
    }
  }
  if (flags.residents === undefined) throw new FlagError('--residents: required');
  if (flags.enterprises === undefined) throw new FlagError('--enterprises: required');
  return flags as Flags;
}

function progressPrinter(interactive: boolean): (p: SeedProgress) => void {
  const started = Date.now();
  let lastPrinted = 0;
  return ({ phase, done, total }) => {
    const seconds = (Date.now() - started) / 1000;
    const line = `${phase.padEnd(11)} ${done.toLocaleString('en')}/${total.toLocaleString('en')}${total ? ` (${Math.floor((100 * done) / total)}%)` : ''}  ${seconds.toFixed(0)}s`;
    if (interactive) process.stderr.write(`\r${line.padEnd(60)}${done === total ? '\n' : ''}`);
    else if (done === total || Date.now() - lastPrinted > 10_000) {
      lastPrinted = Date.now();
      process.stderr.write(`${line}\n`);
    }
  };
}

async function main(): Promise<number> {
  let flags: Flags;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (error) {
    if (error instanceof FlagError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  let config: ServerConfig;
  try {
    config = loadServerConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return 2;
  }
  const uri = config.mongodbUri ?? `mongodb://127.0.0.1:${DEV_PORTS.mongodb}/applyfree`;
  if (config.keys.development)
    console.error(
      'note: APPLYFREE_SUBJECT_KEY_SECRET is unset; using the development subject-key secret (not for real data)',
    );

  let connection: Connection;
  try {
    connection = await connectStore(uri, { serverSelectionTimeoutMS: 3000 });
  } catch {
    console.error(
      config.mongodbUri
        ? `MONGODB_URI: the database at ${redactUrl(uri)} does not answer`
        : `the embedded database at ${uri} does not answer: run \`npm run stack -- up\` first (or set MONGODB_URI)`,
    );
    return 1;
  }
  try {
    const result = await seedCity(connection, {
      residents: flags.residents,
      enterprises: flags.enterprises,
      seed: flags.seed,
      asOf: flags.asOf,
      batchSize: flags.batchSize,
      reset: flags.reset,
      secret: config.keys.subjectKeySecret,
      previousSecrets: config.keys.previousSubjectKeySecrets,
      onProgress: progressPrinter(process.stderr.isTTY === true && !config.ci),
    });
    const perSecond = Math.round(((flags.residents + flags.enterprises) * 1000) / Math.max(1, result.elapsedMs));
    console.log(
      `seeded ${redactUrl(uri)} (seed "${result.seed}", as of ${result.asOf}): residents ${result.residents.inserted} new, ${result.residents.skipped} already there; ` +
        `enterprises ${result.enterprises.inserted} new, ${result.enterprises.skipped} already there; ${(result.elapsedMs / 1000).toFixed(1)}s, ${perSecond} subjects/s`,
    );
    return 0;
  } catch (error) {
    if (error instanceof SeedOptionError) {
      console.error(error.message);
      return 2;
    }
    console.error(`seeding failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await connection.close();
  }
}

main().then(exitWhenFlushed);
