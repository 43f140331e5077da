// Lint, with the fence around workflows/: workflow code is replayed deterministically
// inside Temporal's sandbox, so it may not import Node builtins, databases, queues,
// wall-clock libraries, the rules engine, or activity implementations (types only).
// Fences between the rooms keep the layers apart: the domain and the rules know no
// application, store or transport; services know no HTTP; the CLI is a client of the API.
// And no import cycles, type-only imports included: a cycle of types today is a cycle
// of values after the next refactor, and it marks a type that lives in the wrong file.
import { builtinModules } from 'node:module';
import { relative } from 'node:path';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import ts from 'typescript';
import tseslint from 'typescript-eslint';

// import-x/no-cycle follows value imports only: it skips `import type` by design, with no
// option to include it. This rule walks every import, type-only ones too, with TypeScript's
// own resolver (NodeNext: './x.js' is ./x.ts), and names the cycle it finds.
const resolved = new Map();
const importsOf = new Map();
function resolveLocal(specifier, from) {
  const key = `${from}\0${specifier}`;
  if (!resolved.has(key)) {
    const { resolvedModule } = ts.resolveModuleName(
      specifier,
      from,
      { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
      ts.sys,
    );
    const local =
      resolvedModule && !resolvedModule.isExternalLibraryImport && !resolvedModule.resolvedFileName.endsWith('.d.ts');
    resolved.set(key, local ? resolvedModule.resolvedFileName : undefined);
  }
  return resolved.get(key);
}
function localImports(file) {
  if (!importsOf.has(file)) {
    const { importedFiles } = ts.preProcessFile(ts.sys.readFile(file) ?? '', true, true);
    importsOf.set(file, [...new Set(importedFiles.map((f) => resolveLocal(f.fileName, file)).filter(Boolean))]);
  }
  return importsOf.get(file);
}
const reachableFrom = new Map();
/** Every local file `start` imports, directly or not (memoised: the files on disk do not change during a run). */
function reachable(start) {
  if (!reachableFrom.has(start)) {
    const seen = new Set([start]);
    const queue = [start];
    while (queue.length > 0) {
      for (const next of localImports(queue.shift())) {
        if (seen.has(next)) continue;
        seen.add(next);
        queue.push(next);
      }
    }
    reachableFrom.set(start, seen);
  }
  return reachableFrom.get(start);
}
/** The import path from `start` back to `target`, both included (only asked once a cycle is known). */
function pathBack(start, target) {
  const cameFrom = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift();
    if (file === target) {
      const path = [];
      for (let at = file; at !== undefined; at = cameFrom.get(at)) path.unshift(at);
      return path;
    }
    for (const next of localImports(file)) {
      if (cameFrom.has(next)) continue;
      cameFrom.set(next, file);
      queue.push(next);
    }
  }
  return undefined;
}
const noImportCycle = {
  meta: { type: 'problem', schema: [], messages: { cycle: 'Import cycle (type-only imports included): {{path}}' } },
  create(context) {
    const file = context.physicalFilename;
    const check = (node, specifier) => {
      const target = typeof specifier === 'string' ? resolveLocal(specifier, file) : undefined;
      if (!target || !reachable(target).has(file)) return;
      const back = pathBack(target, file);
      if (back) {
        const path = [file, ...back].map((f) => relative(context.cwd, f)).join(' → ');
        context.report({ node, messageId: 'cycle', data: { path } });
      }
    };
    const fromSource = (node) => check(node, node.source?.value);
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      TSImportType: (node) => check(node, node.argument?.literal?.value),
    };
  },
};

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
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX, applyfree: { rules: { 'no-import-cycle': noImportCycle } } },
    settings: {
      // import-x reads only the extensions and parsers it is told of: without these it parses no
      // .ts dependency and finds no cycle at all.
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver()],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }], 'applyfree/no-import-cycle': 'error' },
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
              // The workflow contracts' ID builders and parsers are the API's vocabulary too.
              regex: '(^|/)(services|store|activities)/|(^|/)workflows/(?!contracts/)',
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
