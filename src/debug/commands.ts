// The debugger's commands (REPL, --script, and GDB's `monitor`): each takes a line and returns the
// text to print. A command that fails throws CommandError: one line, and the session goes on.
import { Session, fmt, type Stop, type WatchKind } from './session.js';
import { loadDisassembler, withSymbol, type Disassembler } from './disasm.js';
import { SP } from '../cpu/state.js';
import { vmSnapshot } from './snapshot-cmd.js'; // [api snapshots] savevm/loadvm
import { ApiError } from '../api/errors.js';
import { sysDefs, SYS } from '../cpu/sysregs.js';
import { readSysreg } from './gdb-sysregs.js';
import { mmuOf } from '../mmu/translate.js';
import { translateDebug, formatTranslation, tlbEntries, ACC_READ, ACC_WRITE, ACC_FETCH } from '../mmu/debug.js';
import { hypervisorView } from './hyp-view.js';
import { SmmuView, SmmuViewError, iotlbLines } from './smmu-view.js';
import { streamWalk, streamS2ToPa } from './smmu-walk.js';
import { formatEvent } from '../hyp/iommu.js';
import { cpusView, parsePe } from './pe-view.js';

export class CommandError extends Error {}

export interface CommandInfo {
  name: string;
  aliases: string[];
  args: string;
  help: string;
  /** Runs the guest (not available from GDB's monitor, which owns run control). */
  runs?: boolean;
}

export const COMMANDS: CommandInfo[] = [
  { name: 'step', aliases: ['s', 'si', 'stepi'], args: '[n]', help: 'execute n instructions (default 1), stopping at breakpoints and watchpoints', runs: true },
  { name: 'next', aliases: ['n', 'ni', 'nexti'], args: '', help: 'step over a BL/BLR (run until the instruction after it returns), else step', runs: true },
  { name: 'continue', aliases: ['c', 'cont'], args: '', help: 'run until a breakpoint, a watchpoint, the guest stops, or Ctrl-C', runs: true },
  { name: 'until', aliases: ['u'], args: 'ADDR', help: 'run until PC reaches ADDR (or another stop)', runs: true },
  { name: 'break', aliases: ['b'], args: '[ADDR|SYMBOL]', help: 'set a breakpoint; without argument, list breakpoints and watchpoints' },
  { name: 'delete', aliases: ['d'], args: '[id]', help: 'delete breakpoint/watchpoint id, or all of them' },
  { name: 'watch', aliases: ['w'], args: 'ADDR [r|w|rw] [len]', help: 'stop on a data access (default w, 8 bytes) to a virtual address' },
  { name: 'regs', aliases: ['r', 'registers'], args: '', help: 'general registers, PSTATE, FP status; * marks what the last step changed' },
  { name: 'sysregs', aliases: ['sr'], args: '[el1|el2|NAME]', help: 'system registers (all, one EL, or one by name)' },
  { name: 'x', aliases: ['x/va', 'x/ipa', 'x/pa'], args: 'ADDR [len]', help: 'dump memory by VA (x), IPA (x/ipa: stage 2 only) or PA (x/pa); default 64 bytes' },
  { name: 'dis', aliases: ['disassemble'], args: '[ADDR] [n]', help: 'disassemble n instructions (default 8) at ADDR (default PC)' },
  { name: 'tr', aliases: ['translate'], args: 'VA [r|w|x] [el0|el1] | sid=N IOVA [r|w]', help: 'the whole two-stage walk of VA (or of a DMA address of StreamID N through the SMMU): levels, tables, descriptors, attributes, permissions or fault' },
  { name: 'tlb', aliases: [], args: '[vmid] [asid]', help: 'TLB model entries (L1 I/D, L2, IPA cache, walk cache), optionally of one VMID/ASID' },
  { name: 'stats', aliases: [], args: '[reset]', help: 'instructions, cycles, TLB and walk counters, hypervisor exits; reset: zero them (as gem5 m5 resetstats)' },
  { name: 'smmu', aliases: [], args: '[ste SID | cd SID [SSID] | iotlb [VMID] | events]', help: 'the SMMUv3: registers and stream table, an STE or CD decoded, the IOTLB, the event queue' },
  { name: 'vm', aliases: [], args: '[n]', help: 'list VMs, or pick the vCPU of VM n to look at' },
  { name: 'cpu', aliases: ['pe'], args: '[n]', help: 'with --smp: pick PE n for regs, x, dis, tr, tlb and step (step runs that PE alone); without n, list the PEs' },
  { name: 'info', aliases: [], args: 'cpus', help: 'info cpus: every PE with its MPIDR, state (running, WFI, WFE, off), EL, PC and instructions; * marks the selected one' },
  { name: 'mmio', aliases: [], args: '', help: 'recent trapped device accesses with their decoded syndrome' },
  { name: 'gic', aliases: ['irq'], args: '', help: 'interrupts: the GIC (enabled/pending/active, CPU interface, list registers), the timers, the PE lines; under --hyp the VM\'s virtual distributor' },
  { name: 'uart', aliases: [], args: 'TEXT', help: 'feed TEXT to the PL011 receiver (\\n, \\r, \\t, \\xHH escapes)' },
  { name: 'reset', aliases: [], args: '', help: 'reload the guest and restart from its entry point (breakpoints kept)', runs: true },
  { name: 'savevm', aliases: [], args: 'FILE', help: 'save the whole machine (CPU, RAM, devices, TLB model, statistics) to FILE' },
  { name: 'loadvm', aliases: [], args: 'FILE', help: 'restore the machine from a savevm FILE (same configuration); the run continues with identical counts', runs: true },
  { name: 'help', aliases: ['h', '?'], args: '[command]', help: 'this list, or one command' },
  { name: 'quit', aliases: ['q', 'exit'], args: '', help: 'leave the debugger' },
];

const byName = new Map<string, CommandInfo>();
for (const c of COMMANDS) {
  byName.set(c.name, c);
  for (const a of c.aliases) byName.set(a, c);
}

export function commandNames(): string[] {
  return [...byName.keys()];
}

const REG_NAMES = new Map<string, number>([
  ['sp', 31],
  ['pc', 32],
  ['lr', 30],
  ['fp', 29],
]);
for (let k = 0; k <= 30; k++) REG_NAMES.set(`x${k}`, k);

const h16 = (v: bigint): string => '0x' + v.toString(16).padStart(16, '0');

export interface DebuggerOptions {
  /** Highlight changed registers with ANSI colours (a terminal). */
  color?: boolean;
}

export class Debugger {
  private dis: Disassembler | null = null;
  /** Registers before the last run command (for `regs` highlighting). */
  private prev: { r: Int32Array; nzcv: number; el: number; daif: number } | null = null;
  quitRequested = false;
  private hypIndex = 0;

  constructor(
    readonly s: Session,
    private readonly opts: DebuggerOptions = {},
  ) {}

  async init(): Promise<void> {
    this.dis = await loadDisassembler();
  }

  // ---- expressions: 0x.., decimal, symbols, registers ($x0, sp, pc), with + and - ----
  addr(expr: string): bigint {
    const t = expr.trim();
    if (t === '') throw new CommandError('missing address');
    const m = /^(.+?)\s*([+-])\s*(0x[0-9a-f]+|\d+)$/i.exec(t);
    if (m !== null && !/^[+-]/.test(t)) {
      const base = this.term(m[1]);
      const off = BigInt(m[3]);
      return BigInt.asUintN(64, m[2] === '+' ? base + off : base - off);
    }
    return this.term(t);
  }
  private term(t: string): bigint {
    // At least one digit: `0x_` is not a number (BigInt('0x') would throw a SyntaxError).
    if (/^0x_*[0-9a-f][0-9a-f_]*$/i.test(t) || /^\d+$/.test(t)) {
      const v = BigInt(t.replace(/_/g, ''));
      if (v >= 1n << 64n) throw new CommandError(`'${t}' does not fit in 64 bits`);
      return v;
    }
    const sym = this.s.img.symbols.lookup(t);
    if (sym !== undefined) return sym;
    const reg = REG_NAMES.get(t.replace(/^\$/, '').toLowerCase());
    if (reg !== undefined) return this.s.readReg(reg);
    // A system register by name (tr far_el1, x elr_el1).
    const sys = sysDefs.find((d) => d.name.toLowerCase() === t.replace(/^\$/, '').toLowerCase());
    if (sys !== undefined && !sys.read && !sys.wo) return this.s.cpu.sys64(sys.slot);
    throw new CommandError(`'${t}' is not an address, a register or a symbol of ${this.s.img.kind === 'raw' ? 'this raw image (no symbols)' : 'the guest'}`);
  }
  private count(t: string | undefined, def: number, what: string, max = 1 << 30, min = 1): number {
    if (t === undefined) return def;
    if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) throw new CommandError(`${what}: expected a number, got '${t}'`);
    const n = Number(BigInt(t));
    if (n < min || n > max) throw new CommandError(`${what}: must be between ${min} and ${max}`);
    return n;
  }

  // ---- locations ----
  where(pc: bigint): string {
    const sym = this.s.img.symbols.format(pc);
    return sym ? `${fmt(pc)} <${sym}>` : fmt(pc);
  }
  insnLine(pc: bigint, marker = '  '): string {
    const raw = this.s.readInsn(pc);
    if (raw === undefined) return `${marker}${this.where(pc)}: (not mapped)`;
    const text = this.dis ? withSymbol(this.dis.insn(pc, raw), this.s.img.symbols) : '';
    return `${marker}${this.where(pc)}:  ${(raw >>> 0).toString(16).padStart(8, '0')}  ${text}`;
  }
  /** Where we are: the next instruction, disassembled. */
  here(): string {
    if (this.s.halted) return '';
    return this.insnLine(this.s.cpu.pc, '=> ');
  }
  describeStop(stop: Stop): string {
    switch (stop.kind) {
      case 'step':
        return this.here();
      case 'break':
        // One-shot breakpoints (until, next) just mark where the run ends.
        if (stop.bp.temp) return this.here();
        return `breakpoint ${stop.bp.id}, ${this.onPe()}${this.where(stop.bp.addr)}\n${this.here()}`;
      case 'watch':
        return `watchpoint ${stop.wp.id}: ${this.onPe()}${stop.write ? 'write' : 'read'} of ${stop.size} bytes at ${fmt(stop.addr)}\n${this.here()}`;
      case 'interrupt':
        return `interrupted\n${this.here()}`;
      case 'exit': {
        const r = stop.result;
        if (r.reason === 'error') return `the guest stopped on an error: ${r.message}`;
        return `the guest ${r.reason === 'exit' ? 'exited' : 'halted'} with code ${r.exitCode}${r.message ? ` (${r.message})` : ''}`;
      }
    }
  }

  /** "PE n, " when the machine has several PEs (the stop selected the PE that hit it). */
  private onPe(): string {
    return this.s.pes.length > 1 ? `PE ${this.s.pe}, ` : '';
  }

  private snapshot(): void {
    const c = this.s.cpu;
    this.prev = { r: Int32Array.from(c.r), nzcv: c.nzcv, el: c.el, daif: c.daif };
  }

  // ---- the interpreter ----
  /** Execute one command line; returns its output (possibly empty). */
  async exec(line: string, fromMonitor = false): Promise<string> {
    const words = line.trim().split(/\s+/).filter((w) => w !== '');
    if (words.length === 0 || words[0].startsWith('#')) return '';
    const [name, ...args] = words;
    const info = byName.get(name.toLowerCase());
    if (info === undefined) throw new CommandError(`unknown command '${name}' (try help)`);
    if (fromMonitor && (info.runs || info.name === 'quit')) throw new CommandError(`'${info.name}' is not available from GDB's monitor (use GDB's own commands)`);
    if ((info.runs && info.name !== 'reset' && info.name !== 'loadvm') && this.s.halted) {
      const r = this.s.result;
      throw new CommandError(`the guest has stopped (${r ? r.reason : 'halted'}${r && r.reason !== 'error' ? ` ${r.exitCode}` : ''}); use reset to start again`);
    }
    switch (info.name) {
      case 'step': {
        const n = this.count(args[0], 1, 'step');
        this.snapshot();
        return this.report(this.s.step(n));
      }
      case 'next':
        return this.next();
      case 'continue':
        this.snapshot();
        return this.report(await this.s.cont());
      case 'until': {
        if (args.length === 0) throw new CommandError('until: missing address');
        const a = this.addr(args.join(' '));
        this.snapshot();
        this.s.addBreakpoint(a, 'sw', true);
        return this.report(await this.s.cont());
      }
      case 'break': {
        if (args.length === 0) return this.listBreakpoints();
        const a = this.addr(args.join(' '));
        const bp = this.s.addBreakpoint(a);
        return `breakpoint ${bp.id} at ${this.where(a)}`;
      }
      case 'delete': {
        if (args.length === 0) {
          const n = [...this.s.breakpoints.values()].filter((b) => !b.temp).length + this.s.watchpoints.size;
          this.s.clearAll();
          return `deleted ${n} breakpoint(s) and watchpoint(s)`;
        }
        const id = this.count(args[0], 0, 'delete');
        if (!this.s.deleteBreakpoint(id)) throw new CommandError(`no breakpoint or watchpoint ${id}`);
        return `deleted ${id}`;
      }
      case 'watch': {
        if (args.length === 0) throw new CommandError('watch: missing address');
        let kind: WatchKind = 'w';
        let len = 8;
        const rest: string[] = [];
        for (const a of args) {
          if (a === 'r' || a === 'w' || a === 'rw') kind = a;
          else rest.push(a);
        }
        if (rest.length > 1 && /^(0x[0-9a-f]+|\d+)$/i.test(rest[rest.length - 1])) len = this.count(rest.pop(), 8, 'watch length', 4096);
        const a = this.addr(rest.join(' '));
        const wp = this.s.addWatchpoint(a, len, kind);
        return `watchpoint ${wp.id} (${kind}) on ${fmt(a)}..${fmt(a + BigInt(len) - 1n)}`;
      }
      case 'regs':
        return this.regs();
      case 'sysregs':
        return this.sysregs(args[0]);
      case 'x': {
        const space = name.toLowerCase() === 'x/pa' ? 'pa' : name.toLowerCase() === 'x/ipa' ? 'ipa' : 'va';
        if (args.length === 0) throw new CommandError(`${name}: missing address`);
        let len = 64;
        const rest = [...args];
        if (rest.length > 1 && /^(0x[0-9a-f]+|\d+)$/i.test(rest[rest.length - 1])) len = this.count(rest.pop(), 64, `${name} length`, 1 << 20);
        return this.dump(this.addr(rest.join(' ')), len, space);
      }
      case 'dis': {
        let at = this.s.cpu.pc;
        let n = 8;
        const rest = [...args];
        if (rest.length > 1 && /^\d+$/.test(rest[rest.length - 1])) n = this.count(rest.pop(), 8, 'dis count', 10000);
        if (rest.length > 0) at = this.addr(rest.join(' '));
        const out: string[] = [];
        const pc = this.s.cpu.pc;
        for (let k = 0; k < n; k++) {
          const a = at + BigInt(4 * k);
          out.push(this.insnLine(a, a === pc && !this.s.halted ? '=> ' : '   '));
        }
        return out.join('\n');
      }
      case 'tr':
        return this.translate(args);
      case 'smmu':
        return this.smmu(args);
      case 'tlb':
        return this.tlb(args);
      case 'stats':
        return this.stats(args);
      case 'vm':
        return this.vm(args[0]);
      case 'mmio':
        return hypervisorView(this.s).mmio();
      case 'cpu':
        if (args.length === 0) return cpusView(this.s, (pc) => this.where(pc));
        try {
          this.s.selectPe(parsePe(this.s, args[0]));
        } catch (e) {
          throw new CommandError((e as Error).message);
        }
        this.prev = null;
        return `PE ${this.s.pe} (${this.s.peState(this.s.pe)})\n${this.here()}`;
      case 'info':
        if (args[0] !== 'cpus' && args[0] !== 'threads') throw new CommandError(`info: expected 'cpus', got '${args[0] ?? ''}'`);
        return cpusView(this.s, (pc) => this.where(pc));
      case 'gic':
        return this.gic();
      case 'uart': {
        const text = line.trim().replace(/^\S+\s?/, '');
        if (text === '') throw new CommandError('uart: missing text');
        const bytes = unescape(text);
        this.s.uart(this.hypIndex).feed(bytes);
        return `fed ${bytes.length} byte(s) to the UART${this.s.hv ? ` of VM ${this.hypIndex}` : ''}`;
      }
      case 'reset':
        await this.s.boot();
        this.prev = null;
        return `reset: ${this.s.opts.guest} reloaded\n${this.here()}`;
      case 'savevm':
      case 'loadvm':
        // [api snapshots] src/debug/snapshot-cmd.ts; its errors are one-line ApiErrors.
        try {
          const out = vmSnapshot(this.s, info.name, args);
          this.prev = null;
          return info.name === 'loadvm' && !this.s.halted ? `${out}\n${this.here()}` : out;
        } catch (e) {
          if (e instanceof ApiError) throw new CommandError(e.message);
          throw e;
        }
      case 'help':
        return help(args[0]);
      case 'quit':
        this.quitRequested = true;
        return '';
    }
    throw new CommandError(`unknown command '${name}'`);
  }

  /**
   * Show a stop. A watchpoint stops before the accessing instruction: the REPL completes that
   * instruction and shows the watched bytes before and after it.
   */
  private report(stop: Stop): string {
    if (stop.kind !== 'watch') return this.describeStop(stop);
    const w = stop.wp;
    const by = this.insnLine(this.s.cpu.pc, '');
    const old = this.s.readMem(w.addr, w.len).data;
    const after = this.s.step(1);
    const now = this.s.readMem(w.addr, w.len).data;
    const hexOf = (d: Uint8Array): string => [...d].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const lines = [`watchpoint ${w.id}: ${stop.write ? 'write' : 'read'} of ${stop.size} bytes at ${fmt(stop.addr)} by ${by}`];
    if (stop.write) lines.push(`  old: ${hexOf(old)}`, `  new: ${hexOf(now)}`);
    else lines.push(`  value: ${hexOf(now)}`);
    lines.push(after.kind === 'step' ? this.here() : this.describeStop(after));
    return lines.join('\n');
  }

  private async next(): Promise<string> {
    const s = this.s;
    const pc = s.cpu.pc;
    const raw = s.readInsn(pc);
    this.snapshot();
    // BL (100101 imm26) and BLR (1101011 0001 11111 000000 Rn 00000): run until the return address.
    const isCall = raw !== undefined && ((raw & 0xfc000000) >>> 0 === 0x94000000 || (raw & 0xfffffc1f) >>> 0 === 0xd63f0000);
    if (!isCall) return this.describeStop(s.step(1));
    const sp = s.readReg(31);
    for (;;) {
      s.addBreakpoint(pc + 4n, 'sw', true);
      const stop = await s.cont();
      // A recursive call reaches the same address in a deeper frame (lower SP): keep going.
      if (stop.kind === 'break' && stop.bp.temp && s.readReg(31) < sp) continue;
      return this.describeStop(stop.kind === 'break' && stop.bp.temp ? { kind: 'step' } : stop);
    }
  }

  private listBreakpoints(): string {
    const out: string[] = [];
    for (const b of this.s.breakpoints.values()) if (!b.temp) out.push(`${String(b.id).padStart(3)}  break  ${this.where(b.addr)}${b.type === 'hw' ? ' (GDB hw)' : ''}`);
    for (const w of this.s.watchpoints.values()) out.push(`${String(w.id).padStart(3)}  watch  ${fmt(w.addr)} len ${w.len} ${w.kind}`);
    return out.length ? out.join('\n') : 'no breakpoints or watchpoints';
  }

  regs(): string {
    const c = this.s.cpu;
    const p = this.prev;
    const mark = (changed: boolean, text: string): string =>
      changed ? (this.opts.color ? `\x1b[1;33m${text}\x1b[0m*` : `${text}*`) : `${text} `;
    const lines: string[] = [];
    let row: string[] = [];
    for (let k = 0; k <= 31; k++) {
      const slot = k === 31 ? SP : k;
      const name = k === 31 ? 'sp' : `x${k}`;
      const changed = p !== null && (p.r[2 * slot] !== c.r[2 * slot] || p.r[2 * slot + 1] !== c.r[2 * slot + 1]);
      row.push(mark(changed, `${name.padStart(3)} ${h16(c.readX(slot))}`));
      if (row.length === 4) {
        lines.push(row.join('  '));
        row = [];
      }
    }
    const f = c.nzcv;
    const flags = `${f & 8 ? 'N' : 'n'}${f & 4 ? 'Z' : 'z'}${f & 2 ? 'C' : 'c'}${f & 1 ? 'V' : 'v'}`;
    lines.push(
      [
        `${' pc'} ${h16(c.pc)}  ${this.where(c.pc).replace(/^0x[0-9a-f]+ ?/, '')}`,
        mark(p !== null && p.nzcv !== c.nzcv, `nzcv ${flags}`),
        mark(p !== null && p.el !== c.el, `EL${c.el}${c.el === 0 ? 't' : c.spsel ? 'h' : 't'}`),
        mark(p !== null && p.daif !== c.daif, `daif 0x${c.daif.toString(16)}`),
        `fpcr 0x${(c.fpcr >>> 0).toString(16)} fpsr 0x${(c.fpsr >>> 0).toString(16)}`,
      ].join('  '),
    );
    return lines.join('\n');
  }

  private sysregs(filter?: string): string {
    const c = this.s.cpu;
    const f = filter?.toUpperCase();
    if (f !== undefined && f !== 'EL1' && f !== 'EL2' && f !== 'EL0' && !sysDefs.some((d) => d.name.toUpperCase() === f)) {
      throw new CommandError(`sysregs: '${filter}' is not el0, el1, el2 or a system register name`);
    }
    const out: string[] = [];
    for (const d of sysDefs) {
      const n = d.name.toUpperCase();
      if (f !== undefined && (f.startsWith('EL') && f.length === 3 ? !n.endsWith('_' + f) : n !== f)) continue;
      if (d.wo) continue;
      let v: bigint;
      if (n === 'FPCR') v = BigInt(c.fpcr >>> 0);
      else if (n === 'FPSR') v = BigInt(c.fpsr >>> 0);
      else v = readSysreg(c, d); // the same reading as GDB's (accessors computed, tmpHi kept)
      out.push(`${d.name.padEnd(16)} ${h16(v)}`);
    }
    return out.join('\n');
  }

  private dump(a: bigint, len: number, space: 'va' | 'ipa' | 'pa'): string {
    const { data, error } = this.s.readMem(a, len, space);
    const out: string[] = [];
    for (let k = 0; k < data.length; k += 16) {
      const chunk = data.subarray(k, k + 16);
      const hexs = [...chunk].map((b) => b.toString(16).padStart(2, '0'));
      const words: string[] = [];
      for (let i = 0; i < hexs.length; i += 4) words.push(hexs.slice(i, i + 4).join(''));
      const ascii = [...chunk].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
      out.push(`${h16(a + BigInt(k))}: ${hexs.join(' ').padEnd(47)}  ${ascii}`);
    }
    if (error !== undefined) {
      if (data.length === 0) throw new CommandError(`${space === 'va' ? 'x' : 'x/' + space} ${fmt(a)}: ${error}`);
      out.push(`(stopped: ${error})`);
    }
    return out.join('\n');
  }

  /** `smmu ...`: SmmuView's one-line errors become command errors. */
  private smmu(args: string[]): string {
    const m = this.s.m as typeof this.s.m & { smmu?: import('../smmu/smmu.js').Smmu | null };
    try {
      const view = new SmmuView(m.bus);
      const sid = (what: string): number => this.count(args[1], -1, `smmu ${what} StreamID`, 2 ** 32 - 1, 0);
      switch ((args[0] ?? '').toLowerCase()) {
        case '': {
          const hv = this.s.hv;
          const lines = [view.summary()];
          if (hv?.iommu) {
            for (const [n, st] of hv.iommu.streams) lines.push(`hypervisor: StreamID ${n} assigned to ${st.owner} (${describeStream(st)})`);
          }
          return lines.join('\n');
        }
        case 'ste':
          if (args[1] === undefined) throw new CommandError('smmu ste: missing StreamID');
          return view.ste(sid('ste'));
        case 'cd': {
          if (args[1] === undefined) throw new CommandError('smmu cd: missing StreamID');
          const ssid = this.count(args[2], 0, 'smmu cd SubstreamID', 2 ** 20 - 1, 0);
          return view.cd(sid('cd'), ssid, (ipa) => streamS2ToPa(m.bus, sid('cd'), ipa));
        }
        case 'iotlb': {
          if (!m.smmu) throw new CommandError('smmu iotlb: no SMMU model on this machine');
          const vmid = args[1] === undefined ? undefined : this.count(args[1], 0, 'smmu iotlb VMID', 0xffff, 0);
          return iotlbLines(m.smmu.iotlb.tlb, vmid);
        }
        case 'events': {
          const lines = [view.events()];
          const hv = this.s.hv;
          if (hv?.iommu && hv.iommu.events.length > 0) {
            lines.push(`read by the hypervisor (${hv.iommu.eventsTotal} in all), the last ones:`);
            for (const e of hv.iommu.events.slice(-8)) lines.push(`  [${hv.streamOwner.get(e.streamId)?.name ?? '?'}] ${formatEvent(e)}`);
          }
          return lines.join('\n');
        }
        default:
          throw new CommandError(`smmu: unknown view '${args[0]}' (ste SID, cd SID [SSID], iotlb [VMID], events)`);
      }
    } catch (e) {
      if (e instanceof SmmuViewError) throw new CommandError(`smmu: ${e.message}`);
      throw e;
    }
  }

  private translate(args: string[]): string {
    const sidArg = args.find((a) => /^sid=/i.test(a));
    if (sidArg !== undefined) {
      // `tr sid=N IOVA [r|w]`: a bus master's access through the SMMU.
      const n = sidArg.slice(4);
      if (n === '') throw new CommandError('tr sid=N: missing the StreamID number');
      const sid = this.count(n, 0, 'tr sid', 2 ** 32 - 1, 0);
      let write = false;
      const rest: string[] = [];
      for (const a of args) {
        if (a === sidArg) continue;
        const l = a.toLowerCase();
        if (l === 'r' || l === 'w') write = l === 'w';
        else rest.push(a);
      }
      if (rest.length === 0) throw new CommandError('tr sid=N: missing the DMA address');
      const iova = Number(this.addr(rest.join(' ')));
      const m = this.s.m as typeof this.s.m & { smmu?: import('../smmu/smmu.js').Smmu | null };
      try {
        return streamWalk(m.bus, m.smmu ?? null, sid, iova, write);
      } catch (e) {
        if (e instanceof SmmuViewError) throw new CommandError(`tr: ${e.message}`);
        throw e;
      }
    }
    if (args.length === 0) throw new CommandError('tr: missing virtual address');
    let acc = ACC_READ;
    let el: number | undefined;
    const rest: string[] = [];
    for (const a of args) {
      const l = a.toLowerCase();
      if (l === 'r') acc = ACC_READ;
      else if (l === 'w') acc = ACC_WRITE;
      else if (l === 'x') acc = ACC_FETCH;
      else if (l === 'el0' || l === 'el1') el = l === 'el0' ? 0 : 1;
      else rest.push(a);
    }
    const va = this.addr(rest.join(' '));
    return formatTranslation(translateDebug(this.s.cpu, va, acc, el));
  }

  private tlb(args: string[]): string {
    const vmid = args[0] === undefined ? undefined : this.count(args[0], 0, 'tlb vmid', 0xffff, 0);
    const asid = args[1] === undefined ? undefined : this.count(args[1], 0, 'tlb asid', 0xffff, 0);
    const list = tlbEntries(this.s.cpu).filter((e) => (vmid === undefined || e.vmid === vmid) && (asid === undefined || e.asid === null || e.asid === asid));
    if (list.length === 0) return `no TLB entries${vmid !== undefined ? ` for VMID ${vmid}${asid !== undefined ? ` ASID ${asid}` : ''}` : ''}`;
    const lines = list.map((v) => {
      const tag = `VMID ${v.vmid} ${v.asid === null ? 'global ' : `ASID ${v.asid}`}`;
      const perms = v.perms ? ` EL1 ${v.perms.el1} EL0 ${v.perms.el0} S2 ${v.perms.s2}` : '';
      return `${v.structure.padEnd(10)} ${h16(v.input)} +${fmt(v.size).padEnd(9)} -> ${fmt(v.output).padEnd(12)} ${tag}${perms}${v.memory ? ' ' + v.memory : ''}`;
    });
    lines.push(`${list.length} entries`);
    return lines.join('\n');
  }

  /** Instructions and cycles at the last `stats reset` (the TLB counters are zeroed there), by PE. */
  private readonly statsBase = new Map<number, { insns: number; cycles: number }>();

  stats(args: string[] = []): string {
    const c = this.s.cpu;
    if (args[0] === 'reset') {
      mmuOf(c).tlb.resetStats();
      this.statsBase.set(this.s.pe, { insns: c.instret, cycles: c.cycles });
      return 'statistics reset: TLB counters zeroed, instructions and cycles count from here';
    }
    if (args.length > 0) throw new CommandError(`stats: unknown argument '${args[0]}' (stats, or stats reset)`);
    const base = this.statsBase.get(this.s.pe);
    const b = base ?? { insns: 0, cycles: 0 };
    const since = base ? ' (since stats reset)' : '';
    const t = mmuOf(c).tlb.snapshot() as Record<string, Record<string, number>> & { walks: Record<string, number> };
    const lvl = (name: string, k: string): string => {
      const v = t[k];
      return `  ${name.padEnd(10)} lookups ${v.lookups} hits ${v.hits} misses ${v.misses} evictions ${v.evictions} (${v.valid}/${v.entries} valid)`;
    };
    const w = t.walks;
    // Several PEs: the selected PE's figures (`cpu N`), with its share of the SMP traffic.
    const smp =
      this.s.pes.length > 1
        ? [
            `PE ${this.s.pe} of ${this.s.pes.length} (cpu N selects another): all PEs ${this.s.pes.reduce((n, p) => n + p.instret, 0)} instructions`,
            `  exclusive reservations cleared by other PEs ${c.monitorClears}, TLBI ...IS sent ${c.tlbiBroadcasts} (${c.tlbiBroadcastEntries} entries removed elsewhere), shootdowns received ${c.shootdownsReceived} (${c.shootdownEntries} entries)`,
          ]
        : [];
    return [
      ...smp,
      `instructions ${c.instret - b.insns}${since}`,
      `cycles       ${Math.round(c.cycles - b.cycles)}${since}`,
      `TLB (exact counts):`,
      lvl('L1 ITLB', 'l1i'),
      lvl('L1 DTLB', 'l1d'),
      lvl('L2 TLB', 'l2'),
      lvl('IPA cache', 'ipa'),
      lvl('walk cache', 'walkCache'),
      `  walks: stage 1 ${w.s1Walks} (${w.s1DescReads} descriptor reads), stage 2 ${w.s2Walks} (${w.s2DescReads} reads), faults S1 ${w.s1Faults} S2 ${w.s2Faults}`,
      hypervisorView(this.s).exits(),
    ].join('\n');
  }

  /** The interrupt picture: physical GIC, timers, CPU lines; with a hypervisor, the VM's vGIC. */
  private gic(): string {
    const m = this.s.m;
    const cpu = this.s.cpu;
    const hex = (v: number): string => '0x' + (v >>> 0).toString(16);
    // The selected PE's banked CPU interface (SGIs, PPIs, GICC registers): `cpu N`.
    const pe = this.s.pe < m.gic.cpus ? this.s.pe : 0;
    const out = [`physical GIC (GICv2)${m.gic.cpus > 1 ? `, CPU interface ${pe}` : ''}:`, ...m.gic.dump(pe).map((l) => '  ' + l)];
    const t = cpu.timer;
    const names = ['CNTP (EL1 physical, PPI 30)', 'CNTV (virtual, PPI 27)', 'CNTHP (EL2, PPI 26)'];
    out.push(`timers: CNTPCT=${t.physicalCount()}${cpu.timerDeadline !== Infinity ? `, next event at cycle ${cpu.timerDeadline}` : ', none armed'}`);
    for (let k = 0; k < 3; k++) {
      const ctl = t.readCtl(k);
      const slot = [SYS.CNTP_CVAL_EL0, SYS.CNTV_CVAL_EL0, SYS.CNTHP_CVAL_EL2][k];
      const cval = cpu.sysLo(slot);
      const cvalHi = cpu.sysHi(slot);
      const en = ctl & 1 ? `ENABLE${ctl & 2 ? ' IMASK' : ''}${ctl & 4 ? ' ISTATUS' : ''}` : 'disabled';
      out.push(`  ${names[k].padEnd(28)} CTL=${hex(ctl)} (${en}) CVAL=0x${(cvalHi >>> 0).toString(16)}${(cval >>> 0).toString(16).padStart(8, '0')} output ${t.level[k] ? 'high' : 'low'}`);
    }
    out.push(`PE: IRQ ${cpu.irqLine ? 1 : 0} FIQ ${cpu.fiqLine ? 1 : 0} vIRQ ${cpu.virqLine ? 1 : 0} vFIQ ${cpu.vfiqLine ? 1 : 0}, PSTATE.DAIF=${cpu.daif.toString(2).padStart(4, '0')}, HCR_EL2=${hex(cpu.sysLo(SYS.HCR_EL2))}, ${cpu.interruptsTaken} interrupts taken`);
    const hv = this.s.hv;
    if (hv !== null) {
      const vm = hv.vms[this.hypIndex];
      const d = vm.vgic?.dist;
      if (d !== undefined) {
        const ids = (pred: (i: number) => boolean): string => {
          const r: number[] = [];
          for (let i = 0; i < 288; i++) if (pred(i)) r.push(i);
          return r.join(' ') || '-';
        };
        out.push(`VM ${vm.id} (${vm.name}) virtual distributor (trapped at IPA 0x8000000): GICD_CTLR=${hex(d.ctlr)}, ${vm.vgic!.injected} interrupts injected`);
        out.push(`  enabled: ${ids((i) => i >= 16 && d.enabled[i] === 1)}`);
        out.push(`  pending: ${ids((i) => d.isPending(i))}`);
        out.push(`  active:  ${ids((i) => d.active[i] === 1)}`);
        out.push(hv.current === vm ? '  (its list registers are the physical GICH ones above)' : '  (not on the CPU: its list registers are folded into the state above)');
      }
    }
    return out.join('\n');
  }

  private vm(arg?: string): string {
    const view = hypervisorView(this.s);
    if (arg === undefined) return view.list(this.hypIndex);
    const n = Number(arg);
    if (!/^\d+$/.test(arg)) throw new CommandError(`vm: expected a VM number, got '${arg}'`);
    const msg = view.select(n);
    this.hypIndex = n;
    return msg;
  }
}

/** How the hypervisor set up a stream, for `smmu`. */
function describeStream(st: { config: string; vmid?: number; cd?: number }): string {
  if (st.config === 'stage2') return `stage 2 on its tables, VMID ${st.vmid}`;
  if (st.config === 'nested') return `nested: the guest's CD at IPA 0x${(st.cd ?? 0).toString(16)}, then stage 2, VMID ${st.vmid}`;
  return 'bypass';
}

export function help(cmd?: string): string {
  if (cmd !== undefined) {
    const c = byName.get(cmd.toLowerCase());
    if (c === undefined) throw new CommandError(`help: no command '${cmd}'`);
    return `${c.name} ${c.args}\n  ${c.help}${c.aliases.length ? `\n  aliases: ${c.aliases.join(', ')}` : ''}`;
  }
  const lines = COMMANDS.map((c) => `  ${`${c.name} ${c.args}`.padEnd(26)} ${c.help}`);
  return ['commands (ADDR: 0x hex, decimal, a symbol, or a register like sp/$x0, with +/- offset):', ...lines].join('\n');
}

/** `uart` text escapes: \n \r \t \\ \xHH. */
export function unescape(text: string): Uint8Array {
  const out: number[] = [];
  const enc = new TextEncoder();
  for (let k = 0; k < text.length; k++) {
    const ch = text[k];
    if (ch === '\\' && k + 1 < text.length) {
      const n = text[k + 1];
      if (n === 'n') out.push(10);
      else if (n === 'r') out.push(13);
      else if (n === 't') out.push(9);
      else if (n === '\\') out.push(92);
      else if (n === 'x' && /^[0-9a-f]{2}$/i.test(text.slice(k + 2, k + 4))) {
        out.push(parseInt(text.slice(k + 2, k + 4), 16));
        k += 2;
      } else {
        out.push(92);
        continue;
      }
      k++;
      continue;
    }
    out.push(...enc.encode(ch));
  }
  return new Uint8Array(out);
}
