// The fuzzing suite (issue 14): hostile input never takes the host down and never leaks a byte.
// Each area generates cases from a seeded PRNG; a case's seed is derived from the run's seed, the
// area and the case number, so a failure reproduces with `npm run fuzz -- --seed S --area A
// --from N --cases 1`. What every case asserts:
//   el1, el0   random and biased instruction streams on the bare machine: no host exception, the
//              run ends within its instruction budget
//   hyp        the same in VM 0 under the hypervisor, with VM 1 holding a secret: loads/stores,
//              LDP/STP, stage-1 tables (TTBR0/TCR/SCTLR writes), AT, DC ZVA/CIVAC, IC IVAU, TLBI,
//              HVC/SMC with PSCI function IDs and random arguments, MMIO to the vGIC, the UART and
//              the assigned DMA engine (the SMMU translating its stream by VM 0's stage 2), aimed
//              at VM 1's PAs, the hypervisor's memory and random addresses: VM 1's RAM is unchanged
//              and its secret appears nowhere in VM 0's registers or RAM
//   inputs     mutated ELF, arm64 Image (raw and gzip), --hyp-config and --regs-in JSON, and
//              assembly: only UserErrors (one-line messages), never another exception
//   gdb        random and mutated RSP packets and byte streams: the stub answers every packet
//   repl       random REPL commands and expressions: results or CommandErrors only
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Machine } from '../src/machine.js';
import { isUserError } from '../src/errors.js';
import { parseElf, loadElfSegments } from '../src/loader/elf.js';
import { parseImage } from '../src/loader/linux.js';
import { assembleSource, setAssemblerTimeLimit } from '../src/loader/asm.js';
import { applyRegs, parseSize } from '../src/cli.js';
import { parseHypConfig } from '../src/hyp/cli-hyp.js';
import { Hypervisor, HYP_BASE, HYP_SIZE, IPA_DMA_DEFAULT } from '../src/hyp/hypervisor.js';
import { IPA_RAM } from '../src/hyp/vm.js';
import { Session } from '../src/debug/session.js';
import { GdbStub } from '../src/debug/gdbstub.js';
import { RspParser, encodePacket } from '../src/debug/rsp.js';
import { Debugger, CommandError } from '../src/debug/commands.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export const AREAS = ['el1', 'el0', 'hyp', 'inputs', 'gdb', 'repl'] as const;
export type Area = (typeof AREAS)[number];

/** mulberry32: small, fast, and the same sequence on every host. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  u32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  int(n: number): number {
    return this.u32() % n;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let k = 0; k < n; k++) b[k] = this.u32() & 0xff;
    return b;
  }
}

/** The seed of one case: a hash of the run's seed, the area and the case number. */
export function caseSeed(seed: number, area: Area, n: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const ch of `${area}:${n}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

// ---- instruction streams ----
const STUB_SRC = `
_start:
    adr x0, vectors
    msr vbar_el1, x0
    b code
    .balign 0x800
vectors:
    .rept 16
    mrs x30, elr_el1      // skip the instruction that trapped: the stream goes on
    add x30, x30, #4
    msr elr_el1, x30
    eret
    .balign 0x80
    .endr
code:
`;
let stub: { code: Uint8Array; entry: bigint } | null = null;
async function stubImage(): Promise<{ code: Uint8Array; entry: bigint }> {
  if (stub === null) {
    const img = await assembleSource(STUB_SRC, 'fuzz-stub.S');
    stub = { code: img.code, entry: img.entry };
  }
  return stub;
}

const movz = (d: number, imm: number, hw: number): number => (0xd2800000 | (hw << 21) | ((imm & 0xffff) << 5) | d) >>> 0;
const movk = (d: number, imm: number, hw: number): number => (0xf2800000 | (hw << 21) | ((imm & 0xffff) << 5) | d) >>> 0;

/** Words that set Xd to v (v < 2^48). */
function setReg(d: number, v: number): number[] {
  return [movz(d, v & 0xffff, 0), movk(d, Math.floor(v / 0x10000) & 0xffff, 1), movk(d, Math.floor(v / 0x100000000) & 0xffff, 2)];
}

/** A biased stream: addresses of interest in registers, then memory, system and call instructions. */
function stream(r: Rng, n: number, targets: number[]): number[] {
  const out: number[] = [];
  const reg = (): number => r.int(29); // never x29/x30 (frame, link: the vector stub uses x30)
  while (out.length < n) {
    const t = reg();
    switch (r.int(16)) {
      case 0:
      case 1:
        out.push(...setReg(t, (r.pick(targets) + r.int(0x2000) * 8) % 2 ** 48));
        break;
      case 2:
        out.push((0xf9400000 | (r.int(8) << 10) | (reg() << 5) | t) >>> 0); // LDR Xt, [Xn, #imm]
        break;
      case 3:
        out.push((0xf9000000 | (r.int(8) << 10) | (reg() << 5) | t) >>> 0); // STR Xt, [Xn, #imm]
        break;
      case 4:
        out.push((0xa9400000 | (reg() << 10) | (reg() << 5) | t) >>> 0); // LDP
        break;
      case 5:
        out.push((0xa9000000 | (reg() << 10) | (reg() << 5) | t) >>> 0); // STP
        break;
      case 6:
        out.push(r.pick([0xd5087800, 0xd5087820, 0xd50b7420, 0xd50b7e20, 0xd50b7520, 0xd5088720, 0xd5087e20]) | t); // AT S1E1R/W, DC ZVA/CIVAC, IC IVAU, TLBI VAE1, DC CISW
        break;
      case 7:
        out.push(r.pick([0xd508871f, 0xd508831f, 0xd508751f])); // TLBI VMALLE1, VMALLE1IS, IC IALLU
        break;
      case 8:
        out.push((r.pick([0xd5182000, 0xd5182040, 0xd5181000, 0xd518a200]) | t) >>> 0); // MSR TTBR0/TCR/SCTLR/MAIR
        break;
      case 9:
        out.push((0xd5387400 | t) >>> 0); // MRS PAR_EL1
        break;
      case 10: {
        // HVC/SMC with a PSCI function ID (or a random one) and random arguments.
        const fn = r.pick([0x84000000, 0x84000002, 0x84000008, 0x84000009, 0xc4000003, 0xc4000001, 0x8400000a, r.u32()]);
        out.push(...setReg(0, fn), ...setReg(1, r.pick(targets) + r.int(0x1000)), ...setReg(2, r.pick(targets)), r.pick([0xd4000002, 0xd4000003]));
        break;
      }
      case 11:
        out.push(0xd4000001 | (r.int(0x10000) << 5)); // SVC #imm
        break;
      default:
        out.push(r.u32()); // anything at all
    }
  }
  return out.slice(0, n);
}

function words(ws: number[]): Uint8Array {
  const b = new Uint8Array(4 * ws.length);
  const dv = new DataView(b.buffer);
  ws.forEach((w, k) => dv.setUint32(4 * k, w >>> 0, true));
  return b;
}

const BUDGET = 20_000;

async function caseBare(r: Rng, el: 0 | 1): Promise<void> {
  const s = await stubImage();
  const m = new Machine({ ramSize: 1 << 20, onOutput: () => {} });
  m.bus.load(0x4000_0000, s.code);
  const targets = [0x4000_0000, 0x4008_0000, 0x0900_0000, 0x0800_0000, 0, r.u32() * 0x100];
  m.bus.load(0x4000_0000 + s.code.length, words(stream(r, 256, targets)));
  m.boot(s.entry);
  if (el === 0) {
    // Set up the vectors at EL1 first (3 instructions), then drop to EL0 for the stream.
    m.run(3);
    m.cpu.setElSpsel(0, 0);
  }
  const res = m.run(BUDGET);
  if (res.instructions > BUDGET) throw new Error(`ran ${res.instructions} instructions, budget ${BUDGET}`);
}

const SECRET = [0x5ec2e7, 0xa64b5ec2];

async function caseHyp(r: Rng): Promise<void> {
  const s = await stubImage();
  const hv = new Hypervisor({
    vms: [{ ramSize: 1 << 20 }, { ramSize: 1 << 20 }],
    assignDma: { vm: 0, ipa: IPA_DMA_DEFAULT },
    onOutput: () => {},
  });
  const [vm0, vm1] = hv.vms;
  // VM 1: spins, its RAM full of a secret.
  const secret = new Uint8Array(1 << 20);
  const dv = new DataView(secret.buffer);
  for (let k = 0; k < secret.length; k += 8) {
    dv.setUint32(k, SECRET[0], true);
    dv.setUint32(k + 4, SECRET[1], true);
  }
  dv.setUint32(0, 0x14000000, true); // b .
  vm1.load(IPA_RAM, secret);
  hv.boot(vm1, IPA_RAM);
  const targets = [IPA_RAM, vm1.ramPa, HYP_BASE, HYP_BASE + HYP_SIZE - 0x1000, IPA_DMA_DEFAULT, 0x0800_0000, 0x0801_0000, 0x0900_0000, 0x0a00_0000, r.u32() * 0x100];
  const code = stream(r, 384, targets);
  // Program the assigned DMA engine now and then: SRC/DST at the targets, then START.
  for (let k = 0; k < 4; k++) {
    const at = r.int(code.length - 16);
    code.splice(at, 0, ...setReg(10, IPA_DMA_DEFAULT), ...setReg(11, r.pick(targets)), ...setReg(12, r.pick(targets)), 0xf9000000 | (1 << 10) | (10 << 5) | 11, 0xf9000000 | (2 << 10) | (10 << 5) | 12, ...setReg(13, 0x1000), 0xb9001800 | (10 << 5) | 13, ...setReg(13, 0x401), 0xb9001c00 | (10 << 5) | 13);
  }
  vm0.load(IPA_RAM, s.code);
  vm0.load(IPA_RAM + s.code.length, words(code));
  hv.boot(vm0, Number(s.entry));
  const before = hv.machine.bus.readBytes(vm1.ramPa, 1 << 20);
  hv.run(BUDGET * 2);
  const after = hv.machine.bus.readBytes(vm1.ramPa, 1 << 20);
  for (let k = 0; k < before.length; k++) if (before[k] !== after[k]) throw new Error(`VM 1's RAM changed at +0x${k.toString(16)} (a write from VM 0 or its DMA leaked)`);
  // The secret must not have reached VM 0: not in its RAM, not in its registers.
  const ram0 = hv.machine.bus.readBytes(vm0.ramPa, 1 << 20);
  const d0 = new DataView(ram0.buffer, ram0.byteOffset, ram0.byteLength);
  for (let k = 0; k + 8 <= ram0.length; k += 4) {
    if (d0.getUint32(k, true) === SECRET[0] && d0.getUint32(k + 4, true) === SECRET[1]) throw new Error(`VM 1's secret found in VM 0's RAM at IPA 0x${(IPA_RAM + k).toString(16)}`);
  }
  if (hv.current === vm0) {
    for (let x = 0; x < 31; x++) {
      const v = hv.cpu.readX(x);
      if (Number(v >> 32n) === SECRET[1] && Number(v & 0xffffffffn) === SECRET[0]) throw new Error(`VM 1's secret in VM 0's x${x}`);
    }
  }
}

// ---- inputs ----
function mutate(r: Rng, data: Uint8Array): Uint8Array {
  const d = new Uint8Array(data);
  const n = 1 + r.int(8);
  for (let k = 0; k < n && d.length > 0; k++) {
    const at = r.int(d.length);
    switch (r.int(4)) {
      case 0:
        d[at] = r.u32() & 0xff;
        break;
      case 1:
        d[at] ^= 1 << r.int(8);
        break;
      case 2:
        d[at] = r.pick([0, 0xff, 0x7f, 0x80]);
        break;
      default:
        return d.subarray(0, at); // truncated
    }
  }
  return d;
}

function expectUserError(what: string, f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!isUserError(e)) throw new Error(`${what}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
}

let sortElf: Uint8Array | null = null;
const ASM_SAMPLES = ['_start: mov x0, #1\n b _start\n', 'a: .quad a\n.ascii "xy"\n', 'ldr x0, =0x1234\nadr x1, a\na: nop\n', '.balign 16\n_start: stp x29, x30, [sp, #-16]!\n'];

async function caseInputs(r: Rng): Promise<void> {
  sortElf ??= new Uint8Array(readFileSync(join(ROOT, 'guests', 'build', 'sort.elf')));
  const elf = mutate(r, sortElf);
  expectUserError('parseElf', () => {
    const p = parseElf(elf, 'm.elf');
    loadElfSegments(p, elf, { base: 0x4000_0000, size: 1 << 20, load: () => {} }, 'm.elf');
  });
  const hdr = new Uint8Array(64 + r.int(256));
  new DataView(hdr.buffer).setUint32(0x38, 0x644d5241, true);
  const img = mutate(r, hdr);
  expectUserError('parseImage', () => parseImage(img, 'Image', 1 << 20));
  expectUserError('parseImage(gzip)', () => parseImage(mutate(r, gzipSync(hdr)), 'Image.gz', 1 << 20));
  const cfgs = ['{"vms":[{"name":"a","ram":"1M"}],"assignRtc":{"vm":0,"ipa":"0x09010000"}}', '{"slice":5,"assignDma":{"vm":0},"vms":[{"sysregTraps":["tvm"],"idRegs":{"ID_AA64PFR0_EL1":"0x11"}}]}'];
  const cfg = new TextDecoder().decode(mutate(r, new TextEncoder().encode(r.pick(cfgs))));
  expectUserError('parseHypConfig', () => parseHypConfig(cfg, 'c.json', parseSize));
  const m = new Machine({ ramSize: 1 << 16 });
  const regs = new TextDecoder().decode(mutate(r, new TextEncoder().encode('{"x":["0x1"],"pc":"0x40000000","el":1,"nzcv":"0x60000000","sp_el1":"0x40010000"}')));
  expectUserError('applyRegs', () => applyRegs(m.cpu, regs, 'r.json'));
  if (r.int(4) === 0) {
    const src = new TextDecoder().decode(mutate(r, new TextEncoder().encode(r.pick(ASM_SAMPLES))));
    try {
      await assembleSource(src, 'm.S');
    } catch (e) {
      if (!isUserError(e)) throw new Error(`assembleSource: ${(e as Error).message}`);
    }
  }
}

// ---- debugger ----
let session: Session | null = null;
let stubG: GdbStub | null = null;
let dbg: Debugger | null = null;
async function debugTarget(): Promise<{ g: GdbStub; d: Debugger }> {
  if (session === null) {
    session = await Session.create({ guest: join(ROOT, 'guests', 'build', 'sort.elf') } as never);
    stubG = new GdbStub(session);
    await stubG.init();
    dbg = new Debugger(session);
    await dbg.init();
  }
  return { g: stubG!, d: dbg! };
}

const hexs = (r: Rng): string => r.pick(['', '0', 'x', '_', 'zz', '-1', 'f'.repeat(1 + r.int(40)), (r.u32() >>> 0).toString(16), '40000000', '4000036' + r.int(16).toString(16)]);

async function caseGdb(r: Rng): Promise<void> {
  const { g } = await debugTarget();
  const kinds = ['g', 'G', 'p', 'P', 'm', 'M', 'X', 'Z', 'z', 'q', 'Q', 'H', 'T', '?', 'qRcmd,', 'qXfer:features:read:target.xml:', 'vCont?', 'qSupported'];
  for (let k = 0; k < 8; k++) {
    let p = r.pick(kinds);
    if (p === 'Z' || p === 'z') p += `${r.int(6)},${hexs(r)},${hexs(r)}`;
    else if (p === 'm') p += `${hexs(r)},${hexs(r)}`;
    else if (p === 'M' || p === 'X') p += `${hexs(r)},${hexs(r)}:${hexs(r)}`;
    else if (p === 'p') p += hexs(r);
    else if (p === 'P') p += `${hexs(r)}=${hexs(r)}`;
    else if (p === 'G') p += hexs(r).repeat(r.int(20));
    else if (p === 'qRcmd,') p += r.pick([hexs(r), Buffer.from(r.pick(['x 0x_', 'tr 0x', 'tlb', 'x/pa zz', 'stats', 'regs', 'help', 'x $sp 99999999'])).toString('hex')]);
    else if (p.startsWith('qXfer')) p += `${hexs(r)},${hexs(r)}`;
    p += String.fromCharCode(...r.bytes(r.int(3)));
    try {
      await g.handle(p);
    } catch (e) {
      throw new Error(`packet ${JSON.stringify(p)}: ${(e as Error).message}`);
    }
    if (g.ended !== null) throw new Error(`packet ${JSON.stringify(p)} ended the session`);
  }
  const parser = new RspParser();
  const bytes = encodePacket('qSupported') + String.fromCharCode(...r.bytes(64 + r.int(200))) + '$' + 'a'.repeat(r.int(0x5000));
  for (let k = 0; k < bytes.length; k += 1 + r.int(300)) parser.feed(bytes.slice(k, k + 1 + r.int(300)));
}

async function caseRepl(r: Rng): Promise<void> {
  const { d } = await debugTarget();
  const cmds = ['x', 'x/pa', 'x/ipa', 'dis', 'tr', 'regs', 'sysregs', 'tlb', 'stats', 'break', 'delete', 'watch', 'mmio', 'uart', 'step', 'help', 'vm', 'info', 'frob'];
  const args = (): string => Array.from({ length: r.int(4) }, () => r.pick(['main', 'main+0x10', '$sp', 'pc', 'x0', 'far_el1', '0x_', '0x', '99999999999999999999999', '0x40000000', '-1', '$', hexs(r), '1', '4', 'rw', '"'])).join(' ');
  for (let k = 0; k < 6; k++) {
    const line = `${r.pick(cmds)} ${args()}`;
    try {
      await d.exec(line.startsWith('step') ? 'step 1' : line);
    } catch (e) {
      if (!(e instanceof CommandError)) throw new Error(`command ${JSON.stringify(line)}: ${(e as Error).name}: ${(e as Error).message}`);
    }
  }
}

const RUNNERS: Record<Area, (r: Rng) => Promise<void>> = {
  el1: (r) => caseBare(r, 1),
  el0: (r) => caseBare(r, 0),
  hyp: caseHyp,
  inputs: caseInputs,
  gdb: caseGdb,
  repl: caseRepl,
};

export interface FuzzOptions {
  seed: number;
  /** Cases per area (at most). */
  cases: number;
  /** Wall-clock budget per area in seconds (at most; the count is what reproduces). */
  seconds: number;
  areas?: readonly Area[];
  /** First case number (to rerun one case: from N, cases 1). */
  from?: number;
  log?: (line: string) => void;
}

export interface FuzzFailure {
  area: Area;
  case: number;
  seed: number;
  error: string;
}

export interface FuzzReport {
  seed: number;
  cases: Record<string, number>;
  failures: FuzzFailure[];
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  setAssemblerTimeLimit(3000);
  const report: FuzzReport = { seed: o.seed, cases: {}, failures: [] };
  for (const area of o.areas ?? AREAS) {
    const t0 = Date.now();
    let n = 0;
    for (let k = o.from ?? 0; n < o.cases && Date.now() - t0 < o.seconds * 1000; k++, n++) {
      const seed = caseSeed(o.seed, area, k);
      try {
        await RUNNERS[area](new Rng(seed));
      } catch (e) {
        const f = { area, case: k, seed: o.seed, error: e instanceof Error ? e.message : String(e) };
        report.failures.push(f);
        o.log?.(`FAIL ${area} case ${k} (npm run fuzz -- --seed ${o.seed} --area ${area} --from ${k} --cases 1): ${f.error}`);
      }
    }
    report.cases[area] = n;
    o.log?.(`${area}: ${n} cases`);
  }
  return report;
}
