// Snapshots (src/api/snapshot.ts, state-walk.ts): a run continued from a restored snapshot gives
// exactly the counts, statistics, output, registers and RAM of the run that was not interrupted,
// for a guest taking timer, SGI and UART interrupts with the MMU on, under both engines and
// across engines; bad snapshot bytes give one-line errors.
import { describe, it, expect } from 'vitest';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine, ApiError, writeSnapshotFile, readSnapshotFile } from '../../src/api/index.js';

const IRQ_ELF = new Uint8Array(readFileSync(new URL('../../guests/build/irq.elf', import.meta.url)));
const IRQ_IN = readFileSync(new URL('../../guests/expected/irq.in', import.meta.url), 'utf8');
const LOOP_ELF = new Uint8Array(readFileSync(new URL('../../guests/build/loop.elf', import.meta.url)));

type Engine = 'interp' | 'jit';

function boot(engine: Engine, elf: Uint8Array): Machine {
  const m = new Machine({ ramSize: 16 << 20, engine, board: { uartInput: IRQ_IN } });
  m.start(m.loadElf(elf).entry);
  m.enableMmu(); // stage 1 on: the TLB model and its statistics are part of the state
  return m;
}

/** Everything a continued run must agree on. */
function observe(m: Machine): unknown {
  const regs: Record<string, string> = {};
  for (const r of ['pc', 'sp', 'nzcv', 'fpsr', 'ELR_EL1', 'ESR_EL1', 'SPSR_EL1', 'CNTV_CTL_EL0', 'CNTV_CVAL_EL0', 'SCTLR_EL1']) regs[r] = m.reg(r).toString(16);
  for (let i = 0; i < 31; i++) regs[`x${i}`] = m.reg(`x${i}`).toString(16);
  for (let i = 0; i < 32; i++) regs[`v${i}`] = m.reg(`v${i}`).toString(16);
  let ramHash = 0;
  const ram = m.board.bus.i32;
  for (let k = 0; k < ram.length; k++) ramHash = (Math.imul(ramHash, 31) + ram[k]) | 0;
  return { stats: m.stats(), regs, output: m.output, ramHash, el: m.el };
}

describe('snapshot: run N, snapshot, run M equals restore + run M', () => {
  for (const engine of ['interp', 'jit'] as const) {
    it(`irq guest (timer, SGIs, UART RX interrupts, MMU on), ${engine}`, () => {
      const a = boot(engine, IRQ_ELF);
      const r1 = a.run({ maxInstructions: 1500 });
      expect(r1.reason).toBe('limit');
      expect(a.stats().interrupts).toBeGreaterThan(0); // the snapshot is taken mid-way through the interrupts
      const snap = a.saveSnapshot();
      const r2 = a.run({ maxInstructions: 100_000 });
      expect(r2.reason).toBe('exit');
      const straight = observe(a);

      // A new machine of the same configuration, restored.
      const b = new Machine({ ramSize: 16 << 20, engine });
      b.restoreSnapshot(snap);
      const r3 = b.run({ maxInstructions: 100_000 });
      expect(r3).toEqual(r2);
      expect(observe(b)).toEqual(straight);
      expect(a.output).toContain('hello irq');

      // The same machine, rewound.
      a.restoreSnapshot(snap);
      expect(a.run({ maxInstructions: 100_000 })).toEqual(r2);
      expect(observe(a)).toEqual(straight);
    });
  }

  it('a snapshot taken under the interpreter continues identically under the JIT (loop guest, hot code compiled)', () => {
    const a = boot('interp', LOOP_ELF);
    a.run({ maxInstructions: 300_000 });
    const snap = a.saveSnapshot();
    a.run({ maxInstructions: 700_000 });
    const straight = observe(a);
    const b = new Machine({ ramSize: 16 << 20, engine: 'jit' });
    b.board.cpu.jit.threshold = 10_000; // [jitboot] compile within this short run (the default is 8M instructions of a block)
    b.restoreSnapshot(snap);
    b.run({ maxInstructions: 700_000 });
    expect(b.board.cpu.jit.regionsCompiled).toBeGreaterThan(0);
    expect(observe(b)).toEqual(straight);
  });

  it('two PEs (PSCI CPU_ON, WFE/SEV, CPU_OFF), with an SMMU, virtio-rng and the DMA engine on the board', async () => {
    // PE 0 starts PE 1, which stores 42 and sends an event; PE 0 exits with it (test/cli/smp.test.ts's guest).
    const src = `_start:
  movz x0, #3
  movk x0, #0xc400, lsl #16
  mov x1, #1
  adr x2, second
  mov x3, #40
  hvc #0
  adr x9, flag
wait:
  wfe
  ldr x10, [x9]
  cbz x10, wait
  mov x0, x10
  adr x1, blk
  str x0, [x1, #8]
  mov x0, #0x18
  hlt #0xf000
second:
  add x0, x0, #2
  adr x9, flag
  str x0, [x9]
  sev
  movz x0, #2
  movk x0, #0x8400, lsl #16
  hvc #0
  .balign 8
blk: .quad 0x20026, 0
flag: .quad 0`;
    const config = { ramSize: 4 << 20, smp: 2, board: { smpQuantum: 3, iommu: 'smmuv3' as const, virtioRng: true } };
    for (const engine of ['interp', 'jit'] as const) {
      const a = new Machine({ ...config, engine });
      a.start((await a.assemble(src)).entry);
      a.run({ maxInstructions: 12 }); // PE 1 is running by now
      expect(a.board.pes[1].instret).toBeGreaterThan(0);
      const snap = a.saveSnapshot();
      const r = a.run({ maxInstructions: 10_000 });
      expect(r).toMatchObject({ reason: 'exit', exitCode: 42 });
      const b = Machine.fromSnapshot(snap, { engine });
      expect(b.run({ maxInstructions: 10_000 })).toEqual(r);
      expect(b.stats()).toEqual(a.stats());
      expect(b.reg('x10', 0)).toBe(42n);
    }
  });

  it('stores only the RAM pages in use (a 64 MiB machine snapshot is small)', () => {
    const m = new Machine({ ramSize: 64 << 20 });
    m.start(m.loadElf(IRQ_ELF).entry);
    const s = m.saveSnapshot();
    expect(s.length).toBeLessThan(256 * 1024);
  });
});

describe('snapshot files and bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'a64hv-snap-'));

  it('round-trips through a file', () => {
    const a = boot('interp', IRQ_ELF);
    a.run({ maxInstructions: 1000 });
    const f = join(dir, 'vm.snap');
    writeSnapshotFile(f, a.saveSnapshot());
    const b = Machine.fromSnapshot(readSnapshotFile(f), { engine: 'interp' });
    expect(b.reg('pc')).toBe(a.reg('pc'));
    expect(b.run({ maxInstructions: 100_000 })).toEqual(a.run({ maxInstructions: 100_000 }));
    expect(b.output).toBe(a.output);
  });

  it('rejects a foreign file, a newer version, corruption, truncation, another configuration', () => {
    const a = boot('interp', IRQ_ELF);
    const s = a.saveSnapshot();
    const m = new Machine({ ramSize: 16 << 20 });
    const err = (bytes: Uint8Array): string => {
      try {
        m.restoreSnapshot(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(ApiError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(err(new TextEncoder().encode('#!/bin/sh\necho not a snapshot\n'))).toMatch(/not an a64hv snapshot/);
    const v2 = s.slice();
    v2[8] = 2;
    expect(err(v2)).toMatch(/format version 2; this a64hv reads version 1/);
    expect(err(s.subarray(0, s.length >> 1))).toMatch(/corrupt or truncated/);
    const flipped = s.slice();
    flipped[40] ^= 0xff;
    expect(err(flipped)).toMatch(/snapshot: corrupt/);
    expect(() => new Machine({ ramSize: 32 << 20 }).restoreSnapshot(s)).toThrow(/another machine configuration/);
    expect(() => new Machine({ ramSize: 16 << 20, smp: 2 }).restoreSnapshot(s)).toThrow(/another machine configuration \(pes 1, here 2; /);
    expect(() => new Machine({ ramSize: 16 << 20, cpu: 'max' }).restoreSnapshot(s)).toThrow(/\(idRegs /);
    expect(() => new Machine({ ramSize: 16 << 20, timing: 'functional' }).restoreSnapshot(s)).toThrow(/timing "a57", here "functional"/);
    expect(() => new Machine({ ramSize: 16 << 20, board: { virtioRng: true } }).restoreSnapshot(s)).toThrow(/\(devices /);
    expect(() => readSnapshotFile(join(dir, 'missing.snap'))).toThrow(/cannot read the snapshot \(ENOENT\)/);
    expect(() => readSnapshotFile(dir)).toThrow(/not a regular file/);
    writeFileSync(join(dir, 'empty.snap'), '');
    expect(() => Machine.fromSnapshot(readSnapshotFile(join(dir, 'empty.snap')))).toThrow(/not an a64hv snapshot/);
  });
});
