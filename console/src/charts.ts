/**
 * Hand-written SVG bar charts for the simulation and metrics pages: horizontal bars, one or
 * more series per row (a version against its baseline), each labelled with its value and scaled
 * to the largest value shown, or to a fixed maximum over a grey track (rates out of 100%).
 * Wide screens put the labels left of the bars; a phone puts each label on its own line above
 * its bars, so the text keeps a readable size. A chart redraws itself when the screen crosses
 * between the two.
 */
import { h, s } from './dom.js';

export interface Bar {
  value: number;
  /** CSS class: the series' colour. */
  series: string;
  /** The value as shown beside the bar; the chart's `format` of the value otherwise. */
  text?: string;
}

export interface ChartRow {
  label: string;
  /** The full label, shown on hover (a long label is cut). */
  hint?: string;
  bars: Bar[];
}

export interface ChartOptions {
  /** The value a full-width bar stands for; the largest value shown otherwise. */
  max?: number;
  /** Draw the full width as a grey track behind each bar (rates). */
  track?: boolean;
  /** Series and their labels, for the legend. */
  legend?: Array<[string, string]>;
  /** Extra class of the figure, e.g. to find the chart in tests. */
  className?: string;
}

interface Layout {
  width: number;
  /** Room left of the bars for labels (0: labels above). */
  label: number;
  /** Height of a label line above the bars (0: labels beside). */
  labelLine: number;
  /** Room right of the longest bar for its value. */
  value: number;
}

const WIDE: Layout = { width: 640, label: 190, labelLine: 0, value: 130 };
const NARROW: Layout = { width: 360, label: 0, labelLine: 16, value: 120 };
const PHONE = '(max-width: 640px)';
const BAR = 16;
const GAP = 10;

/** A label cut to `room` user units (CJK characters about twice as wide as Latin ones). */
function fit(label: string, room: number): string {
  let width = 0;
  for (let i = 0; i < label.length; i++) {
    width += label.charCodeAt(i) > 0x2e80 ? 13 : 7;
    if (width > room) return `${label.slice(0, Math.max(1, i - 1))}…`;
  }
  return label;
}

function draw(
  title: string,
  rows: ChartRow[],
  format: (value: number) => string,
  options: ChartOptions,
  layout: Layout,
): SVGElement {
  const max = options.max ?? Math.max(1, ...rows.flatMap((row) => row.bars.map((bar) => bar.value)));
  const span = layout.width - layout.label - layout.value;
  const rowHeight = (row: ChartRow) => layout.labelLine + row.bars.length * (BAR + 2) + GAP;
  const height = rows.reduce((sum, row) => sum + rowHeight(row), GAP);
  const svg = s('svg', {
    viewBox: `0 0 ${layout.width} ${height}`,
    width: '100%',
    role: 'img',
    'aria-label': title,
    class: 'chart',
  });
  let y = GAP / 2;
  for (const row of rows) {
    const barsTop = y + layout.labelLine;
    const label = fit(row.label, (layout.label || layout.width) - 12);
    const labelAt: Record<string, string | number> = layout.labelLine
      ? { x: 0, y: y + layout.labelLine - 4 }
      : { x: layout.label - 8, y: barsTop + (row.bars.length * (BAR + 2)) / 2 + 4, 'text-anchor': 'end' };
    svg.append(s('text', { ...labelAt, class: 'chart-label' }, s('title', {}, row.hint ?? row.label), label));
    row.bars.forEach((bar, i) => {
      const top = barsTop + i * (BAR + 2);
      const width = Math.max(bar.value > 0 ? 2 : 0, (span * Math.min(bar.value, max)) / max);
      if (options.track)
        svg.append(s('rect', { x: layout.label, y: top, width: span, height: BAR, rx: 2, class: 'metrics-track' }));
      svg.append(s('rect', { x: layout.label, y: top, width, height: BAR, rx: 2, class: `bar s-${bar.series}` }));
      svg.append(
        s(
          'text',
          { x: layout.label + (options.track ? span : width) + 6, y: top + BAR - 4, class: 'chart-value' },
          bar.text ?? format(bar.value),
        ),
      );
    });
    y += rowHeight(row);
  }
  if (layout.label) svg.append(s('line', { x1: layout.label, x2: layout.label, y1: 0, y2: height, class: 'axis' }));
  return svg;
}

/**
 * The charts drawn. One listener on the screen width redraws them all; a chart that was on the
 * page and has left it (its view re-rendered) is let go at the next change or the next chart
 * drawn, and one never mounted at once, so re-rendering leaves no detached drawings behind.
 */
interface LiveChart {
  figure: HTMLElement;
  redraw: () => void;
  /** Seen on the page at a check: once off it again, it is gone for good. */
  seen: boolean;
}
const live = new Set<LiveChart>();
let query: MediaQueryList | undefined;
function prune(): void {
  for (const chart of live) {
    if (chart.figure.isConnected) chart.seen = true;
    else if (chart.seen) live.delete(chart);
  }
}
function phone(): MediaQueryList {
  if (!query) {
    query = window.matchMedia(PHONE);
    query.addEventListener('change', () => {
      prune();
      for (const chart of live) if (chart.figure.isConnected) chart.redraw();
    });
  }
  return query;
}

/** A horizontal bar chart with a caption and a legend of its series; `empty` is shown when there are no rows. */
export function barChart(
  title: string,
  rows: ChartRow[],
  format: (value: number) => string,
  options: ChartOptions = {},
  empty?: string,
): HTMLElement {
  const legend = (options.legend ?? []).map(([series, label]) =>
    h('span', { class: 'legend' }, h('i', { class: `swatch s-${series}` }), label),
  );
  const figure = h(
    'figure',
    { class: `chart-box${options.className ? ` ${options.className}` : ''}` },
    h('figcaption', {}, title, ...legend),
  );
  if (rows.length === 0) {
    figure.append(h('p', { class: 'muted' }, empty ?? ''));
    return figure;
  }
  let svg = draw(title, rows, format, options, phone().matches ? NARROW : WIDE);
  figure.append(svg);
  prune();
  const chart: LiveChart = {
    figure,
    seen: false,
    redraw: () => {
      const next = draw(title, rows, format, options, phone().matches ? NARROW : WIDE);
      svg.replaceWith(next);
      svg = next;
    },
  };
  live.add(chart);
  // Views mount what they draw at once: a chart not on the page by the next task never will be.
  window.setTimeout(() => {
    if (figure.isConnected) chart.seen = true;
    else live.delete(chart);
  }, 0);
  return figure;
}
