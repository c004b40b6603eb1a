// The REPL's `gic` command: the interrupt picture while a timer interrupt is delivered, on the
// bare board (physical GIC) and under --hyp (the VM's virtual distributor and list registers).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-gic-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TIMER = `
  adr x1, vectors
  msr vbar_el1, x1
  isb
  movz x9, #0x0800, lsl #16
  movz x10, #0x0801, lsl #16
  mov w1, #1
  str w1, [x9]
  str w1, [x10]
  mov w1, #0xff
  str w1, [x10, #4]
  movz w1, #0x800, lsl #16
  str w1, [x9, #0x100]
  mov x0, #100
  msr cntv_tval_el0, x0
  mov x0, #1
  msr cntv_ctl_el0, x0
  msr daifclr, #2
spin:
  b spin
  .balign 0x800
vectors:
  .space 0x280
handler:
  ldr w2, [x10, #0xc]
  b handler
`;

async function script(lines: string[], extra: string[] = []): Promise<string> {
  const g = join(dir, 'timer.S');
  writeFileSync(g, TIMER);
  const f = join(dir, `s${extra.length}.txt`);
  writeFileSync(f, lines.join('\n') + '\n');
  let out = '';
  await main(['repl', g, '--script', f, ...extra], { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true } });
  return out;
}
const after = (out: string, cmd: string, nth: number): string => out.split(`(a64hv) ${cmd}\n`)[nth + 1].split('(a64hv) ')[0];

describe('gic command', () => {
  it('bare board: the timer interrupt pending at the vector, active after GICC_IAR', async () => {
    const out = await script(['until handler', 'gic', 'step', 'gic']);
    const before = after(out, 'gic', 0);
    expect(before).toMatch(/pending: 27\b/);
    expect(before).toMatch(/CNTV \(virtual, PPI 27\)\s+CTL=0x5 \(ENABLE ISTATUS\).* output high/);
    expect(before).toMatch(/PE: IRQ 1 FIQ 0 vIRQ 0 vFIQ 0, PSTATE.DAIF=1111/);
    const acked = after(out, 'gic', 1);
    expect(acked).toMatch(/active:  27\b/);
  });
  it('--hyp: the VM sees INTID 27 through a hardware-mapped list register; its distributor is the virtual one', async () => {
    const out = await script(['until handler', 'gic'], ['--hyp']);
    const g = after(out, 'gic', 0);
    expect(g).toMatch(/LR0=0x[0-9a-f]+: vINTID=27 pending .* HW pINTID=27/);
    expect(g).toMatch(/VM 0 \(vm0\) virtual distributor \(trapped at IPA 0x8000000\): GICD_CTLR=0x1, 1 interrupts injected/);
    expect(g).toMatch(/ {2}enabled: 27\n/);
    expect(g).toMatch(/PE: IRQ 0 FIQ 0 vIRQ 1/);
  });
});
