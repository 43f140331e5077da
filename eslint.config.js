// Lint, with the fence around workflows/: workflow code is replayed deterministically
// inside Temporal's sandbox, so it may not import Node builtins, databases, queues,
// wall-clock libraries, the rules engine, or activity implementations (types only).
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const fenceMessage = 'workflows/ runs in the deterministic Temporal sandbox: move side effects to activities/.';

export default tseslint.config(
  { ignores: ['node_modules/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read settings through workers/config.ts (the only reader of the environment).',
        },
      ],
    },
  },
  { files: ['workers/config.ts'], rules: { 'no-restricted-properties': 'off' } },
  {
    files: ['workflows/**/*.ts', 'test/fixtures/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...[
              'mongoose',
              'mongodb',
              'bullmq',
              'ioredis',
              'luxon',
              'json-rules-engine',
              '@temporalio/client',
              '@temporalio/worker',
              '@temporalio/activity',
            ].map((name) => ({ name, message: fenceMessage })),
            ...builtinModules.map((name) => ({ name, message: fenceMessage })),
          ],
          patterns: [
            { group: ['node:*'], message: fenceMessage },
            {
              group: ['**/activities', '**/activities/**'],
              allowTypeImports: true,
              message: 'Import only types from activities/ (proxyActivities<Activities>).',
            },
            {
              group: ['**/rules', '**/rules/**'],
              allowTypeImports: true,
              message: 'Rules are evaluated in activities; import only types from rules/.',
            },
            { group: ['**/store/**', '**/workers/**', '**/infra/**'], message: fenceMessage },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use sleep() or a Temporal timer.' },
        { name: 'process', message: fenceMessage },
      ],
    },
  },
);
