// guests/c/isa-max.c (built with -march=armv8.5-a+crypto+sha3+fp16fml): on `--cpu max` it must
// print exactly what qemu-system-aarch64 -M virt -cpu max printed (guests/expected/isa-max.txt,
// recorded by `make -C guests expected`): AES-128/SHA-1/SHA-256/SHA-512 known answers computed with
// the crypto instructions, and the results of PMULL, SHA3, RDM, DotProd, FHM, FCMA, JSCVT, FRINTTS
// and FlagM/FlagM2 instructions. On the default a57 model the first AESE is UNDEFINED.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Machine } from '../../src/machine.js';
import { loadImage } from '../../src/loader/index.js';

const GUESTS = fileURLToPath(new URL('../../guests/', import.meta.url));
const ELF = `${GUESTS}build/isa-max.elf`;

describe('isa-max guest', () => {
  it('--cpu max: output and exit status identical to QEMU -cpu max', async () => {
    const m = new Machine({ cpu: 'max' });
    m.boot((await loadImage(m, ELF)).entry);
    const r = m.run(20_000_000);
    const want = readFileSync(`${GUESTS}expected/isa-max.txt`, 'latin1');
    expect(want).toMatch(/SHA-512\(abc\): ddaf35a1.* ok\n/); // QEMU passed the known answers
    expect(m.output).toBe(want);
    expect(r.reason).toBe('exit');
    expect(r.exitCode).toBe(Number(readFileSync(`${GUESTS}expected/isa-max.exit`, 'utf8').trim()));
  });

  it('--cpu a57: the same binary stops at its first AESE (UNDEFINED, EC 0x00)', async () => {
    const m = new Machine({});
    m.boot((await loadImage(m, ELF)).entry);
    const r = m.run(20_000_000);
    expect(r.reason).toBe('error');
    expect(m.output).toBe('');
    expect(m.cpu.excEC).toBe(0x21); // after the UNDEFINED (EC 0) the missing vectors fault in turn
  });
});
