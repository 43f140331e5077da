import { describe, expect, it } from 'vitest';
import { buildTimeline } from '../../bench/chaos-timeline.js';

const CAMPAIGN = { seconds: 600, kills: 100, temporalRestarts: 5, outageSeconds: 30, seed: 1 };

describe('the fault timeline of npm run chaos', () => {
  it('holds every fault the campaign promises, inside its length', () => {
    const timeline = buildTimeline(CAMPAIGN);
    expect(timeline.kills).toHaveLength(100);
    expect(timeline.kills.every((at) => at >= 0 && at <= 600)).toBe(true);
    expect(timeline.kills).toEqual([...timeline.kills].sort((a, b) => a - b));
    expect(timeline.servers.filter((f) => f.kind === 'restart' && f.server === 'temporal')).toHaveLength(5);
    const outages = timeline.servers.filter((f) => f.kind === 'outage');
    expect(outages.map((f) => f.server).sort()).toEqual(['mongodb', 'redis']);
    expect(outages.every((f) => f.kind === 'outage' && f.seconds === 30)).toBe(true);
    const last = timeline.servers.at(-1)!;
    expect(last.at + (last.kind === 'outage' ? last.seconds : 0)).toBeLessThan(600);
  });

  it('never lets one server fault begin before the one before it has ended', () => {
    const { servers } = buildTimeline(CAMPAIGN);
    for (let i = 1; i < servers.length; i += 1) {
      const before = servers[i - 1];
      const ends = before.at + (before.kind === 'outage' ? before.seconds : 0);
      expect(servers[i].at).toBeGreaterThan(ends);
    }
  });

  it('gives the same kill times for the same seed, and others for another', () => {
    expect(buildTimeline(CAMPAIGN).kills).toEqual(buildTimeline(CAMPAIGN).kills);
    expect(buildTimeline({ ...CAMPAIGN, seed: 2 }).kills).not.toEqual(buildTimeline(CAMPAIGN).kills);
  });

  it('refuses a campaign too short for its faults, naming the option and the least that fits', () => {
    expect(() => buildTimeline({ ...CAMPAIGN, seconds: 120 })).toThrow(/120 s is too short .* at least \d+ s/);
  });
});
