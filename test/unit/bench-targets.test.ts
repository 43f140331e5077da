import { describe, expect, it } from 'vitest';
import { mergeTargets } from '../../bench/targets.js';
import { memoryFigure } from '../../bench/support.js';

describe('the targets table of npm run bench -- targets', () => {
  it('puts every run’s memory figure on one row, met only when each run stayed within 4 GiB', () => {
    const rows = mergeTargets([
      { target: 'a 1,000,000 sweep ≤ 60 s', measured: '1,000,000 in 140.8 s', met: false },
      memoryFigure('the sweep', 1_103),
      memoryFigure('the city', 4_200),
      { target: '5.6 million swept ≤ 6 min, each policy', measured: 'old-age: 5,600,000 in 1,200 s', met: false },
    ]);
    expect(rows.map((row) => row.target)).toEqual([
      'a 1,000,000 sweep ≤ 60 s',
      'all processes ≤ 4 GiB',
      '5.6 million swept ≤ 6 min, each policy',
    ]);
    expect(rows[1]).toEqual({
      target: 'all processes ≤ 4 GiB',
      measured: '1,103 MB at the peak (the sweep); 4,200 MB at the peak (the city)',
      met: false,
    });
  });

  it('keeps a target met when every run met it', () => {
    const [memory] = mergeTargets([memoryFigure('the sweep', 1_103), memoryFigure('the city', 4_096)]);
    expect(memory.met).toBe(true);
  });
});
