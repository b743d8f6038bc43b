// Hand-written SVG charts: a four-quarter sparkline for the list and grouped bars (quarter x
// product line) for the account page. Labels are SVG text nodes, never markup.
import {s} from './dom.js';
import {formatNumber, t} from './i18n.js';

const PALETTE =
    ['#2f6fde', '#e8833a', '#3aa876', '#b84fc2', '#d64545', '#7a8a99', '#c9a227', '#1aa3b8'];

// points: [{quarter, quantity}] oldest first.
export function sparkline(points, width = 96, height = 24) {
  const max = Math.max(1, ...points.map((p) => p.quantity));
  const step = points.length > 1 ? (width - 6) / (points.length - 1) : 0;
  const xy = points.map((p, i) => [3 + i * step, height - 3 - (p.quantity / max) * (height - 6)]);
  const falling = points.length > 1 && points[points.length - 1].quantity < points[0].quantity;
  const svg =
      s('svg', {
        class: 'spark' + (falling ? ' falling' : ''),
        viewBox: `0 0 ${width} ${height}`,
        width,
        height,
        role: 'img'
      },
        s('title', {}, points.map((p) => `${p.quarter}: ${formatNumber(p.quantity)}`).join(' · ')),
        s('polyline', {points: xy.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}),
        xy.map(
            ([x, y], i) =>
                s('circle',
                  {cx: x.toFixed(1), cy: y.toFixed(1), r: 2, 'data-quarter': points[i].quarter})));
  return svg;
}

// A round tick step (1, 2 or 5 × 10^k) giving about `ticks` intervals up to `max`.
function niceStep(max, ticks) {
  const raw = max / ticks;
  const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((f) => f * magnitude).find((s) => s >= raw);
  return Math.max(1, step);
}

// "2026Q3" of a date in the browser's zone (the engine's zone may differ by hours at a quarter's
// edge; the mark is a hint, the numbers are the server's).
function quarterOf(date) {
  return date.getFullYear() + 'Q' + (Math.floor(date.getMonth() / 3) + 1);
}

// rows: orders.quarters[] of the account JSON. Shows the last `maxQuarters` quarters present;
// the running quarter's bars are drawn lighter and labelled as partial.
export function quarterBars(rows, maxQuarters = 8, now = new Date()) {
  const quarters = [...new Set(rows.map((r) => r.quarter))].sort().slice(-maxQuarters);
  const lines = [...new Set(rows.map((r) => r.product_line))].sort();
  const value = new Map(rows.map((r) => [r.quarter + '\u0000' + r.product_line, r.quantity]));
  const highest =
      Math.max(1, ...rows.filter((r) => quarters.includes(r.quarter)).map((r) => r.quantity));
  const step = niceStep(highest, 4);
  const max = Math.ceil(highest / step) * step;
  const running = quarterOf(now);
  const W = 640, H = 260, left = 56, right = 8, top = 12, bottom = 40;
  const plotW = W - left - right, plotH = H - top - bottom;
  const groupW = plotW / Math.max(1, quarters.length);
  const barW = Math.max(2, (groupW * 0.8) / Math.max(1, lines.length));
  const y = (v) => top + plotH - (v / max) * plotH;
  const svg = s(
      'svg',
      {class: 'bars', viewBox: `0 0 ${W} ${H}`, role: 'img', 'data-quarters': quarters.join(',')});
  for (let v = 0; v <= max; v += step) {
    svg.append(
        s('line', {class: 'grid', x1: left, x2: W - right, y1: y(v), y2: y(v)}),
        s('text', {class: 'axis', x: left - 6, y: y(v) + 4, 'text-anchor': 'end'},
          formatNumber(v)));
  }
  quarters.forEach((q, qi) => {
    const x0 = left + qi * groupW + groupW * 0.1;
    lines.forEach((line, li) => {
      const v = value.get(q + '\u0000' + line) || 0;
      svg.append(
          s('rect', {
            class: 'bar' + (q === running ? ' partial' : ''),
            x: (x0 + li * barW).toFixed(1),
            y: y(v).toFixed(1),
            width: (barW - 1).toFixed(1),
            height: (top + plotH - y(v)).toFixed(1),
            fill: PALETTE[li % PALETTE.length],
            'data-quarter': q,
            'data-line': line
          },
            s('title', {}, `${q} · ${line}: ${formatNumber(v)}`)));
    });
    // The quarter under its bars, and below it "so far" for the running one.
    const below = (cls, dy, text) =>
        s('text', {
          class: 'axis ' + cls,
          x: (left + qi * groupW + groupW / 2).toFixed(1),
          y: H - bottom + dy,
          'text-anchor': 'middle'
        },
          text);
    svg.append(below('q-label', 16, q));
    if (q === running) svg.append(below('q-partial', 28, t('partialQuarter')));
  });
  const legend = lines.map(
      (line, li) =>
          s('g', {}, s('rect', {
              x: left + li * 110,
              y: H - 14,
              width: 10,
              height: 10,
              fill: PALETTE[li % PALETTE.length]
            }),
            s('text', {class: 'legend', x: left + li * 110 + 14, y: H - 5}, line)));
  svg.append(...legend);
  return svg;
}
