/**
 * The test city's residents and firms are drawn at random, yet two test files (each with its own
 * database, all on one Temporal namespace) must never draw the same one: a benefit workflow ID is
 * started once per subject, policy and period, so a shared resident would arrive "already handled".
 * test/support/city.ts claims every drawn ID on the shared server and draws again when it is taken;
 * here the claims are a set, as the server's unique `_id` is, so the drawing itself is checked.
 */
import { describe, expect, it } from 'vitest';
import { validateCreditCode, validateResidentId } from '../../domain/identity.js';
import { drawCreditCode, drawResidentId, drawUnclaimed } from '../support/city.js';

/** One claims collection shared by every test file, as on the shared server. */
function sharedClaims() {
  const taken = new Set<string>();
  return async (id: string) => {
    if (taken.has(id)) return false;
    taken.add(id);
    return true;
  };
}

describe('test city fixtures', () => {
  it('never give two files the same resident, even when 80 are born on one day', async () => {
    // 80 draws from the 300 sequences of one birth date would collide almost surely by chance.
    const claim = sharedClaims();
    const day = '2011-07-19';
    const files = await Promise.all(
      [1, 2].map(async () => {
        const ids: string[] = [];
        for (let i = 0; i < 40; i++) ids.push(await drawUnclaimed(() => drawResidentId(day), claim));
        return ids;
      }),
    );
    const all = files.flat();
    expect(new Set(all).size).toBe(80);
    for (const id of all) {
      expect(() => validateResidentId(id), id).not.toThrow();
      expect(id.slice(6, 14)).toBe('20110719');
      // Sequences 200-499 only (order codes 400-998): those below are for tests that write fixed IDs.
      expect(Number(id.slice(14, 17))).toBeGreaterThanOrEqual(400);
    }
  });

  it('never give two files the same firm, and keep clear of the fixed organisation codes', async () => {
    const claim = sharedClaims();
    const codes = await Promise.all([1, 2, 3].map(() => drawUnclaimed(drawCreditCode, claim)));
    expect(new Set(codes).size).toBe(3);
    for (const code of codes) {
      expect(() => validateCreditCode(code), code).not.toThrow();
      expect(Number(code.slice(8, 16))).toBeGreaterThanOrEqual(20_000_000);
    }
  });

  it('give up with a clear error when every ID drawn is taken', async () => {
    let draws = 0;
    const draw = () => {
      draws += 1;
      return '371402201107190409';
    };
    await expect(drawUnclaimed(draw, async () => false)).rejects.toThrow('no unclaimed test subject ID after 50 draws');
    expect(draws).toBe(50);
  });
});
