// Connecting a detailed model (model.ts) to a PE: every data access must reach the caches, but the
// fast translation cache must keep working exactly as without the model, or the TLB statistics
// (which count only what reaches the slow path, src/mmu/README.md) would change. So the PE's
// ld*/st* methods are wrapped on the instance: each wrapper notes whether the fast cache holds the
// page (then the PA comes from the entry), calls the ordinary method, and reports the access. The
// memory type of a fast-cache entry is remembered when the slow path fills it (an entry only ever
// comes from a slow-path access the wrapper saw). Only a PE with a detailed profile has wrappers.
import { ST_OK } from '../state.js';
import { FC_MASK, FC_SIZE, PAGE_MASK } from '../fastmem.js';
import { MT_DEVICE, type Translation } from '../../mmu/translate.js';
import type { Cpu } from '../cpu.js';
import type { DetailedModel } from './model.js';

const READS = ['ld8', 'ld16', 'ld32', 'ld64'] as const;
const WRITES = ['st8', 'st16', 'st32', 'st64'] as const;
const WRAPPED = [...READS, ...WRITES, 'ldQ', 'stQ', 'zero64Fast'] as const;

type AnyFn = (this: Cpu, ...args: number[]) => number | boolean | void;

/** The PE's fields the wrappers read (protected or readonly in CpuMemory). */
interface MemView {
  tr: Translation;
  rTag: Int32Array;
  rHi: Int32Array;
  rOff: Int32Array;
  wTag: Int32Array;
  wHi: Int32Array;
  wOff: Int32Array;
  fcBase: number;
  ramBase: number;
  ramSize: number;
  status: number;
}

/** Install the model's access hooks on `cpu` (replacing any earlier ones). */
export function attachModel(cpu: Cpu, model: DetailedModel): void {
  detachModel(cpu);
  const m = cpu as unknown as MemView;
  const proto = Object.getPrototypeOf(cpu) as Record<string, AnyFn>;
  // Cacheability of the memory behind each fast-cache entry, per bank index (1 = Normal).
  const rMemo = new Uint8Array(3 * FC_SIZE);
  const wMemo = new Uint8Array(3 * FC_SIZE);
  const report = (lo: number, hi: number, write: boolean, fast: boolean, i: number): void => {
    const tag = write ? m.wTag : m.rTag;
    const memo = write ? wMemo : rMemo;
    let pa: number;
    let cached: boolean;
    if (fast) {
      pa = m.ramBase + (write ? m.wOff : m.rOff)[i] + (lo & 0xfff);
      cached = memo[i] !== 0;
    } else {
      pa = m.tr.pa;
      cached = m.tr.memType !== MT_DEVICE;
      // The slow path may have filled this entry: remember its memory type.
      if (tag[i] === (lo & PAGE_MASK) && (write ? m.wHi : m.rHi)[i] === hi) memo[i] = cached ? 1 : 0;
    }
    const off = pa - m.ramBase;
    model.data(pa, write, cached, off >= 0 && off < m.ramSize);
  };
  const wrap = (name: string, write: boolean): AnyFn => {
    const orig = proto[name];
    return function (this: Cpu, lo: number, hi: number, a?: number, b?: number): number | boolean | void {
      const i = m.fcBase | ((lo >>> 12) & FC_MASK);
      const tag = write ? m.wTag : m.rTag;
      const fast = tag[i] === (lo & PAGE_MASK) && (write ? m.wHi : m.rHi)[i] === hi;
      model.nest++;
      const v = (orig as (this: Cpu, ...x: unknown[]) => number | boolean | void).call(this, lo, hi, a, b);
      model.nest--;
      // zero64Fast returns false when it did nothing (the caller then stores through st64).
      if (model.nest === 0 && m.status === ST_OK && v !== false) report(lo, hi, write, fast, i);
      return v;
    };
  };
  const own = cpu as unknown as Record<string, AnyFn>;
  for (const n of READS) own[n] = wrap(n, false);
  for (const n of WRITES) own[n] = wrap(n, true);
  own.ldQ = wrap('ldQ', false);
  own.stQ = wrap('stQ', true);
  own.zero64Fast = wrap('zero64Fast', true);
}

/** Remove the hooks (the PE's prototype methods apply again). */
export function detachModel(cpu: Cpu): void {
  const own = cpu as unknown as Record<string, unknown>;
  for (const n of WRAPPED) delete own[n];
}
