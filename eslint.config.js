// Lint, with the fence around workflows/: workflow code is replayed deterministically
// inside Temporal's sandbox, so it may not import Node builtins, databases, queues,
// wall-clock libraries, the rules engine, or activity implementations (types only).
// Fences between the rooms keep the layers apart: the domain and the rules know no
// application, store or transport; services know no HTTP; the CLI is a client of the API.
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
    files: ['domain/**/*.ts', 'rules/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/store/**', '**/services/**', '**/api/**', '**/cli/**', '**/activities/**', '**/workers/**'],
              message: 'domain/ and rules/ are pure: no store, application, transport or worker imports.',
            },
            {
              group: ['mongoose', 'mongodb', 'bullmq', 'ioredis', 'fastify', '@temporalio/client'],
              message: 'domain/ and rules/ are pure.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['services/**/*.ts', 'store/**/*.ts', 'activities/**/*.ts', 'notices/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/api/**', '**/cli/**', 'fastify', '@fastify/*'],
              message: 'Only the HTTP adapter (api/) knows HTTP: raise a Refusal with a code, api/errors.ts maps it.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['cli/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/services/**', '**/store/**', '**/activities/**', '**/workflows/**'],
              allowTypeImports: true,
              message: 'The CLI is a client of the HTTP API: import only types from the services.',
            },
            {
              group: ['mongoose', 'mongodb', 'bullmq', 'ioredis', '@temporalio/*'],
              message: 'The CLI talks to the API only.',
            },
          ],
        },
      ],
    },
  },
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
