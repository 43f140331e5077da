import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function fenceErrors(code: string, file = 'workflows/fence-check.ts'): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return result.messages.filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('the lint fence around workflows/', () => {
  it.each([
    ["import { readFileSync } from 'node:fs';", 'a Node builtin'],
    ["import { readFileSync } from 'fs';", 'a bare Node builtin'],
    ["import mongoose from 'mongoose';", 'mongoose'],
    ["import { Queue } from 'bullmq';", 'bullmq'],
    ["import { DateTime } from 'luxon';", 'luxon'],
    ["import { Engine } from 'json-rules-engine';", 'json-rules-engine'],
    ["import { createActivities } from '../activities/index.js';", 'an activity implementation'],
    ["import { connectStore } from '../store/connection.js';", 'the store'],
  ])('forbids %s (%s)', async (line) => {
    const errors = await fenceErrors(`${line}\nexport const x = 1;\n`);
    expect(errors.some((e) => e.startsWith('@typescript-eslint/no-restricted-imports'))).toBe(true);
  });

  it('allows type-only imports of activities and the workflow SDK', async () => {
    const code =
      "import type { Activities } from '../activities/index.js';\nimport { sleep } from '@temporalio/workflow';\nexport type A = Activities;\nexport const s = sleep;\n";
    expect(await fenceErrors(code)).toEqual([]);
  });

  it('does not fence activities/, which may use the database', async () => {
    expect(
      await fenceErrors("import mongoose from 'mongoose';\nexport const m = mongoose;\n", 'activities/x.ts'),
    ).toEqual([]);
  });

  it('lets only workers/config.ts read process.env', async () => {
    const code = 'export const url = process.env.REDIS_URL;\n';
    expect(await fenceErrors(code, 'activities/x.ts')).toEqual([expect.stringContaining('no-restricted-properties')]);
    expect(await fenceErrors(code, 'workers/config.ts')).toEqual([]);
  });
});

describe('the fences between the rooms', () => {
  it.each([
    ["import { connectStore } from '../store/connection.js';", 'domain/x.ts', 'the domain reaching the store'],
    ["import { buildApi } from '../api/server.js';", 'rules/x.ts', 'the rules reaching the API'],
    ["import Fastify from 'fastify';", 'domain/x.ts', 'the domain reaching HTTP'],
    [
      "import { STATUS_OF_KIND } from '../../api/errors.js';",
      'services/cases/x.ts',
      'a service reaching the HTTP adapter',
    ],
    ["import Fastify from 'fastify';", 'store/x.ts', 'the store reaching HTTP'],
    [
      "import { createSweepService } from '../services/sweeps/service.js';",
      'cli/x.ts',
      'the CLI running a service itself',
    ],
    ["import mongoose from 'mongoose';", 'cli/x.ts', 'the CLI reaching the database'],
  ])('forbids %s in %s (%s)', async (line, file) => {
    const errors = await fenceErrors(`${line}\nexport const x = 1;\n`, file);
    expect(errors.some((e) => e.startsWith('@typescript-eslint/no-restricted-imports'))).toBe(true);
  });

  it('lets the CLI import the types of what the API answers', async () => {
    const code = "import type { SweepView } from '../services/sweeps/service.js';\nexport type V = SweepView;\n";
    expect(await fenceErrors(code, 'cli/x.ts')).toEqual([]);
  });
});
