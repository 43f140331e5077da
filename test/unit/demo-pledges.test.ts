/** The demo's firms sign most of their pledges, the same ones on every run (demo/pledges.ts). */
import { describe, expect, it } from 'vitest';
import { demoFirmSigns } from '../../demo/pledges.js';

describe('the demo firms’ signatures', () => {
  it('sign about nine pledges in ten, and the same pledge the same way every time', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `grant:business-startup-subsidy:e_${i}:once`);
    const signed = keys.filter(demoFirmSigns).length;
    expect(signed / keys.length).toBeGreaterThan(0.85);
    expect(signed / keys.length).toBeLessThan(0.95);
    expect(keys.map(demoFirmSigns)).toEqual(keys.map(demoFirmSigns));
  });
});
