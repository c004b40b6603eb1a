// npm start's hypervisor act (runHypDemo): the seed scenario's output and its decoded exits.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { runHypDemo } from '../../src/hyp/demo.js';

describe('runHypDemo', () => {
  it('runs hyp-echo under the hypervisor with its exits decoded, then two VMs', async () => {
    let out = '';
    let err = '';
    const code = await runHypDemo({ stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
    expect(code).toBe(0);
    const expected = readFileSync(new URL('../../guests/expected/hyp-echo.txt', import.meta.url), 'utf8');
    expect(out.startsWith(expected)).toBe(true);
    expect(out).toContain('[vm1] vm2: round 3 ok\n');
    // The seed's figure: a trapped LDR of UARTDR, decoded, the byte written to W0, ELR_EL2 += 4.
    expect(err).toMatch(/EC=0x24 \(DABT\) ESR_EL2=0x93800007 .*ISV=1 SAS=2 \(4 B\) SSE=0 SRT=0 \(w0\) SF=0 AR=0 WnR=0 .*pl011\.UARTDR read 0x68 -> w0 = 0x68, ELR_EL2 \+= 4/);
    expect(err).toMatch(/mmio-read pl011 UARTDR\s*│ 31/);
    // The DMA act: SMMU on, then bypass, for the same guests.
    const on = out.indexOf('[driver] dma: copy ok');
    const off = out.indexOf('[driver] dma: copy WRONG');
    expect(on).toBeGreaterThan(0);
    expect(off).toBeGreaterThan(on);
    expect(out.indexOf('[victim] victim: my secret is intact')).toBeGreaterThan(on);
    expect(out.indexOf('[victim] victim: my secret was CHANGED')).toBeGreaterThan(off);
    expect(out.indexOf(`[evil] evil:   buffer VM0 SECRET`)).toBeGreaterThan(off);
    expect(err.match(/smmu event \d \[evil\] F_TRANSLATION/g)).toHaveLength(3);
    expect(err).toMatch(/engine: 3 transfers, 0 bytes, 3 aborted/);
  });
});
