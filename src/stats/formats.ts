// Statistics as files people can use: a gem5-style stats.txt (one statistic per line with its
// description, one block per dump), CSV (one row per dump, one column per statistic) and the
// recorded configuration (config.json). No colour codes anywhere: these are files.
//
// Every count is exact: L1 lookups are derived from the executed instructions (src/mmu/tlb-exact.ts:
// one L1 DTLB lookup per data-accessing instruction, one L1 ITLB lookup per instruction fetched), L1 hits
// are lookups - misses, misses and everything below L1 are counted where they happen.
import type { StatsSample } from './roi.js';

export interface Stat {
  name: string;
  value: number;
  desc: string;
}

type Level = { lookups: number; hits: number; misses: number; evictions: number; fills: number; entries: number; valid: number };
type Walks = { s1Walks: number; s2Walks: number; s1DescReads: number; s2DescReads: number; s1Faults: number; s2Faults: number };

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

/** The flat list of statistics of one sample, in a fixed order (the CSV columns). */
export function flatStats(s: StatsSample): Stat[] {
  const t = s.tlb as unknown as { l1i: Level; l1d: Level; l2: Level; ipa: Level; walkCache: Level; walks: Walks };
  const out: Stat[] = [
    { name: 'sim_insts', value: s.instructions, desc: 'Instructions retired' },
    { name: 'sim_cycles', value: Math.round(s.cycles), desc: 'Modelled cycles (timing profile of the run)' },
    { name: 'cpi', value: s.instructions > 0 ? round(s.cycles / s.instructions) : 0, desc: 'Modelled cycles per instruction' },
  ];
  const level = (key: string, name: string, l: Level, l1: string): void => {
    out.push(
      { name: `tlb.${key}.lookups`, value: l.lookups, desc: `${name}: lookups${l1}` },
      { name: `tlb.${key}.hits`, value: l.hits, desc: `${name}: hits` },
      { name: `tlb.${key}.misses`, value: l.misses, desc: `${name}: misses` },
      { name: `tlb.${key}.evictions`, value: l.evictions, desc: `${name}: valid entries replaced for capacity` },
      { name: `tlb.${key}.fills`, value: l.fills, desc: `${name}: entries written` },
      { name: `tlb.${key}.entries`, value: l.entries, desc: `${name}: configured entries` },
    );
  };
  level('l1i', 'L1 ITLB', t.l1i, ' (one per instruction fetched)');
  level('l1d', 'L1 DTLB', t.l1d, ' (one per data-accessing instruction, two if it crosses a page)');
  level('l2', 'unified L2 TLB (lookups = L1 misses)', t.l2, '');
  level('ipa', 'IPA cache (stage-2 only entries)', t.ipa, '');
  level('walkCache', 'stage-1 walk cache (one lookup per level probed)', t.walkCache, '');
  const rate = (l: Level): number => (l.lookups > 0 ? round(l.hits / l.lookups) : 0);
  const mpki = (l: Level): number => (s.instructions > 0 ? round((1000 * l.misses) / s.instructions) : 0);
  out.push(
    { name: 'tlb.l1i.hitRate', value: rate(t.l1i), desc: 'L1 ITLB hits / lookups' },
    { name: 'tlb.l1d.hitRate', value: rate(t.l1d), desc: 'L1 DTLB hits / lookups' },
    { name: 'tlb.l1i.mpki', value: mpki(t.l1i), desc: 'L1 ITLB misses per 1000 instructions' },
    { name: 'tlb.l1d.mpki', value: mpki(t.l1d), desc: 'L1 DTLB misses per 1000 instructions' },
    { name: 'tlb.l2.mpki', value: mpki(t.l2), desc: 'L2 TLB misses per 1000 instructions' },
  );
  const w = t.walks;
  out.push(
    { name: 'walks.s1Walks', value: w.s1Walks, desc: 'Stage-1 walks started (TLB misses with stage 1 on)' },
    { name: 'walks.s2Walks', value: w.s2Walks, desc: 'Stage-2 walks (IPA-cache misses)' },
    { name: 'walks.s1DescReads', value: w.s1DescReads, desc: 'Descriptors read by stage-1 walks' },
    { name: 'walks.s2DescReads', value: w.s2DescReads, desc: 'Descriptors read by stage-2 walks' },
    { name: 'walks.descReads', value: w.s1DescReads + w.s2DescReads, desc: 'All descriptor reads' },
    {
      name: 'walks.readsPerS1Walk',
      value: w.s1Walks > 0 ? round((w.s1DescReads + w.s2DescReads) / w.s1Walks) : 0,
      desc: 'Descriptor reads (both stages) per stage-1 walk',
    },
    { name: 'walks.s1Faults', value: w.s1Faults, desc: 'Stage-1 faults found on the slow path' },
    { name: 'walks.s2Faults', value: w.s2Faults, desc: 'Stage-2 faults found on the slow path' },
  );
  return out;
}

/** gem5-style text: a Begin/End block per sample, `name  value  # description`. */
export function statsTxt(samples: StatsSample[]): string {
  let out = '';
  for (const s of samples) {
    out += `\n---------- Begin Simulation Statistics (${s.label}) ----------\n`;
    for (const st of flatStats(s)) out += `${st.name.padEnd(36)} ${String(st.value).padStart(16)}   # ${st.desc}\n`;
    out += `---------- End Simulation Statistics   (${s.label}) ----------\n`;
  }
  return out;
}

/** RFC 4180 field. */
export function csvField(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One header row, then one row per sample (label first). */
export function statsCsv(samples: StatsSample[], extra: Record<string, string | number> = {}): string {
  if (samples.length === 0) return '';
  const keys = Object.keys(extra);
  const names = flatStats(samples[0]).map((s) => s.name);
  const rows = [[...keys, 'region', ...names].map(csvField).join(',')];
  for (const s of samples) rows.push([...keys.map((k) => extra[k]), s.label, ...flatStats(s).map((x) => x.value)].map(csvField).join(','));
  return rows.join('\n') + '\n';
}
