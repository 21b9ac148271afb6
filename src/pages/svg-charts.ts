// Bar charts drawn on the server as plain SVG: no chart library, no script, nothing fetched from
// elsewhere. Each chart is an image with a summary for its accessible name (the page shows the
// numbers themselves in a table next to it); every text in it is escaped, since labels such as a
// sign-up's source come from whoever sent the person. Styles are console.css's .chart classes.
import { escapeHtml } from '../libraries/i18n/catalogue.ts';

export interface ChartSeries {
  /** Words for the series, in the bars' tooltips. */
  name: string;
  /** The class that colours its bars (console.css: bar-ok, bar-failed). */
  className: string;
}

export interface ChartColumn {
  /** The column's name in its bars' tooltips ("3 Dec"). */
  label: string;
  /** Whether the axis names this column too (every few days, not all thirty). */
  onAxis: boolean;
  /** One value per series. */
  values: number[];
}

const WIDTH = 720;
const LABEL_MAX = 28;

const round = (value: number) => Math.round(value * 10) / 10;

/** A step of 1, 2 or 5 times a power of ten, whole numbers only, giving about `ticks` lines to `max`. */
export function axisScale(max: number, ticks = 4): { step: number; top: number } {
  const rough = max / ticks;
  let step = 1;
  if (rough > 1) {
    const power = 10 ** Math.floor(Math.log10(rough));
    const mantissa = rough / power;
    step = (mantissa <= 1 ? 1 : mantissa <= 2 ? 2 : mantissa <= 5 ? 5 : 10) * power;
  }
  return { step, top: Math.max(step, Math.ceil(max / step) * step) };
}

const shorten = (label: string) => (label.length > LABEL_MAX ? `${label.slice(0, LABEL_MAX - 1)}…` : label);

function frame(summary: string, height: number, content: string[]): string {
  const name = escapeHtml(summary);
  return `<svg class="chart" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${name}" xmlns="http://www.w3.org/2000/svg"><title>${name}</title>${content.join('')}</svg>`;
}

/** Columns side by side (a day each), one bar per series in each, over a scale with gridlines. */
export function columnChart({ summary, series, columns, formatNumber = String }: {
  summary: string; series: ChartSeries[]; columns: ChartColumn[]; formatNumber?: (value: number) => string;
}): string {
  const height = 200;
  const [left, right, top, bottom] = [44, 8, 12, 24];
  const plotWidth = WIDTH - left - right;
  const plotHeight = height - top - bottom;
  const { step, top: topValue } = axisScale(Math.max(0, ...columns.flatMap((column) => column.values)));
  const y = (value: number) => round(top + plotHeight - (value / topValue) * plotHeight);
  const columnWidth = plotWidth / Math.max(1, columns.length);
  const barWidth = (columnWidth * 0.8) / Math.max(1, series.length);

  const content: string[] = [];
  for (let tick = 0; tick <= topValue; tick += step) {
    content.push(`<line class="axis" x1="${left}" x2="${WIDTH - right}" y1="${y(tick)}" y2="${y(tick)}"/>`,
      `<text x="${left - 6}" y="${y(tick) + 4}" text-anchor="end">${escapeHtml(formatNumber(tick))}</text>`);
  }
  columns.forEach((column, index) => {
    const x = left + index * columnWidth;
    series.forEach((each, at) => {
      const value = column.values[at] ?? 0;
      if (value <= 0) return;
      content.push(`<rect class="${escapeHtml(each.className)}" x="${round(x + columnWidth * 0.1 + at * barWidth)}" y="${y(value)}" width="${round(barWidth)}" height="${round(top + plotHeight - y(value))}">`
        + `<title>${escapeHtml(`${column.label} · ${each.name}: ${formatNumber(value)}`)}</title></rect>`);
    });
    if (column.onAxis) content.push(`<text x="${round(x + columnWidth / 2)}" y="${height - 6}" text-anchor="middle">${escapeHtml(column.label)}</text>`);
  });
  return frame(summary, height, content);
}

/** Horizontal bars, one per row, longest first as given, each labelled and with its value at its end. */
export function barChart({ summary, rows, className = 'bar-ok', formatNumber = String }: {
  summary: string; rows: Array<{ label: string; value: number }>; className?: string; formatNumber?: (value: number) => string;
}): string {
  const [rowHeight, labelWidth, valueWidth, pad] = [26, 200, 56, 4];
  const height = pad * 2 + rows.length * rowHeight;
  const longest = Math.max(1, ...rows.map((row) => row.value));
  const barSpace = WIDTH - labelWidth - valueWidth;
  const content = rows.flatMap((row, index) => {
    const top = pad + index * rowHeight;
    const width = row.value > 0 ? Math.max(1, round((row.value / longest) * barSpace)) : 0;
    return [
      `<text x="${labelWidth - 8}" y="${top + rowHeight / 2 + 4}" text-anchor="end">${escapeHtml(shorten(row.label))}</text>`,
      `<rect class="${escapeHtml(className)}" x="${labelWidth}" y="${top + 5}" width="${width}" height="${rowHeight - 10}"><title>${escapeHtml(`${row.label}: ${formatNumber(row.value)}`)}</title></rect>`,
      `<text x="${labelWidth + width + 6}" y="${top + rowHeight / 2 + 4}">${escapeHtml(formatNumber(row.value))}</text>`,
    ];
  });
  return frame(summary, height, content);
}
