// The sweep's grid: which runs `a64hv sweep` makes. Two families:
//  - translation: guests/tlb/tlb-touch.S over footprints x stage-1 pages (--mmu) x stage 2 (--s2,
//    or off) x TLB geometries (--tlb), measured in its region of interest;
//  - vm: two tlb-touch VMs time-sliced under the hypervisor (stage 2 mapped lazily: 4K pages),
//    with and without VMID tagging, measured over the whole run.
import { parseJsonObject } from '../loader/input-file.js';
import { UserError } from '../errors.js';
import { parseMmuSpec, parseS2Spec } from '../loader/mmu-setup.js';
import { parseTlbSpec } from '../stats/tlb-config.js';

export interface Grid {
  /** Footprints in bytes (each a power of two: mode 1 needs a power-of-two number of slots). */
  footprints: number[];
  /** --mmu values, e.g. "s1:4k:pages". */
  mmu: string[];
  /** --s2 values, or "off". */
  s2: string[];
  /** --tlb values, or "default". */
  tlb: string[];
  /** tlb-touch mode: 0 sequential, 1 random, 2 pointer chasing. */
  mode: number;
  stride: number;
  passes: number;
  /** The two-VM family; null to skip it. */
  vm: { footprints: number[]; tagging: boolean[]; slice: number; passes: number } | null;
}

/** The shipped grid: 2 x 2 x 8 translation runs and 2 x 3 VM runs (under 5 minutes on 2 cores). */
export const DEFAULT_GRID: Grid = {
  footprints: [16, 64, 256, 1024, 4096, 16384, 65536, 262144].map((k) => k * 1024),
  mmu: ['s1:4k:pages', 's1:64k:pages'],
  s2: ['off', '4k:pages'],
  tlb: ['default'],
  mode: 1,
  stride: 4096,
  passes: 2,
  vm: { footprints: [64 * 1024, 256 * 1024, 1024 * 1024], tagging: [true, false], slice: 500, passes: 8 },
};

/** A smaller grid for tests and a first look (--quick). */
export const QUICK_GRID: Grid = {
  footprints: [16 * 1024, 256 * 1024, 4096 * 1024],
  mmu: ['s1:4k:pages', 's1:64k:pages'],
  s2: ['off', '4k:pages'],
  tlb: ['default'],
  mode: 1,
  stride: 4096,
  passes: 1,
  vm: { footprints: [256 * 1024], tagging: [true, false], slice: 500, passes: 8 },
};

export interface SweepRun {
  id: number;
  family: 'translation' | 'vm';
  footprint: number;
  mmu: string;
  s2: string;
  tlb: string;
  vmidTagging: boolean | null;
  /** Data loads in the measured part (the region, or both VMs' measured passes). */
  accesses: number;
  /** Arguments of `a64hv run` after the guest. */
  args: string[];
}

/** RAM for a footprint: the buffer (2 MiB aligned), tables, image and the 1 MiB stack; a power of two. */
export function ramFor(footprint: number): number {
  let r = 16 * 1024 * 1024;
  while (r < footprint + footprint / 256 + 8 * 1024 * 1024) r *= 2;
  return r;
}

const MAX_FOOTPRINT = 512 * 1024 * 1024;

export function expandGrid(g: Grid): SweepRun[] {
  const runs: SweepRun[] = [];
  for (const fp of g.footprints) {
    for (const mmu of g.mmu) {
      for (const s2 of g.s2) {
        for (const tlb of g.tlb) {
          const args = ['--cmdline', `${fp} ${g.stride} ${g.passes} ${g.mode}`, '--ram', String(ramFor(fp)), '--mmu', mmu];
          if (s2 !== 'off') args.push('--s2', s2);
          if (tlb !== 'default') args.push('--tlb', tlb);
          runs.push({ id: runs.length, family: 'translation', footprint: fp, mmu, s2, tlb, vmidTagging: null, accesses: g.passes * (fp / g.stride), args });
        }
      }
    }
  }
  if (g.vm) {
    for (const fp of g.vm.footprints) {
      for (const tagging of g.vm.tagging) {
        const args = ['--cmdline', `${fp} ${g.stride} ${g.vm.passes} ${g.mode}`, '--hyp-ram', 'lazy', '--hyp-slice', String(g.vm.slice)];
        if (!tagging) args.push('--no-hyp-vmid-tagging');
        // Two VMs each run a warm-up pass and `passes` passes; the whole run is measured.
        runs.push({ id: runs.length, family: 'vm', footprint: fp, mmu: 'off', s2: '4k:lazy', tlb: 'default', vmidTagging: tagging, accesses: 2 * (g.vm.passes + 1) * (fp / g.stride), args });
      }
    }
  }
  return runs;
}

function numList(v: unknown, what: string, check: (n: number) => string | null): number[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > 64) throw new UserError(`${what}: expected a list of 1..64 numbers`);
  return v.map((x) => {
    const n = typeof x === 'string' ? sizeOf(x, what) : x;
    if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new UserError(`${what}: ${JSON.stringify(x)} is not a whole number`);
    const e = check(n);
    if (e) throw new UserError(`${what}: ${e}`);
    return n;
  });
}
function sizeOf(s: string, what: string): number {
  const m = /^(\d+)([kmg])?$/i.exec(s.trim());
  if (m === null) throw new UserError(`${what}: bad size '${s}' (e.g. 16K, 4M)`);
  return Number(m[1]) * ({ k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase() as 'k'] ?? 1);
}
function strList(v: unknown, what: string, check: (s: string) => void): string[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > 16 || !v.every((x) => typeof x === 'string')) throw new UserError(`${what}: expected a list of 1..16 strings`);
  for (const s of v as string[]) check(s);
  return v as string[];
}

const pow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/** A grid file (JSON): any key of Grid; absent keys keep the shipped grid's. */
export function gridFromJson(text: string, file: string): Grid {
  const o = parseJsonObject(text, file);
  const known = ['footprints', 'mmu', 's2', 'tlb', 'mode', 'stride', 'passes', 'vm'];
  for (const k of Object.keys(o)) if (!known.includes(k)) throw new UserError(`${file}: unknown key '${k}' (known: ${known.join(', ')})`);
  const g: Grid = { ...DEFAULT_GRID };
  const fpCheck = (n: number): string | null => (!pow2(n) || n < 4096 || n > MAX_FOOTPRINT ? `footprint ${n} must be a power of two from 4K to 512M` : null);
  if (o.footprints !== undefined) g.footprints = numList(o.footprints, `${file}: footprints`, fpCheck);
  if (o.mmu !== undefined) g.mmu = strList(o.mmu, `${file}: mmu`, (s) => void parseMmuSpec(s));
  if (o.s2 !== undefined) g.s2 = strList(o.s2, `${file}: s2`, (s) => void (s === 'off' || parseS2Spec(s)));
  if (o.tlb !== undefined) g.tlb = strList(o.tlb, `${file}: tlb`, (s) => void (s === 'default' || parseTlbSpec(s)));
  const one = (k: string, ok: (n: number) => boolean, msg: string): number | undefined => {
    if (o[k] === undefined) return undefined;
    if (typeof o[k] !== 'number' || !ok(o[k] as number)) throw new UserError(`${file}: ${k} ${msg}`);
    return o[k] as number;
  };
  g.mode = one('mode', (n) => n === 0 || n === 1 || n === 2, 'must be 0, 1 or 2') ?? g.mode;
  g.stride = one('stride', (n) => pow2(n) && n >= 8 && n <= 1 << 30, 'must be a power of two from 8') ?? g.stride;
  g.passes = one('passes', (n) => Number.isInteger(n) && n >= 1 && n <= 100, 'must be 1..100') ?? g.passes;
  for (const fp of g.footprints) if (fp < g.stride) throw new UserError(`${file}: footprint ${fp} is smaller than the stride ${g.stride}`);
  if (o.vm !== undefined) {
    if (o.vm === null) g.vm = null;
    else {
      if (typeof o.vm !== 'object' || Array.isArray(o.vm)) throw new UserError(`${file}: vm must be null or {footprints, tagging, slice, passes}`);
      const v = o.vm as Record<string, unknown>;
      const d = DEFAULT_GRID.vm!;
      for (const k of Object.keys(v)) if (!['footprints', 'tagging', 'slice', 'passes'].includes(k)) throw new UserError(`${file}: vm: unknown key '${k}'`);
      const tagging = v.tagging === undefined ? d.tagging : v.tagging;
      if (!Array.isArray(tagging) || tagging.length === 0 || !tagging.every((t) => typeof t === 'boolean')) throw new UserError(`${file}: vm.tagging must be a list of true/false`);
      const slice = v.slice === undefined ? d.slice : v.slice;
      if (typeof slice !== 'number' || !Number.isInteger(slice) || slice < 100 || slice > 1e9) throw new UserError(`${file}: vm.slice must be 100..1e9`);
      const passes = v.passes === undefined ? d.passes : v.passes;
      if (typeof passes !== 'number' || !Number.isInteger(passes) || passes < 1 || passes > 100) throw new UserError(`${file}: vm.passes must be 1..100`);
      g.vm = { footprints: v.footprints === undefined ? d.footprints : numList(v.footprints, `${file}: vm.footprints`, fpCheck), tagging: tagging as boolean[], slice, passes };
    }
  }
  const n = expandGrid(g).length;
  if (n > 2000) throw new UserError(`${file}: the grid has ${n} runs (at most 2000)`);
  return g;
}
