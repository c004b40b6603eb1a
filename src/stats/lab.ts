// The TLB lab options of `a64hv run` in one place: --tlb / --tlb-config (geometry), --mmu /
// --mmu-offset / --s2 (translation set up for an unmodified guest), regions of interest, and the
// output files (--stats-txt, --stats-csv, --stats-dir with config.json next to the statistics).
import { readInputText } from '../loader/input-file.js';
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { UserError } from '../errors.js';
import { configureTlb } from '../mmu/translate.js';
import type { TlbConfig } from '../mmu/tlb.js';
import type { Machine } from '../machine.js';
import { defaultTlbConfig, parseTlbSpec, tlbConfigFromJson } from './tlb-config.js';
import { parseMmuSpec, parseS2Spec, setupGuestMmu, setupIdentityS2, MMU_VA_BITS, S2_IPA_BITS, type MmuSetup, type S2Setup } from '../loader/mmu-setup.js';
import { RegionStats, type StatsSample } from './roi.js';
import { statsCsv, statsTxt } from './formats.js';

export interface LabOptions {
  tlb?: string;
  tlbConfig?: string;
  mmu?: string;
  mmuOffset?: string;
  s2?: string;
  statsTxt?: string;
  statsCsv?: string;
  statsDir?: string;
}

/** Parse and read everything before the machine exists (a typo costs no run). */
export async function resolveTlbConfig(o: LabOptions): Promise<Required<TlbConfig>> {
  let cfg = defaultTlbConfig();
  if (o.tlbConfig !== undefined) {
    let text: string;
    try {
      // A regular file of bounded size (an endless /dev/zero must not grow memory: issue 14).
      text = await readInputText(o.tlbConfig);
    } catch (e) {
      throw new UserError(`--tlb-config ${(e as Error).message}`);
    }
    cfg = tlbConfigFromJson(text, o.tlbConfig, cfg);
  }
  // --tlb applies on top of the file.
  if (o.tlb !== undefined) cfg = parseTlbSpec(o.tlb, cfg);
  return cfg;
}

export class TlbLab {
  readonly roi: RegionStats;
  mmu: MmuSetup | null = null;
  s2: S2Setup | null = null;

  private constructor(
    readonly m: Machine,
    readonly o: LabOptions,
    readonly tlb: Required<TlbConfig>,
  ) {
    this.roi = new RegionStats(m.cpu);
    m.firmware.semihost.vendor = this.roi.handler;
  }

  /** Validate the options and configure the machine's TLBs (call right after new Machine). */
  static async create(m: Machine, o: LabOptions): Promise<TlbLab> {
    if (o.mmuOffset !== undefined && o.mmu === undefined) throw new UserError('--mmu-offset needs --mmu');
    if (o.mmu !== undefined) parseMmuSpec(o.mmu, o.mmuOffset);
    if (o.s2 !== undefined) parseS2Spec(o.s2);
    const cfg = await resolveTlbConfig(o);
    configureTlb(m.cpu, cfg);
    return new TlbLab(m, o, cfg);
  }

  /** After the image is loaded and the PE booted: stage 1 and/or the identity stage 2. */
  boot(): void {
    if (this.o.mmu !== undefined) this.mmu = setupGuestMmu(this.m, parseMmuSpec(this.o.mmu, this.o.mmuOffset));
    if (this.o.s2 !== undefined) this.s2 = setupIdentityS2(this.m, parseS2Spec(this.o.s2));
    // Counting starts at the guest's first instruction.
    this.roi.reset();
  }

  /** The whole configuration of the run, as gem5's config.json records it. */
  config(extra: Record<string, unknown>): Record<string, unknown> {
    const hx = (n: number | bigint): string => '0x' + n.toString(16);
    return {
      ...extra,
      ramBase: hx(this.m.bus.ramBase),
      ramSize: this.m.bus.ramSize,
      timing: this.m.cpu.timing.profile.name,
      tlb: this.tlb,
      mmu: this.mmu
        ? {
            spec: this.o.mmu,
            granule: this.mmu.spec.granule,
            mapping: this.mmu.spec.mapping,
            offset: hx(this.mmu.spec.offset),
            vaBits: MMU_VA_BITS,
            tables: [hx(this.mmu.tableBase), hx(this.mmu.tableEnd)],
            tcr: hx(this.mmu.tcr),
            mair: hx(this.mmu.mair),
          }
        : 'off (as the guest sets it)',
      s2: this.s2
        ? { spec: this.o.s2, granule: this.s2.spec.granule, mapping: this.s2.spec.mapping, ipaBits: S2_IPA_BITS, vmid: this.s2.vmid, vtcr: hx(this.s2.vtcr), tables: [hx(this.s2.tableBase), hx(this.s2.tableEnd)] }
        : 'off',
      notes:
        'Every count is exact; L1 DTLB lookups are one per data-accessing instruction (two if it crosses a page), L1 ITLB lookups one per instruction fetched (src/mmu/tlb-exact.ts).',
    };
  }

  /** The dumped regions, then the counters since the last reset (the whole run without one) as "end". */
  samples(): StatsSample[] {
    return [...this.roi.regions, this.roi.sample('end')];
  }

  get wantsFiles(): boolean {
    return this.o.statsTxt !== undefined || this.o.statsCsv !== undefined || this.o.statsDir !== undefined;
  }

  /** Write the requested files. */
  async write(config: Record<string, unknown>, stdout?: { write(s: string): unknown }): Promise<void> {
    const samples = this.samples();
    const put = async (path: string, data: string): Promise<void> => {
      // cli: '-' is stdout for --stats-txt and --stats-csv, as for every output file option.
      if (path === '-' && stdout !== undefined) {
        stdout.write(data);
        return;
      }
      try {
        await writeFile(path, data);
      } catch (e) {
        throw new UserError(`${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
    };
    if (this.o.statsTxt !== undefined) await put(this.o.statsTxt, statsTxt(samples));
    if (this.o.statsCsv !== undefined) await put(this.o.statsCsv, statsCsv(samples));
    if (this.o.statsDir !== undefined) {
      // One level only (its parent must exist): Node's recursive mkdir can spin on paths like /proc/x/y.
      try {
        await mkdir(this.o.statsDir);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST' || !statSync(this.o.statsDir).isDirectory()) {
          throw new UserError(`--stats-dir ${this.o.statsDir}: cannot create (${code ?? (e as Error).message})`);
        }
      }
      await put(join(this.o.statsDir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
      await put(join(this.o.statsDir, 'stats.txt'), statsTxt(samples));
      await put(join(this.o.statsDir, 'stats.csv'), statsCsv(samples));
      await put(join(this.o.statsDir, 'stats.json'), JSON.stringify({ config, regions: samples }, null, 2) + '\n');
    }
  }
}
