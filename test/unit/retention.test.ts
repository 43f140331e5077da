/**
 * The retention schedule (services/retention/schedule.ts) as docs/RETENTION.md shows it, and the
 * rows the purge job applies: every deleting row names the date field its period runs from.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decisionWithoutValues } from '../../services/retention/purge.js';
import { PURGED, RETENTION, renderRetention } from '../../services/retention/schedule.js';

const doc = readFileSync(fileURLToPath(new URL('../../docs/RETENTION.md', import.meta.url)), 'utf8');

describe('the retention schedule', () => {
  it('is the table docs/RETENTION.md shows', () => {
    expect(doc).toContain(renderRetention());
  });

  it('purges only rows with a period and the date it runs from, and keeps the audit streams', () => {
    expect(PURGED.map((rule) => rule.collection)).toEqual([
      'fact_snapshots',
      'decisions',
      'eligibility_horizons',
      'codes',
      'inbox',
      'notices',
      'application_uploads',
    ]);
    const audit = RETENTION.find((rule) => rule.collection.startsWith('access_records'));
    expect(audit?.action).toBe('keep');
  });
});

describe('a decision without its values', () => {
  it('keeps each condition and who supplied which fact from what document, and drops the values', () => {
    const provenance = { kind: 'document-at-window', reference: 'N371400551' };
    const stripped = decisionWithoutValues({
      conditions: [{ fact: 'person.birthDate', factValue: '2026-02-02', result: true }],
      suppliedFacts: [{ fact: 'person.birthDate', shownValue: '2026-02-02', provenance, byName: '王审核' }],
    });
    expect(stripped).toEqual({
      conditions: [{ fact: 'person.birthDate', result: true }],
      suppliedFacts: [{ fact: 'person.birthDate', provenance, byName: '王审核' }],
    });
    expect(decisionWithoutValues({ conditions: [] })).toEqual({ conditions: [] });
  });
});
