// --log (QEMU's -d categories), --log-range (-dfilter), --log-file (-D) and --trace-file.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli.js';
import { parseLogCategories, LOG_CATEGORY_NAMES } from '../../src/log/categories.js';
import { parseLogRanges, inRanges } from '../../src/log/range.js';
import { Logger } from '../../src/log/logger.js';
import { exceptionLogger, instructionLogger } from '../../src/log/cpu-log.js';

const ROOT = join(__dirname, '..', '..');
const HELLO = join(ROOT, 'guests', 'asm', 'hello.S');

// An UNDEFINED word, a read and a write to an unmapped VA (identity tables from --mmu s1:4k map
// RAM and devices only), each taken to a handler at VBAR_EL1 + 0x200 that steps over it.
const FAULTS = `
_start:
  adr x0, vectors
  msr vbar_el1, x0
  isb
  .long 0x00000000
  movz x1, #0x10, lsl #32
  ldr x2, [x1]
  str x2, [x1, #8]
  movz x0, #0x0008
  movk x0, #0x8400, lsl #16
  hvc #0
  .balign 2048
vectors:
  .skip 0x200
  mrs x10, elr_el1
  add x10, x10, #4
  msr elr_el1, x10
  eret
`;

// Semihosting (HLT #0xF000) SYS_WRITE (5) with X1 pointing at an unmapped parameter block, then an
// unknown operation 0x99: both fail (-1) and are the guest's mistakes for guest-errors.
const SEMI = `
_start:
  movz w0, #5
  movz x1, #0x10
  hlt #0xf000
  mov x20, x0
  movz w0, #0x99
  movz x1, #0
  hlt #0xf000
  movz x0, #0x0008
  movk x0, #0x8400, lsl #16
  hvc #0
`;

let dir: string;
let faults: string;
let semi: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-log-'));
  faults = join(dir, 'faults.S');
  writeFileSync(faults, FAULTS);
  semi = join(dir, 'semi.S');
  writeFileSync(semi, SEMI);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}
const lines = (s: string, cat: string): string[] => s.split('\n').filter((l) => l.startsWith(cat + ': '));

describe('parsing', () => {
  it('categories: QEMU spellings (guest_errors, in_asm), all, and a one-line error naming the known ones', () => {
    expect([...parseLogCategories('int,guest_errors,in_asm')]).toEqual(['int', 'guest-errors', 'in-asm']);
    expect([...parseLogCategories('all')]).toEqual(LOG_CATEGORY_NAMES);
    expect(() => parseLogCategories('int,cpu')).toThrow(/unknown category 'cpu' \(known: int, mmu, exits, guest-errors, exec, in-asm, unimp, all/);
    expect(() => parseLogCategories(',')).toThrow(/no category given/);
    expect(() => parseLogCategories('__proto__')).toThrow(/unknown category/);
  });
  it('ranges: ADDR, ADDR-END (inclusive, as -dfilter), ADDR+LEN with K/M; bad ones are one-line errors', () => {
    const r = parseLogRanges('0x1000-0x1fff,0x40000000+4K,7');
    expect(r).toEqual([
      { lo: 0x1000n, hi: 0x1fffn },
      { lo: 0x4000_0000n, hi: 0x4000_0fffn },
      { lo: 7n, hi: 7n },
    ]);
    expect([inRanges(r, 0x1fffn), inRanges(r, 0x2000n), inRanges(r, 0x4000_0fffn), inRanges(r, 0x4000_1000n), inRanges(null, 5n)]).toEqual([true, false, true, false, true]);
    expect(parseLogRanges('0xffff000000000000+64K')[0].hi).toBe(0xffff_0000_0000_ffffn);
    expect(() => parseLogRanges('0x2000-0x1000')).toThrow(/end is below the start/);
    expect(() => parseLogRanges('0x1000+0')).toThrow(/zero length/);
    expect(() => parseLogRanges('zz')).toThrow(/bad address 'zz'/);
    expect(() => parseLogRanges('0x1ffffffffffffffff')).toThrow(/64 bits/);
  });
  it('costs nothing when off: no hook at all for categories that are not on', () => {
    const log = new Logger(new Set(['exits', 'guest-errors']), null, { write: () => {} });
    expect(exceptionLogger(log)).toBeNull();
    expect(instructionLogger(log, () => '', () => '')).toBeNull();
  });
});

describe('--log on a run', () => {
  it('int, mmu, unimp: the UNDEFINED word, the read and the write abort, decoded (ESR EC/ISS, fault kind and level, FAR)', async () => {
    const r = await cli('run', faults, '-q', '--mmu', 's1:4k', '--max-insns', '1000', '--log', 'int,mmu,unimp');
    expect(r.code).toBe(0);
    expect(lines(r.err, 'unimp')).toEqual(['unimp: UNDEFINED instruction EL1 -> EL1, ELR 0x4000000c']);
    expect(lines(r.err, 'mmu')).toEqual([
      // ESR_ELx ISS for a data abort: DFSC 0b000101 = translation fault, level 1; WnR (bit 6) for the store.
      'mmu: data abort (read) EL1 -> EL1, ELR 0x40000014: translation fault, level 1, FAR 0x1000000000',
      'mmu: data abort (write) EL1 -> EL1, ELR 0x40000018: translation fault, level 1, FAR 0x1000000008',
    ]);
    expect(lines(r.err, 'int')).toEqual([
      'int: sync EL1 -> EL1, ELR 0x4000000c: EC 0x0 (unknown reason) ISS 0x0',
      'int: sync EL1 -> EL1, ELR 0x40000014: EC 0x25 (data abort) ISS 0x5 FAR 0x1000000000',
      'int: sync EL1 -> EL1, ELR 0x40000018: EC 0x25 (data abort) ISS 0x45 FAR 0x1000000008',
      // PSCI SYSTEM_OFF: HVC is an exception to EL2, where the board's firmware answers it.
      'int: sync EL1 -> EL2, ELR 0x40000028: EC 0x16 (HVC) ISS 0x0',
    ]);
  });
  it('--log-range keeps the events at those addresses only (ELR or FAR); --log-file writes them to a file, not stderr', async () => {
    const f = join(dir, 'log.txt');
    const r = await cli('run', faults, '-q', '--mmu', 's1:4k', '--max-insns', '1000', '--log', 'int,mmu', '--log-range', '0x1000000008', '--log-file', f);
    expect(r.err).toBe('');
    expect(readFileSync(f, 'utf8')).toBe(
      'int: sync EL1 -> EL1, ELR 0x40000018: EC 0x25 (data abort) ISS 0x45 FAR 0x1000000008\n' +
        'mmu: data abort (write) EL1 -> EL1, ELR 0x40000018: translation fault, level 1, FAR 0x1000000008\n',
    );
    const s = await cli('run', faults, '-q', '--mmu', 's1:4k', '--max-insns', '1000', '--log', 'unimp', '--log-file', '-');
    expect(s.out).toBe('unimp: UNDEFINED instruction EL1 -> EL1, ELR 0x4000000c\n');
  });
  it('exec and in-asm: block starts and first-time disassembly, with symbols, filtered by --log-range', async () => {
    const r = await cli('run', HELLO, '-q', '--log', 'exec,in_asm', '--log-range', '0x40000000-0x4000000f');
    expect(r.out).toMatch(/^Hello from a64hv!/);
    expect(lines(r.err, 'in-asm')).toEqual([
      'in-asm: 0000000040000000 <_start>: adr x1, #0x40000034',
      'in-asm: 0000000040000004 <_start+0x4>: mov x2, #0x9000000',
      'in-asm: 0000000040000008 <next_char>: ldrb w0, [x1], #1',
      'in-asm: 000000004000000c <next_char+0x4>: cbz w0, #0x40000020',
    ]);
    const exec = lines(r.err, 'exec');
    // _start once, then next_char each time `b next_char` lands there (once per character; the
    // first entry falls through from _start + 4 and is not a block start).
    expect(exec[0]).toBe('exec: 0000000040000000 <_start>');
    expect(exec.slice(1).every((l) => l === 'exec: 0000000040000008 <next_char>')).toBe(true);
    expect(exec.length).toBe(1 + r.out.length);
  });
  it('guest-errors: a semihosting call with an unreadable parameter block, and an unknown operation', async () => {
    const r = await cli('run', semi, '-q', '--max-insns', '100', '--log', 'guest-errors');
    expect(lines(r.err, 'guest-errors')).toEqual([
      'guest-errors: semihosting operation 0x5: its parameter block or buffer at 0x10 cannot be read (EFAULT)',
      'guest-errors: semihosting operation 0x99 is unknown (ENOSYS)',
    ]);
    expect((await cli('run', semi, '-q', '--max-insns', '100')).err).toBe('');
  });
  it('misuse: exits without --hyp warns; other categories with --hyp, --log-file without --log, a bad file are one-line errors; --log help', async () => {
    const w = await cli('run', HELLO, '-q', '--log', 'exits');
    expect(w.err).toBe('a64hv: warning: --log exits does nothing without --hyp\n');
    const h = await cli('run', HELLO, '--hyp', '-q', '--log', 'int', '--trace-file', join(dir, 't'));
    expect([h.code, h.err]).toEqual([2, 'a64hv: error: --trace-file is not supported with --hyp (use --hyp-trace or --log exits for exits)\n']);
    const n = await cli('run', HELLO, '-q', '--log-file', join(dir, 'x'));
    expect([n.code, n.err]).toEqual([2, 'a64hv: error: --log-file needs --log CATEGORIES (--log help lists them)\n']);
    const b = await cli('run', HELLO, '-q', '--log', 'int', '--log-file', join(dir, 'no', 'such', 'dir'));
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/^a64hv: error: .*dir: cannot write \(ENOENT\)\n$/);
    const help = await cli('run', HELLO, '--log', 'help');
    expect(help.code).toBe(0);
    for (const c of LOG_CATEGORY_NAMES) expect(help.out).toContain(`  ${c} `);
  });
  it('--log exits under --hyp prints the hypervisor exits (as --hyp-trace)', async () => {
    const r = await cli('run', HELLO, '--hyp', '-q', '--log', 'exits');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^exit 1 \[vm0\] ELR_EL2=0x[0-9a-f]+ EC=0x24 \(DABT\)/m);
  });
});

// Under --hyp: an UNDEFINED word and an SVC the VM's own vector (EL1) takes, a read of an IPA with
// nothing behind it (a stage-2 fault: an exit, the hypervisor injects an external abort), then
// PSCI SYSTEM_OFF by HVC (an exit).
const HYPFAULTS = `
_start:
  adr x0, vectors
  msr vbar_el1, x0
  isb
  .long 0x00000000
  movz x1, #0x0a00, lsl #16
  movk x1, #0x8000
  ldr x2, [x1]
  svc #3
  movz x0, #0x0008
  movk x0, #0x8400, lsl #16
  hvc #0
  .balign 2048
vectors:
  .skip 0x200
  mrs x10, elr_el1
  mrs x11, esr_el1
  lsr x11, x11, #26
  cmp x11, #0x15
  b.eq done
  add x10, x10, #4
  msr elr_el1, x10
done:
  eret
`;

describe('--log under --hyp (src/log/hyp-log.ts)', () => {
  let hf: string;
  beforeAll(() => {
    hf = join(dir, 'hypfaults.S');
    writeFileSync(hf, HYPFAULTS);
  });
  it('int, mmu, unimp: the VM\'s exceptions to its EL1 and its exits to EL2, named by VM; a stage-2 fault gives its IPA (HPFAR_EL2)', async () => {
    const r = await cli('run', hf, '--hyp', '-q', '--max-insns', '1000', '--log', 'int,mmu,unimp');
    expect(r.code).toBe(0);
    expect(lines(r.err, 'int')).toEqual([
      'int: [vm0] sync EL1 -> EL1, ELR 0x4000000c: EC 0x0 (unknown reason) ISS 0x0',
      // ESR_EL2 ISS of a stage-2 data abort: ISV=1 SAS=3 SRT=2 SF=1, DFSC 0b000110 (translation fault, level 2).
      'int: [vm0] sync EL1 -> EL2, ELR 0x40000018: EC 0x24 (data abort from a lower EL) ISS 0x1c28006 FAR 0xa008000',
      // SVC: ELR is the instruction after it (preferred return address).
      'int: [vm0] sync EL1 -> EL1, ELR 0x40000020: EC 0x15 (SVC) ISS 0x3',
      'int: [vm0] sync EL1 -> EL2, ELR 0x4000002c: EC 0x16 (HVC) ISS 0x0',
    ]);
    expect(lines(r.err, 'mmu')).toEqual(['mmu: [vm0] data abort (read) EL1 -> EL2, ELR 0x40000018: translation fault, level 2, FAR 0xa008000, stage 2, IPA 0xa008000']);
    expect(lines(r.err, 'unimp')).toEqual(['unimp: [vm0] UNDEFINED instruction EL1 -> EL1, ELR 0x4000000c']);
    // Without --log, no line at all (the hooks are only installed for the categories on).
    expect((await cli('run', hf, '--hyp', '-q', '--max-insns', '1000')).err).toBe('');
  });
  it('exits go where the log goes (--log-file), with the CPU events in order; --log-range filters the CPU events', async () => {
    const f = join(dir, 'hyplog.txt');
    const r = await cli('run', hf, '--hyp', '-q', '--max-insns', '1000', '--log', 'mmu,exits', '--log-file', f);
    expect(r.err).toBe('');
    const l = readFileSync(f, 'utf8').split('\n');
    expect(l[0]).toMatch(/^mmu: \[vm0\] data abort \(read\)/);
    expect(l[1]).toMatch(/^exit 1 \[vm0\] ELR_EL2=0x40000018 EC=0x24 \(DABT\)/);
    expect(l[2]).toMatch(/^exit 2 \[vm0\] ELR_EL2=0x4000002c EC=0x16 \(HVC\)/);
    const g = await cli('run', hf, '--hyp', '-q', '--max-insns', '1000', '--log', 'int', '--log-range', '0x40000020');
    expect(lines(g.err, 'int')).toEqual(['int: [vm0] sync EL1 -> EL1, ELR 0x40000020: EC 0x15 (SVC) ISS 0x3']);
  });
  it('guest-errors: a VM\'s semihosting mistakes, named by VM', async () => {
    const r = await cli('run', HELLO, semi, '--hyp', '-q', '--max-insns', '100000', '--log', 'guest-errors');
    expect(lines(r.err, 'guest-errors')).toEqual([
      'guest-errors: [vm1] semihosting operation 0x5: its parameter block or buffer at 0x10 cannot be read (EFAULT)',
      'guest-errors: [vm1] semihosting operation 0x99 is unknown (ENOSYS)',
    ]);
  });
  it('exec and in-asm for VM code: each VM\'s blocks and first-time disassembly, counts unchanged', async () => {
    const r = await cli('run', HELLO, semi, '--hyp', '-q', '--log', 'exec,in-asm', '--log-range', '0x40000000-0x40000007', '--stats-json', '-');
    const inAsm = lines(r.err, 'in-asm');
    expect(inAsm).toEqual([
      'in-asm: [vm0] 0000000040000000: adr x1, #0x40000034',
      'in-asm: [vm0] 0000000040000004: mov x2, #0x9000000',
      'in-asm: [vm1] 0000000040000000: mov w0, #5',
      'in-asm: [vm1] 0000000040000004: mov x1, #0x10',
    ]);
    expect(lines(r.err, 'exec')).toEqual(['exec: [vm0] 0000000040000000', 'exec: [vm1] 0000000040000000']);
    const plain = await cli('run', HELLO, semi, '--hyp', '-q', '--stats-json', '-');
    const n = (s: string): unknown[] => {
      const j = JSON.parse(s.slice(s.indexOf('{'))) as { instructions: number; cycles: number };
      return [j.instructions, j.cycles];
    };
    expect(n(r.out)).toEqual(n(plain.out));
  });
});

describe('--trace-file', () => {
  it('the trace goes to the file; stdout has only the guest console and stderr no trace line', async () => {
    const f = join(dir, 'trace.txt');
    const r = await cli('run', HELLO, '-q', '--trace-file', f);
    expect(r.out).toBe('Hello from a64hv! AArch64 guest running at EL1 with the MMU off.\n');
    expect(r.err).toBe('');
    const t = readFileSync(f, 'utf8').split('\n');
    expect(t[0]).toMatch(/^0000000040000000 <_start>: adr x1, #0x40000034 +x1=0x40000034$/);
    expect(t.filter((l) => l.includes('<hang>')).length).toBe(0); // SYSTEM_OFF does not return
    expect(t.length).toBeGreaterThan(300);
  });
});
