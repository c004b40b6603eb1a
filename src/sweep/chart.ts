// The sweep's chart: a Vega-Lite specification rendered to a self-contained SVG in Node by vega's
// headless View (renderer 'none', View.toSVG: no DOM, no canvas). Panels: L1 DTLB hit rate and
// modelled cycles per load against footprint (log2 x axis), one line per stage-1 page size x
// stage 2 (x TLB geometry), and the two-VM family's cycles per load with and without VMID tagging.
import type { SweepResult } from './runner.js';

/** 16384 -> "16K", 3 MiB -> "3M" (the CSV, the progress line and the axis labels agree). */
export function sizeLabel(n: number): string {
  if (n >= 1024 ** 3 && n % 1024 ** 3 === 0) return `${n / 1024 ** 3}G`;
  if (n >= 1024 ** 2 && n % 1024 ** 2 === 0) return `${n / 1024 ** 2}M`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024}K`;
  return String(n);
}

/** The series a translation run belongs to: page size and stage 2 (and TLB geometry if not the default). */
export function seriesName(r: SweepResult): string {
  return `${r.mmu.replace(/^s1:/, 'S1 ')}, ${r.s2 === 'off' ? 'no S2' : 'S2 ' + r.s2}${r.tlb === 'default' ? '' : ', ' + r.tlb}`;
}

// The same size labels as sizeLabel, as a Vega expression for the axis (datum.value is the footprint).
const SIZE_LABEL_EXPR =
  "datum.value >= 1073741824 ? datum.value / 1073741824 + 'G' : datum.value >= 1048576 ? datum.value / 1048576 + 'M' : datum.value >= 1024 ? datum.value / 1024 + 'K' : datum.value";

type Row = { footprint: number; series: string; value: number };

function panel(title: string, yTitle: string, rows: Row[], yDomain?: [number, number]): Record<string, unknown> {
  const footprints = [...new Set(rows.map((r) => r.footprint))].sort((a, b) => a - b);
  return {
    title,
    width: 380,
    height: 240,
    data: { values: rows },
    mark: { type: 'line', point: true },
    encoding: {
      x: {
        field: 'footprint',
        type: 'quantitative',
        title: 'footprint (bytes, log scale)',
        scale: { type: 'log', base: 2 },
        axis: { values: footprints, labelExpr: SIZE_LABEL_EXPR, grid: false },
      },
      y: { field: 'value', type: 'quantitative', title: yTitle, scale: yDomain ? { domain: yDomain } : { zero: true } },
      color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', columns: 2, labelLimit: 400 } },
      tooltip: [{ field: 'series' }, { field: 'footprint' }, { field: 'value' }],
    },
  };
}

/** The Vega-Lite specification of the chart (written next to the SVG, so it can be restyled). */
export function chartSpec(rows: SweepResult[], title: string): Record<string, unknown> {
  const ok = rows.filter((r) => r.ok);
  const tr = ok.filter((r) => r.family === 'translation');
  const vm = ok.filter((r) => r.family === 'vm');
  const translation = [
    panel('L1 DTLB hit rate (exact: 1 - misses / loads)', 'hit rate', tr.map((r) => ({ footprint: r.footprint, series: seriesName(r), value: r.l1dHitRate })), [0, 1]),
    panel('modelled cycles per load', 'cycles / load', tr.map((r) => ({ footprint: r.footprint, series: seriesName(r), value: r.cyclesPerAccess }))),
  ];
  // The two translation panels share one colour legend; the VM panel has its own series and legend.
  const panels: Record<string, unknown>[] = [{ hconcat: translation, resolve: { scale: { color: 'shared' } } }];
  if (vm.length > 0) {
    const name = (r: SweepResult): string => (r.vmidTagging ? 'VMID tagging' : 'no tagging: TLBI on switch');
    panels.push(panel('two VMs time-sliced (S2 4K lazy)', 'cycles / load', vm.map((r) => ({ footprint: r.footprint, series: name(r), value: r.cyclesPerAccess }))));
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    background: 'white',
    config: { font: 'sans-serif' },
    resolve: { scale: { color: 'independent' } },
    hconcat: panels,
  };
}

/** The chart as a standalone SVG document (vega and vega-lite are loaded only when a chart is drawn). */
export async function chartSvg(rows: SweepResult[], title: string): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vl.compile(chartSpec(rows, title)).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + (await view.toSVG()) + '\n';
  } finally {
    view.finalize();
  }
}
