/**
 * Hand-written SVG bar charts: horizontal bars, one or more series per row (this version
 * against the baseline), each labelled with its value, scaled to the largest value shown.
 */
import { h, s } from './dom.js';

export interface Bar {
  value: number;
  /** CSS class: the series' colour. */
  series: string;
}

export interface ChartRow {
  label: string;
  bars: Bar[];
}

const WIDTH = 640;
const LABEL = 150;
const VALUE = 90;
const BAR = 16;
const GAP = 10;

/** A horizontal bar chart with a caption and a legend of its series. */
export function barChart(title: string, rows: ChartRow[], format: (value: number) => string, legend: Array<[string, string]> = []): HTMLElement {
  const max = Math.max(1, ...rows.flatMap((row) => row.bars.map((bar) => bar.value)));
  const rowHeight = (row: ChartRow) => row.bars.length * (BAR + 2) + GAP;
  const height = rows.reduce((sum, row) => sum + rowHeight(row), GAP);
  const svg = s('svg', { viewBox: `0 0 ${WIDTH} ${height}`, width: '100%', role: 'img', 'aria-label': title, class: 'chart' });
  let y = GAP / 2;
  for (const row of rows) {
    const middle = y + (row.bars.length * (BAR + 2)) / 2;
    svg.append(s('text', { x: LABEL - 8, y: middle + 4, 'text-anchor': 'end', class: 'chart-label' }, row.label));
    row.bars.forEach((bar, i) => {
      const top = y + i * (BAR + 2);
      const width = Math.max(bar.value > 0 ? 2 : 0, ((WIDTH - LABEL - VALUE) * bar.value) / max);
      svg.append(s('rect', { x: LABEL, y: top, width, height: BAR, rx: 2, class: `bar s-${bar.series}` }));
      svg.append(s('text', { x: LABEL + width + 6, y: top + BAR - 4, class: 'chart-value' }, format(bar.value)));
    });
    y += rowHeight(row);
  }
  svg.append(s('line', { x1: LABEL, x2: LABEL, y1: 0, y2: height, class: 'axis' }));
  return h(
    'figure',
    { class: 'chart-box' },
    h('figcaption', {}, title, ...legend.map(([series, label]) => h('span', { class: 'legend' }, h('i', { class: `swatch s-${series}` }), label))),
    svg as unknown as Node,
  );
}
