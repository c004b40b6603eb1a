// guests/asm/bti-pan.S: FEAT_BTI (guarded pages, every BTYPE against every landing-pad kind) and
// FEAT_PAN (EL1 accesses to EL0 pages, LDTR/STTR exempt, PSTATE.PAN on exception entry per
// SCTLR_EL1.SPAN) on --cpu max must print exactly what qemu-system-aarch64 -M virt -cpu max printed
// (guests/expected/bti-pan.txt, `make -C guests expected`), from the ELF and from the source.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Machine } from '../../src/machine.js';
import { loadImage } from '../../src/loader/index.js';

const GUESTS = fileURLToPath(new URL('../../guests/', import.meta.url));
const want = readFileSync(`${GUESTS}expected/bti-pan.txt`, 'latin1');

async function run(file: string, cpu?: string) {
  const m = new Machine({ cpu });
  m.boot((await loadImage(m, GUESTS + file)).entry);
  const r = m.run(2_000_000);
  return { m, r };
}

describe('bti-pan guest', () => {
  it('QEMU recorded Branch Target exceptions of each BTYPE and PAN faults (the expected file is meaningful)', () => {
    for (const iss of [1, 2, 3]) expect(want).toContain(`EC=0x0d ISS=0x000000${iss}`);
    expect(want).toContain('PAN=1 load from a user page: EC=0x25 ISS=0x000000f PAN=1');
    expect(readFileSync(`${GUESTS}expected/bti-pan.exit`, 'utf8').trim()).toBe('0');
  });
  for (const file of ['build/bti-pan.elf', 'asm/bti-pan.S']) {
    it(`--cpu max: ${file} prints what QEMU -cpu max printed`, { timeout: 60_000 }, async () => {
      const { m, r } = await run(file, 'max');
      expect(m.output).toBe(want);
      expect([r.reason, r.exitCode]).toEqual(['exit', 0]);
    });
  }
  it('--cpu a57 (no FEAT_BTI/FEAT_PAN): the guest says so and exits 2, as on QEMU cortex-a57', async () => {
    const { m, r } = await run('build/bti-pan.elf', 'a57');
    expect(m.output).toBe('bti-pan: needs FEAT_BTI and FEAT_PAN (-cpu max)\n');
    expect([r.reason, r.exitCode]).toEqual(['exit', 2]);
  });
});
