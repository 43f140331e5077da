/**
 * What the commands run on a server host (`applyfree department`, `user`, `subject`) share: the
 * database they work on — MONGODB_URI, or the embedded stack's — and how their process ends.
 */
import type { Connection } from 'mongoose';
import { DEV_PORTS } from '../infra/stack.js';
import { connectStore } from '../store/connection.js';
import { redactUrl } from './config.js';

/** The command's database, or undefined after one line saying which one does not answer and what to do. */
export async function openCommandStore(name: string, mongodbUri: string | undefined): Promise<Connection | undefined> {
  const uri = mongodbUri ?? `mongodb://127.0.0.1:${DEV_PORTS.mongodb}/applyfree`;
  try {
    return await connectStore(uri, { serverSelectionTimeoutMS: 3000 });
  } catch {
    console.error(
      mongodbUri
        ? `${name}: MONGODB_URI: the database at ${redactUrl(uri)} does not answer`
        : `${name}: the embedded database at ${uri} does not answer: run \`npm run stack -- up\` first (or set MONGODB_URI)`,
    );
    return undefined;
  }
}

/** Commands run their main with it: they exit with its code once their output has gone. */
export { exitWhenDone } from '../infra/exit.js';
