// The sweep's files: results.csv, results.json (the grid, the rows) and chart.svg: L1 DTLB hit rate
// and cycles per access against footprint (log scale), one line per stage-1 page size x stage 2,
// and the two-VM family's cycles per access with and without VMID tagging.
// The chart is plain SVG written here: the charting libraries that render headless (Vega-Lite
// through vega's View.toSVG) are not installed in this tree yet; see docs/tlb-lab.md.
import { csvField } from '../stats/formats.js';
import type { Grid } from './grid.js';
import type { SweepResult } from './runner.js';

const COLUMNS: (keyof SweepResult)[] = [
  'id', 'family', 'footprint', 'mmu', 's2', 'tlb', 'vmidTagging', 'accesses', 'ok', 'instructions', 'cycles',
  'l1dMisses', 'l1dHitRate', 'l2Hits', 'l2Misses', 's1Walks', 's2Walks', 'descReads', 'cyclesPerAccess', 'walksPerKiloAccess', 'error',
];

export function resultsCsv(rows: SweepResult[]): string {
  const lines = [COLUMNS.join(',')];
  for (const r of rows) lines.push(COLUMNS.map((c) => csvField(r[c] === undefined || r[c] === null ? '' : String(r[c]))).join(','));
  return lines.join('\n') + '\n';
}

export function resultsJson(grid: Grid, rows: SweepResult[], meta: Record<string, unknown>): string {
  return JSON.stringify({ ...meta, grid, results: rows }, null, 2) + '\n';
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf', '#7f7f7f'];

export function sizeLabel(n: number): string {
  if (n >= 1024 ** 3 && n % 1024 ** 3 === 0) return `${n / 1024 ** 3}G`;
  if (n >= 1024 ** 2 && n % 1024 ** 2 === 0) return `${n / 1024 ** 2}M`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024}K`;
  return String(n);
}

interface Series {
  name: string;
  points: [number, number][];
}

/** One panel: x = footprint (log2), y linear from 0; returns SVG elements. */
function panel(x0: number, y0: number, w: number, h: number, title: string, yLabel: string, series: Series[], yMaxFixed?: number): string {
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  if (xs.length === 0) return '';
  const lx = xs.map(Math.log2);
  const xmin = Math.min(...lx);
  const xmax = Math.max(...lx) === xmin ? xmin + 1 : Math.max(...lx);
  const ymaxRaw = yMaxFixed ?? Math.max(...series.flatMap((s) => s.points.map((p) => p[1])), 1e-9);
  const ymax = yMaxFixed ?? niceCeil(ymaxRaw);
  const px = (v: number): number => x0 + ((Math.log2(v) - xmin) / (xmax - xmin)) * w;
  const py = (v: number): number => y0 + h - (v / ymax) * h;
  let s = `<text x="${x0 + w / 2}" y="${y0 - 12}" text-anchor="middle" font-weight="bold">${esc(title)}</text>\n`;
  s += `<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#888"/>\n`;
  for (let k = 0; k <= 4; k++) {
    const v = (ymax * k) / 4;
    s += `<line x1="${x0}" x2="${x0 + w}" y1="${py(v)}" y2="${py(v)}" stroke="#eee"/>`;
    s += `<text x="${x0 - 6}" y="${py(v) + 4}" text-anchor="end">${+v.toPrecision(3)}</text>\n`;
  }
  for (const v of [...new Set(xs)].sort((a, b) => a - b)) {
    s += `<text x="${px(v)}" y="${y0 + h + 16}" text-anchor="middle">${sizeLabel(v)}</text>`;
  }
  s += `\n<text x="${x0 + w / 2}" y="${y0 + h + 34}" text-anchor="middle">footprint (bytes, log scale)</text>\n`;
  s += `<text transform="translate(${x0 - 44},${y0 + h / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>\n`;
  series.forEach((se, k) => {
    const c = PALETTE[k % PALETTE.length];
    const pts = [...se.points].sort((a, b) => a[0] - b[0]);
    s += `<polyline fill="none" stroke="${c}" stroke-width="2" points="${pts.map((p) => `${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(' ')}"/>\n`;
    for (const p of pts) s += `<circle cx="${px(p[0]).toFixed(1)}" cy="${py(p[1]).toFixed(1)}" r="3" fill="${c}"><title>${esc(se.name)}: ${sizeLabel(p[0])} -> ${p[1]}</title></circle>`;
    s += `\n<rect x="${x0 + 8}" y="${y0 + 8 + k * 16}" width="10" height="10" fill="${c}"/><text x="${x0 + 22}" y="${y0 + 17 + k * 16}">${esc(se.name)}</text>\n`;
  });
  return s;
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function group(rows: SweepResult[], key: (r: SweepResult) => string, y: (r: SweepResult) => number): Series[] {
  const m = new Map<string, [number, number][]>();
  for (const r of rows) {
    if (!r.ok) continue;
    const k = key(r);
    if (!m.has(k)) m.set(k, []);
    m.get(k)!.push([r.footprint, y(r)]);
  }
  return [...m.entries()].map(([name, points]) => ({ name, points }));
}

/** The chart as a standalone SVG document. */
export function chartSvg(rows: SweepResult[], title: string): string {
  const tr = rows.filter((r) => r.family === 'translation');
  const vm = rows.filter((r) => r.family === 'vm');
  const name = (r: SweepResult): string => `${r.mmu.replace(/^s1:/, 'S1 ')}, ${r.s2 === 'off' ? 'no S2' : 'S2 ' + r.s2}${r.tlb === 'default' ? '' : ', ' + r.tlb}`;
  const W = 420;
  const H = 260;
  const panels = [
    panel(70, 60, W, H, 'L1 DTLB hit rate (exact: 1 - misses / loads)', 'hit rate', group(tr, name, (r) => r.l1dHitRate), 1),
    panel(70 + W + 90, 60, W, H, 'modelled cycles per load', 'cycles / load', group(tr, name, (r) => r.cyclesPerAccess)),
  ];
  if (vm.length > 0) {
    panels.push(panel(70 + 2 * (W + 90), 60, W, H, 'two VMs time-sliced (S2 4K lazy)', 'cycles / load', group(vm, (r) => (r.vmidTagging ? 'VMID tagging' : 'no tagging: TLBI on switch'), (r) => r.cyclesPerAccess)));
  }
  const width = 70 + panels.length * (W + 90);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H + 130}" font-family="sans-serif" font-size="11">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>\n` +
    panels.join('') +
    '</svg>\n'
  );
}
