// The sweep's chart (src/sweep/chart.ts): Vega-Lite rendered headless to SVG. The SVG is parsed
// (a small tag parser: every tag balanced) and checked for its panels, axes, series and the
// position of each line's points, so a wrong field, scale or grouping fails here.
import { describe, it, expect } from 'vitest';
import { chartSvg, chartSpec, seriesName } from '../../src/sweep/chart.js';
import type { SweepResult } from '../../src/sweep/runner.js';

interface El {
  tag: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}

/** Parses the SVG into a tree; throws if a tag is not closed by its own end tag. */
function parseSvg(svg: string): El {
  const root: El = { tag: '#root', attrs: {}, children: [], text: '' };
  const stack = [root];
  const re = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>|([^<]+)|<\?[^>]*\?>/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(svg)) !== null) {
    if (m[5] !== undefined) {
      stack[stack.length - 1].text += m[5];
      continue;
    }
    if (m[2] === undefined) continue; // the XML declaration
    if (m[1] === '/') {
      const top = stack.pop()!;
      if (top.tag !== m[2]) throw new Error(`</${m[2]}> closes <${top.tag}>`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of m[3].matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[a[1]] = a[2];
    const el: El = { tag: m[2], attrs, children: [], text: '' };
    stack[stack.length - 1].children.push(el);
    if (m[4] !== '/') stack.push(el);
  }
  if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1].tag}> not closed`);
  return root;
}

function all(e: El, pred: (x: El) => boolean, out: El[] = []): El[] {
  if (pred(e)) out.push(e);
  for (const c of e.children) all(c, pred, out);
  return out;
}
const cls = (e: El): string => e.attrs.class ?? '';
const textOf = (e: El): string => e.text + e.children.map(textOf).join('');
/** The texts of the <text> elements under the groups whose class contains `role`. */
const textsIn = (doc: El, role: string): string[] => all(doc, (e) => cls(e).includes(role)).flatMap((g) => all(g, (e) => e.tag === 'text').map((e) => unesc(textOf(e))));
const unesc = (s: string): string => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

const base: SweepResult = {
  id: 0, family: 'translation', footprint: 16384, mmu: 's1:4k:pages', s2: 'off', tlb: 'default', vmidTagging: null, accesses: 8,
  ok: true, instructions: 100, cycles: 200, l1dMisses: 0, l1dHitRate: 1, l2Hits: 0, l2Misses: 0, s1Walks: 0, s2Walks: 0, descReads: 0,
  cyclesPerAccess: 5, walksPerKiloAccess: 0,
} as SweepResult;
const rows: SweepResult[] = [
  { ...base, footprint: 16384, l1dHitRate: 1, cyclesPerAccess: 5 },
  { ...base, footprint: 1 << 20, l1dHitRate: 0.25, cyclesPerAccess: 30 },
  { ...base, mmu: 's1:64k:pages', footprint: 16384, l1dHitRate: 1, cyclesPerAccess: 5 },
  { ...base, mmu: 's1:64k:pages', footprint: 1 << 20, l1dHitRate: 0.75, cyclesPerAccess: 12 },
  { ...base, mmu: 's1:64k:pages', s2: '4k:pages', footprint: 1 << 20, l1dHitRate: 0.5, cyclesPerAccess: 40 },
  { ...base, ok: false, mmu: 's1:16k:pages', footprint: 1 << 20, l1dHitRate: 0, cyclesPerAccess: 0 }, // failed: not drawn
  { ...base, family: 'vm', vmidTagging: true, footprint: 1 << 20, cyclesPerAccess: 100 },
  { ...base, family: 'vm', vmidTagging: false, footprint: 1 << 20, cyclesPerAccess: 150 },
];

describe('sweep chart (Vega-Lite, rendered headless)', () => {
  it('three panels with their titles, axes, series and points where the data puts them', async () => {
    const svg = await chartSvg(rows, 'sweep & <test>');
    expect(svg.startsWith('<?xml')).toBe(true);
    const doc = parseSvg(svg);
    const texts = all(doc, (e) => e.tag === 'text').map((e) => unesc(textOf(e)));
    expect(texts).toContain('sweep & <test>');
    const panelTitles = textsIn(doc, 'role-title-text');
    expect(panelTitles).toEqual(expect.arrayContaining(['L1 DTLB hit rate (exact: 1 - misses / loads)', 'modelled cycles per load', 'two VMs time-sliced (S2 4K lazy)']));
    const axisTitles = textsIn(doc, 'role-axis-title');
    expect(axisTitles.filter((t) => t === 'footprint (bytes, log scale)')).toHaveLength(3);
    expect(axisTitles).toEqual(expect.arrayContaining(['hit rate', 'cycles / load']));
    // The x axis is labelled with the sweep's footprints (log2 positions), as sizeLabel writes them.
    const axisLabels = textsIn(doc, 'role-axis-label');
    expect(axisLabels).toEqual(expect.arrayContaining(['16K', '1M', '0.0', '1.0']));
    // One line per series: 3 in each translation panel (the failed run is left out), 2 in the VM panel.
    const lines = all(doc, (e) => e.attrs['aria-roledescription'] === 'line mark');
    const series = (e: El): string => /series: ([^;]*)/.exec(unesc(e.attrs['aria-label']))![1];
    const inPanel = (k: string): El[] => all(doc, (e) => cls(e).includes(`mark-line role-mark ${k}_`)).flatMap((g) => g.children.filter((c) => c.tag === 'path'));
    expect(lines).toHaveLength(8);
    const hit = inPanel('concat_0_concat_0_layer_0');
    expect(hit.map(series).sort()).toEqual(['S1 4k:pages, no S2', 'S1 64k:pages, S2 4k:pages', 'S1 64k:pages, no S2']);
    expect(inPanel('concat_1_layer_0').map(series).sort()).toEqual(['VMID tagging', 'no tagging: TLBI on switch']);
    // Hit rate panel: y from 0 (bottom, y=240) to 1 (top, y=0); x log2 from 16K (0) to 1M (380).
    const pts = (e: El): number[][] => [...e.attrs.d.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((p) => [Number(p[1]), Number(p[2])]);
    const four = hit.find((e) => series(e) === 'S1 4k:pages, no S2')!;
    expect(pts(four)).toEqual([[0, 0], [380, 180]]); // hit rate 1 then 0.25
    const sixtyfour = hit.find((e) => series(e) === 'S1 64k:pages, no S2')!;
    expect(pts(sixtyfour)).toEqual([[0, 0], [380, 60]]); // 1 then 0.75
    // Legends: the translation series once (shared by both panels), the VM series in their own.
    const legend = textsIn(doc, 'role-legend-label');
    expect(legend.sort()).toEqual(['S1 4k:pages, no S2', 'S1 64k:pages, S2 4k:pages', 'S1 64k:pages, no S2', 'VMID tagging', 'no tagging: TLBI on switch']);
  });
  it('is the same text on every run, and without VM runs has two panels', async () => {
    const tr = rows.filter((r) => r.family === 'translation');
    const a = await chartSvg(tr, 't');
    expect(await chartSvg(tr, 't')).toBe(a);
    expect(all(parseSvg(a), (e) => e.attrs['aria-roledescription'] === 'line mark')).toHaveLength(6);
    expect(a).not.toContain('two VMs');
    expect((chartSpec(tr, 't').hconcat as unknown[]).length).toBe(1);
  });
  it('an empty sweep (every run failed) still gives a valid SVG', async () => {
    const svg = await chartSvg([{ ...base, ok: false }], 'none');
    expect(all(parseSvg(svg), (e) => e.attrs['aria-roledescription'] === 'line mark')).toHaveLength(0);
    expect(seriesName({ ...base, tlb: 'l1d=64' })).toBe('S1 4k:pages, no S2, l1d=64');
  });
});
