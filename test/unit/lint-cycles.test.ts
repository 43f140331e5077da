/**
 * The import-cycle rules bite: import-x/no-cycle on value imports, and the local
 * applyfree/no-import-cycle (eslint.config.js) on every import, type-only ones included,
 * naming the cycle. Each case lints a real file's path with changed text, so the rest of
 * the graph is the repository's own.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function cycleErrors(code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  // Only the cycle rules: the same lines may also cross a fence between rooms (lint-fence.test.ts).
  return result.messages
    .filter((m) => m.severity === 2 && /cycle/.test(m.ruleId ?? ''))
    .map((m) => `${m.ruleId}: ${m.message}`);
}

describe('import cycles', () => {
  it('refuses a cycle made only of type imports, and says which files close it', async () => {
    // store/users.ts imports domain/roles.ts; roles importing a type back closes the loop.
    const errors = await cycleErrors(
      "import type { User } from '../store/users.js';\nexport type Named = User['name'];\n",
      'domain/roles.ts',
    );
    expect(errors).toEqual([
      'applyfree/no-import-cycle: Import cycle (type-only imports included): domain/roles.ts → store/users.ts → domain/roles.ts',
    ]);
  });

  it('refuses a value cycle under both rules', async () => {
    const errors = await cycleErrors(
      "import { ROLE_ZH } from '../store/users.js';\nexport const zh = ROLE_ZH;\n",
      'domain/roles.ts',
    );
    expect(errors.map((e) => e.split(':')[0]).sort()).toEqual(['applyfree/no-import-cycle', 'import-x/no-cycle']);
  });

  it('lets an import that leads nowhere back through', async () => {
    const code = "import type { Text } from './sources.js';\nexport type Label = Text;\n";
    expect(await cycleErrors(code, 'domain/roles.ts')).toEqual([]);
  });
});
