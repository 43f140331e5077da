import { defineConfig } from 'vitest/config';

/** The fast tier: files that need no server (rules, domain, validation, the CLI's and README's promises). */
const UNIT = 'test/unit/**/*.test.ts';

export default defineConfig({
  test: {
    globals: false,
    reporters: ['default', './test/support/summary-reporter.ts'],
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [UNIT],
          // Nothing here starts a server; a test that needs one belongs to the stack tier.
          testTimeout: 20_000,
          // Pure files share each worker's modules: nothing they hold carries over from one file to
          // the next, and the evaluators stay compiled by V8 (about a fifth less CPU on two cores).
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'stack',
          include: ['test/**/*.test.ts'],
          exclude: [UNIT],
          globalSetup: ['test/global-setup.ts'],
          setupFiles: ['test/support/quiet-runtime.ts'],
          // Real servers: generous limits for start-up and workflow bundling on two cores.
          testTimeout: 60_000,
          hookTimeout: 240_000,
          // expect.poll waits as a person would on a loaded machine (vitest's default is 1 s); explicit timeouts win.
          expect: { poll: { timeout: 15_000, interval: 100 } },
        },
      },
    ],
  },
});
