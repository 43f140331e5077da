import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { POLICY_DIR, findPolicyVersion, loadPolicyCatalog, policiesInForce } from '../../../rules/catalog.js';
import { PolicyCatalogError } from '../../../rules/errors.js';

const catalog = await loadPolicyCatalog();
const childcare = JSON.parse(await readFile(join(POLICY_DIR, 'childcare-subsidy', 'v1.json'), 'utf8')) as Record<
  string,
  unknown
>;
const ids = (trigger: string, asOf: string) => policiesInForce(catalog, trigger, asOf).map((policy) => policy.id);

let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  dirs = [];
});

async function catalogDir(files: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'applyfree-catalog-'));
  dirs.push(dir);
  for (const [file, content] of Object.entries(files)) {
    await mkdir(join(dir, file.split('/')[0]), { recursive: true });
    await writeFile(join(dir, file), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

describe('policiesInForce', () => {
  it('finds the policies a daily age-milestone screening must evaluate', () => {
    expect(ids('age.milestone', '2025-06-01')).toEqual([
      'childcare-subsidy',
      'compulsory-school-enrollment',
      'old-age-allowance',
      'senior-preferential-card',
    ]);
  });

  it('leaves out a policy before it takes effect and after it ends (both ends inclusive)', () => {
    expect(ids('birth.registered', '2024-12-31')).toEqual([]);
    expect(ids('birth.registered', '2025-01-01')).toEqual(['childcare-subsidy']);
    expect(ids('enterprise.annual-review', '2025-12-31')).toEqual([
      'business-startup-subsidy',
      'job-stabilisation-refund',
    ]);
    expect(ids('enterprise.annual-review', '2026-01-01')).toEqual(['business-startup-subsidy']);
  });

  it('picks the latest version in force on the date, and keeps older versions findable for pinned cases', async () => {
    const v2 = {
      ...childcare,
      version: 2,
      effective: { from: '2026-01-01' },
      parameters: { annualAmount: [{ from: '2025-01-01', value: 4200 }] },
      tests: [
        {
          name: 'a child born 2026-01-05 gets 4,200 for 2026 under version 2',
          asOf: '2026-12-31',
          facts: { 'person.birthDate': '2026-01-05', 'person.localHukou': true },
          expect: { outcome: 'eligible', amount: 4200 },
        },
      ],
    };
    const local = await loadPolicyCatalog(
      await catalogDir({ 'childcare-subsidy/v1.json': childcare, 'childcare-subsidy/v2.json': v2 }),
    );
    expect(policiesInForce(local, 'birth.registered', '2025-12-31').map((policy) => policy.version)).toEqual([1]);
    expect(policiesInForce(local, 'birth.registered', '2026-01-01').map((policy) => policy.version)).toEqual([2]);
    expect(findPolicyVersion(local, 'childcare-subsidy', 1)?.parameters.annualAmount[0].value).toBe(3600);
    expect(findPolicyVersion(local, 'childcare-subsidy', 3)).toBeUndefined();
  });
});

describe('loadPolicyCatalog', () => {
  it('rejects a file whose name or folder does not match the version and id inside, and reports every broken file', async () => {
    const dir = await catalogDir({
      'childcare-subsidy/v2.json': childcare,
      'baby-bonus/v1.json': childcare,
      'childcare-subsidy/latest.json': childcare,
      'broken/v1.json': '{ "id": ',
      'invalid/v1.json': { ...childcare, id: 'invalid', version: -1 },
    });
    const error = await loadPolicyCatalog(dir).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(PolicyCatalogError);
    expect((error as PolicyCatalogError).code).toBe('POLICY_CATALOG_INVALID');
    expect((error as PolicyCatalogError).problems.map((problem) => `${problem.file} ${problem.path}`)).toEqual([
      'baby-bonus/v1.json id',
      'broken/v1.json (file)',
      'childcare-subsidy/latest.json (file)',
      'childcare-subsidy/v2.json version',
      'invalid/v1.json version',
    ]);
  });
});
