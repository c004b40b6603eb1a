// End to end: each guest in guests/ runs on our machine and must print exactly what
// qemu-system-aarch64 -M virt printed for the same ELF (guests/expected/NAME.txt, recorded
// by `make -C guests expected`) and exit with the same status (NAME.exit).
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Machine } from '../../src/machine.js';
import { loadImage } from '../../src/loader/index.js';
import { Capstone, Const, loadCapstone } from 'capstone-wasm';

const GUESTS = fileURLToPath(new URL('../../guests/', import.meta.url));

interface Expected {
  output: string;
  exitCode: number;
}

function expected(name: string): Expected {
  return {
    output: readFileSync(`${GUESTS}expected/${name}.txt`, 'latin1'),
    exitCode: Number(readFileSync(`${GUESTS}expected/${name}.exit`, 'utf8').trim()),
  };
}

/** The UART input `make expected` gave the guest on QEMU (expected/NAME.in), if any. */
function input(name: string): string {
  const f = `${GUESTS}expected/${name}.in`;
  return existsSync(f) ? readFileSync(f, 'latin1') : '';
}

async function runGuest(path: string, maxInsns: number, uartInput = '') {
  const m = new Machine({ uartInput });
  const img = await loadImage(m, path);
  m.boot(img.entry);
  const r = m.run(maxInsns);
  return { m, r };
}

/**
 * For a failed run: re-run the guest and find the first time the PC leaves RAM (an exception
 * taken to VBAR_EL1 = 0, the reset value: picolibc guests install no vectors), naming the
 * instruction that caused it. Guests with their own vectors just get ''.
 */
async function firstStray(path: string, total: number, uartInput: string): Promise<string> {
  const { m } = await runGuest(path, 0, uartInput);
  const RAM = 0x4000_0000n;
  let done = 0;
  const chunk = 4096;
  while (done < total) {
    const before = m.cpu.pc;
    const r = m.run(1);
    done += 1;
    if (m.cpu.pc < RAM) {
      // (The run loop may have taken further exceptions at the vector since: name the instruction.)
      const pc = Number(before);
      if (pc < Number(RAM)) return `first exception at PC 0x${pc.toString(16)}`;
      const word = m.bus.read(pc, 4) >>> 0;
      await loadCapstone();
      const cs = new Capstone(Const.CS_ARCH_ARM64, Const.CS_MODE_ARM);
      let text = '(capstone: invalid)';
      try {
        const [insn] = cs.disasm(m.bus.readBytes(pc, 4), { address: pc });
        if (insn) text = `${insn.mnemonic} ${insn.opStr}`;
      } catch {
        // capstone throws for words it cannot decode
      }
      cs.close();
      return `first exception at PC 0x${pc.toString(16)}: 0x${word.toString(16).padStart(8, '0')} ${text}`;
    }
    if (r.reason !== 'limit') return '';
    // Step one at a time only near the end; skip ahead in chunks before.
    if (total - done > chunk) {
      m.run(Math.min(chunk, total - done - chunk));
      done += Math.min(chunk, total - done - chunk);
    }
  }
  return '';
}

// Instruction budgets are a few times what each guest needs; the full-size loop and
// sort-large guests are for `npm run bench`, not here.
const CASES: { name: string; file: string; maxInsns: number; what: string }[] = [
  { name: 'hello', file: 'build/hello.elf', maxInsns: 100_000, what: 'PL011 output, PSCI SYSTEM_OFF via HVC' },
  { name: 'echo', file: 'build/echo.elf', maxInsns: 200_000, what: 'PL011 input (FR.RXFE, DR), udiv/msub' },
  { name: 'el0-svc', file: 'build/el0-svc.elf', maxInsns: 100_000, what: 'VBAR_EL1, ERET to EL0, SVC, ESR/ELR/SPSR' },
  { name: 'exceptions', file: 'build/exceptions.elf', maxInsns: 100_000, what: 'UDF, BRK, SVC, HVC, PC alignment, FP trap, illegal return, EL0 traps' },
  { name: 'mmu', file: 'build/mmu.elf', maxInsns: 100_000, what: 'stage 1 tables, MMU on, faults, TLBI' },
  { name: 'loop-short', file: 'build/loop-short.elf', maxInsns: 1_000_000, what: 'integer loop, checksum' },
  { name: 'printf', file: 'build/printf.elf', maxInsns: 10_000_000, what: 'picolibc printf over semihosting' },
  { name: 'float', file: 'build/float.elf', maxInsns: 20_000_000, what: 'double/float arithmetic, conversions, FMA, libm, FPCR rounding' },
  { name: 'vecfp', file: 'build/vecfp.elf', maxInsns: 5_000_000, what: 'loops vectorised by gcc -O2 -ftree-vectorize: FMUL/FADD/FSUB .4s/.2d, FCVTZS fixed point, FCMGT' },
  { name: 'intops', file: 'build/intops.elf', maxInsns: 5_000_000, what: '__int128, SDIV/UDIV edges, CLZ/RBIT/CNT/REV, CRC32, bitfields, jump table, setjmp' },
  { name: 'sort', file: 'build/sort.elf', maxInsns: 50_000_000, what: 'picolibc quicksort, qsort, FNV-1a, CRC-32' },
  { name: 'irq', file: 'build/irq.elf', maxInsns: 2_000_000, what: 'GICv2 distributor/CPU interface, virtual timer PPI 27, SGI priorities and preemption, PMR, PL011 RX interrupt' },
  { name: 'irq-el0', file: 'build/irq-el0.elf', maxInsns: 2_000_000, what: 'virtual timer interrupt taken from EL0' },
  { name: 'debug', file: 'build/debug.elf', maxInsns: 200_000, what: 'self-hosted debug: breakpoints, watchpoints, software step, linked context breakpoint' },
  // The asm guests are also loadable as source: the loader assembles `.S` with keystone.
  { name: 'hello', file: 'asm/hello.S', maxInsns: 100_000, what: 'the same guest from its source' },
  { name: 'echo', file: 'asm/echo.S', maxInsns: 200_000, what: 'the same guest from its source' },
  { name: 'el0-svc', file: 'asm/el0-svc.S', maxInsns: 100_000, what: 'the same guest from its source' },
  { name: 'exceptions', file: 'asm/exceptions.S', maxInsns: 100_000, what: 'the same guest from its source' },
  { name: 'mmu', file: 'asm/mmu.S', maxInsns: 100_000, what: 'the same guest from its source' },
  { name: 'loop-short', file: 'asm/loop-short.S', maxInsns: 1_000_000, what: 'the same guest from its source' },
  { name: 'irq', file: 'asm/irq.S', maxInsns: 2_000_000, what: 'the same guest from its source' },
  { name: 'debug', file: 'asm/debug.S', maxInsns: 200_000, what: 'the same guest from its source' },
];

describe('guests match QEMU', () => {
  for (const c of CASES) {
    it(`${c.file} (${c.what})`, { timeout: 120_000 }, async () => {
      const want = expected(c.name);
      const { m, r } = await runGuest(GUESTS + c.file, c.maxInsns, input(c.name));
      // On failure, say how the run ended (limit, error and its message) next to the output.
      let how = JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v));
      if (r.reason === 'error' && typeof r.instructions === 'number') how += ` ${await firstStray(GUESTS + c.file, r.instructions + 20, input(c.name))}`;
      expect(`${m.output}`, `run ended: ${how}`).toBe(want.output);
      // Semihosting exits report 'exit'; PSCI SYSTEM_OFF (hello) powers off: 'halt' with status 0.
      expect(['exit', 'halt'], `run ended: ${how}`).toContain(r.reason);
      expect(r.exitCode ?? 0, `run ended: ${how}`).toBe(want.exitCode);
    });
  }
});
