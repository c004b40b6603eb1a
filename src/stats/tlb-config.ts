// TLB geometry from the command line (`--tlb l1i=48,l1d=32:full,l2=1024:4:rr,walk=64:4,ipa=64:4`)
// or a JSON file (`--tlb-config FILE.json`), validated into a full TlbConfig (src/mmu/tlb.ts).
// Every structure: ENTRIES[:WAYS|full][:lru|rr]. The L1 TLBs are always round-robin (their misses
// stay exact under the host fast cache, src/mmu/README.md), so a replacement there is refused.
import { parseJsonObject } from '../loader/input-file.js';
import { UserError } from '../errors.js';
import { DEFAULT_TLB_CONFIG, type TlbConfig, type TlbGeometry } from '../mmu/tlb.js';

export const TLB_STRUCTURES = ['l1i', 'l1d', 'l2', 'ipa', 'walk'] as const;
export type TlbStructure = (typeof TLB_STRUCTURES)[number];

/** Largest structure accepted: bounded allocation (each entry is ~60 bytes of typed arrays). */
export const MAX_TLB_ENTRIES = 1 << 20;
const MAX_COST = 1_000_000;

/** The full default configuration, every field explicit (what a run records). */
export function defaultTlbConfig(): Required<TlbConfig> {
  const g = (x: TlbGeometry, l1: boolean): TlbGeometry => ({ entries: x.entries, ways: x.ways, replacement: l1 ? 'rr' : (x.replacement ?? 'lru') });
  const d = DEFAULT_TLB_CONFIG;
  return {
    l1i: g(d.l1i, true),
    l1d: g(d.l1d, true),
    l2: g(d.l2, false),
    ipa: g(d.ipa, false),
    walk: g(d.walk!, false),
    cost: { ...d.cost },
  };
}

function int(s: string, what: string): number {
  if (!/^\d{1,9}$/.test(s)) throw new UserError(`${what}: expected a whole number, got '${s}'`);
  return Number(s);
}

/** Check one structure's geometry the way TlbArray will use it (sets a power of two). */
export function checkGeometry(name: TlbStructure, g: TlbGeometry, what: string): TlbGeometry {
  const l1 = name === 'l1i' || name === 'l1d';
  // L1 ITLB 0 would leave instruction-side counts inexact; L2 and the IPA cache are always probed.
  const min = name === 'l1d' || name === 'walk' ? 0 : 1;
  if (!Number.isInteger(g.entries) || g.entries < min || g.entries > MAX_TLB_ENTRIES) {
    throw new UserError(`${what}: ${name} entries must be ${min}..${MAX_TLB_ENTRIES}, got ${g.entries}`);
  }
  if (g.entries === 0) return { entries: 0, ways: 1, replacement: l1 ? 'rr' : 'lru' };
  if (!Number.isInteger(g.ways) || g.ways < 1 || g.ways > g.entries || g.entries % g.ways !== 0) {
    throw new UserError(`${what}: ${name} ways must divide ${g.entries} entries, got ${g.ways}`);
  }
  const sets = g.entries / g.ways;
  if ((sets & (sets - 1)) !== 0) throw new UserError(`${what}: ${name} has ${sets} sets; the number of sets (entries/ways) must be a power of two`);
  const r = g.replacement ?? (l1 ? 'rr' : 'lru');
  if (r !== 'lru' && r !== 'rr') throw new UserError(`${what}: ${name} replacement must be lru or rr, got '${String(r)}'`);
  if (l1 && r !== 'rr') throw new UserError(`${what}: ${name} is always round-robin (its misses stay exact under the host fast cache)`);
  return { entries: g.entries, ways: g.ways, replacement: r };
}

/** One structure's ENTRIES[:WAYS|full][:lru|rr]; absent ways mean fully associative for L1, else the default's. */
function parseGeometry(name: TlbStructure, v: string, what: string): TlbGeometry {
  const parts = v.split(':');
  if (parts.length > 3) throw new UserError(`${what}: ${name}=${v}: expected ENTRIES[:WAYS|full][:lru|rr]`);
  const entries = int(parts[0], `${what}: ${name}`);
  let ways: number | undefined;
  let replacement: 'lru' | 'rr' | undefined;
  for (const p of parts.slice(1)) {
    if (p === 'full') ways = entries;
    else if (p === 'lru' || p === 'rr') replacement = p;
    else ways = int(p, `${what}: ${name} ways`);
  }
  const def = defaultTlbConfig()[name];
  if (ways === undefined) ways = name === 'l1i' || name === 'l1d' ? entries : Math.min(def.ways, Math.max(entries, 1));
  return checkGeometry(name, { entries, ways, replacement }, what);
}

/**
 * Apply a `--tlb` spec to `base`: comma-separated NAME=VALUE with NAME one of l1i, l1d, l2, ipa,
 * walk (geometry), l2hit, descread (modelled cycles on the slow path).
 */
export function parseTlbSpec(spec: string, base: Required<TlbConfig> = defaultTlbConfig()): Required<TlbConfig> {
  const what = `--tlb ${spec}`;
  const out: Required<TlbConfig> = { ...base, cost: { ...base.cost } };
  if (spec.trim() === '') throw new UserError(`--tlb: empty (e.g. --tlb l1d=64:full,l2=2048:4)`);
  for (const item of spec.split(',')) {
    const eq = item.indexOf('=');
    const key = (eq < 0 ? item : item.slice(0, eq)).trim().toLowerCase();
    const val = eq < 0 ? '' : item.slice(eq + 1).trim();
    if (eq < 0 || val === '') throw new UserError(`${what}: '${item}' is not NAME=VALUE`);
    if ((TLB_STRUCTURES as readonly string[]).includes(key)) out[key as TlbStructure] = parseGeometry(key as TlbStructure, val, what);
    else if (key === 'l2hit' || key === 'descread') {
      const n = int(val, `${what}: ${key}`);
      if (n > MAX_COST) throw new UserError(`${what}: ${key} at most ${MAX_COST}`);
      out.cost[key === 'l2hit' ? 'l2Hit' : 'descRead'] = n;
    } else throw new UserError(`${what}: unknown name '${key}' (known: ${TLB_STRUCTURES.join(', ')}, l2hit, descread)`);
  }
  return out;
}

/**
 * A `--tlb-config` JSON object: {"l1d": {"entries": 64, "ways": "full"}, "l2": "2048:4:rr",
 * "cost": {"l2Hit": 3, "descRead": 20}}; each structure an object or a --tlb style string.
 * Absent structures keep `base`. A config.json written by a run (its "tlb" key) reads back.
 */
export function tlbConfigFromJson(text: string, file: string, base: Required<TlbConfig> = defaultTlbConfig()): Required<TlbConfig> {
  let o = parseJsonObject(text, file);
  // A whole recorded configuration: take its "tlb" part.
  if (typeof o.tlb === 'object' && o.tlb !== null && !Array.isArray(o.tlb)) o = o.tlb as Record<string, unknown>;
  const out: Required<TlbConfig> = { ...base, cost: { ...base.cost } };
  for (const [k, v] of Object.entries(o)) {
    if ((TLB_STRUCTURES as readonly string[]).includes(k)) {
      const name = k as TlbStructure;
      if (typeof v === 'string') out[name] = parseGeometry(name, v, file);
      else if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
        const g = v as Record<string, unknown>;
        for (const gk of Object.keys(g)) if (!['entries', 'ways', 'replacement'].includes(gk)) throw new UserError(`${file}: ${name}: unknown key '${gk}' (entries, ways, replacement)`);
        if (typeof g.entries !== 'number') throw new UserError(`${file}: ${name}.entries must be a number`);
        const ways = g.ways === 'full' ? g.entries : g.ways === undefined ? parseGeometry(name, String(g.entries), file).ways : g.ways;
        if (typeof ways !== 'number') throw new UserError(`${file}: ${name}.ways must be a number or "full"`);
        out[name] = checkGeometry(name, { entries: g.entries, ways, replacement: g.replacement as 'lru' | 'rr' | undefined }, file);
      } else throw new UserError(`${file}: ${name} must be an object {entries, ways, replacement} or a string like "64:4"`);
    } else if (k === 'cost') {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UserError(`${file}: cost must be an object {l2Hit, descRead}`);
      for (const [ck, cv] of Object.entries(v as Record<string, unknown>)) {
        if (ck !== 'l2Hit' && ck !== 'descRead') throw new UserError(`${file}: cost: unknown key '${ck}' (l2Hit, descRead)`);
        if (typeof cv !== 'number' || !Number.isInteger(cv) || cv < 0 || cv > MAX_COST) throw new UserError(`${file}: cost.${ck} must be a whole number 0..${MAX_COST}`);
        out.cost[ck] = cv;
      }
    } else throw new UserError(`${file}: unknown key '${k}' (known: ${TLB_STRUCTURES.join(', ')}, cost)`);
  }
  return out;
}

/** Short form for tables and CSV: "l1d=32:32:rr ...". */
export function formatTlbConfig(c: Required<TlbConfig>): string {
  return TLB_STRUCTURES.map((n) => `${n}=${c[n].entries}:${c[n].ways}:${c[n].replacement}`).join(',') + `,l2hit=${c.cost.l2Hit},descread=${c.cost.descRead}`;
}
