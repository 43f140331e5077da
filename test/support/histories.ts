/** Recorded workflow histories (test/histories/*.json, `temporal workflow show --output json`). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const HISTORIES_DIR = fileURLToPath(new URL('../histories/', import.meta.url));

/** The history as recorded: Worker.runReplayHistory accepts this JSON as it is. */
export function loadHistory(name: string): unknown {
  return JSON.parse(readFileSync(`${HISTORIES_DIR}${name}.json`, 'utf8'));
}
