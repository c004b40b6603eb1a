// A bus master's write as the CPU sees it (Cpu.dmaWritten): decoded code on the written pages is
// dropped (as for a CPU store to a code page) and a reservation of the exclusive monitor on the
// written bytes is cleared (ARM ARM B2.9.5: another observer's write to the marked address clears
// the global monitor). The DMA devices and the SMMU call it for every write they make.
import { describe, it, expect } from 'vitest';
import { runAsm, X, CODE_BASE } from '../helpers.js';

const DATA = 0x4010_0000;

describe('Cpu.dmaWritten', () => {
  it('clears an exclusive reservation on the written bytes, so STXR fails', async () => {
    // LDXR, then a DMA write to the same address (from the hlt #2 hook), then STXR: w3 = 1.
    const m = await runAsm('ldxr x1, [x0]\nhlt #2\nstxr w3, x1, [x0]\nhlt #1', {
      x: { 0: BigInt(DATA), 3: 7n },
      setup: (mm) => {
        const fw = mm.cpu.firmware!;
        const hlt = fw.hlt;
        fw.hlt = (c, imm) => {
          if (imm === 2) {
            c.dmaWritten(DATA + 4, 1);
            return true;
          }
          return hlt(c, imm);
        };
      },
    });
    expect(X(m.cpu, 3)).toBe(1n);
  });
  it('leaves a reservation elsewhere alone, so STXR succeeds', async () => {
    const m = await runAsm('ldxr x1, [x0]\nhlt #2\nstxr w3, x1, [x0]\nhlt #1', {
      x: { 0: BigInt(DATA), 3: 7n },
      setup: (mm) => {
        const fw = mm.cpu.firmware!;
        const hlt = fw.hlt;
        fw.hlt = (c, imm) => {
          if (imm === 2) {
            c.dmaWritten(DATA + 8, 64);
            return true;
          }
          return hlt(c, imm);
        };
      },
    });
    expect(X(m.cpu, 3)).toBe(0n);
  });
  it('drops decoded code on the written page: the new instructions run', async () => {
    // A loop calls a function at FN twice; between the calls "DMA" rewrites FN's first instruction.
    const FN = CODE_BASE + 0x2000;
    const m = await runAsm(`ldr x9, =${FN}\nblr x9\nhlt #2\nblr x9\nhlt #1`, {
      setup: (mm) => {
        mm.bus.load(FN, new Uint8Array([0x20, 0x00, 0x80, 0xd2, 0xc0, 0x03, 0x5f, 0xd6])); // mov x0,#1; ret
        const fw = mm.cpu.firmware!;
        const hlt = fw.hlt;
        fw.hlt = (c, imm) => {
          if (imm === 2) {
            // mov x0, #2 written behind the CPU's back, as a device would.
            mm.bus.load(FN, new Uint8Array([0x40, 0x00, 0x80, 0xd2]));
            c.dmaWritten(FN, 4);
            return true;
          }
          return hlt(c, imm);
        };
      },
    });
    expect(X(m.cpu, 0)).toBe(2n);
  });
  it('without the notification the stale block would run (the test above is not vacuous)', async () => {
    const FN = CODE_BASE + 0x2000;
    const m = await runAsm(`ldr x9, =${FN}\nblr x9\nhlt #2\nblr x9\nhlt #1`, {
      setup: (mm) => {
        mm.bus.load(FN, new Uint8Array([0x20, 0x00, 0x80, 0xd2, 0xc0, 0x03, 0x5f, 0xd6]));
        const fw = mm.cpu.firmware!;
        const hlt = fw.hlt;
        fw.hlt = (c, imm) => {
          if (imm === 2) {
            mm.bus.load(FN, new Uint8Array([0x40, 0x00, 0x80, 0xd2]));
            return true;
          }
          return hlt(c, imm);
        };
      },
    });
    expect(X(m.cpu, 0)).toBe(1n);
  });
});
