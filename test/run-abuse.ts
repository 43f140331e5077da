/**
 * `npm run test:abuse`: the files that hold the security review's 29 abuse tests, run whole with
 * vitest (the stack starting for the files that need it). Extra arguments go to vitest.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { abuseTestFiles, ROOT } from './support/abuse-tests.js';

const files = abuseTestFiles();
console.error(`test:abuse: ${files.length} files hold the review's abuse tests`);
const run = spawnSync(
  process.execPath,
  [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...files, ...process.argv.slice(2)],
  {
    cwd: ROOT,
    stdio: 'inherit',
  },
);
process.exit(run.status ?? 1);
