// The debugger's `smmu` command and `tr sid=N`: the SMMU's registers, stream table, STEs, IOTLB and
// event queue as the hypervisor's driver programmed them (repl --hyp --hyp-config with assignDma),
// a StreamID's walk like the CPU's `tr`, GDB's monitor, and the wrong things (one-line errors).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli.js';
import { Session } from '../../src/debug/session.js';
import { GdbStub } from '../../src/debug/gdbstub.js';
import { DMA_VICTIM, DMA_EVIL, DMA_NESTED } from '../../src/hyp/dma-scenario.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-smmu-'));
  writeFileSync(join(dir, 'n.json'), '{"assignDma":{"vm":0}}');
  writeFileSync(join(dir, 'm.json'), JSON.stringify({ assignDma: { vm: 1 }, vms: [{ name: 'victim', ram: '32M' }, { name: 'evil', ram: '8M' }] }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function script(lines: string[], args: string[]): Promise<{ code: number; out: string }> {
  const f = join(dir, 's.txt');
  writeFileSync(f, lines.join('\n') + '\n');
  let out = '';
  const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (out += s) } };
  const code = await main(['repl', ...args, '--script', f], io);
  return { code, out };
}
/** The output of command `cmd` in a --script transcript (up to the next prompt). */
function answer(out: string, cmd: string): string {
  const at = out.indexOf(`(a64hv) ${cmd}\n`);
  expect(at, cmd).toBeGreaterThanOrEqual(0);
  const rest = out.slice(at + cmd.length + 9);
  const end = rest.indexOf('(a64hv) ');
  return end < 0 ? rest : rest.slice(0, end);
}

describe('smmu and tr sid= under the hypervisor', () => {
  it('shows the stream table, an STE, walks, the IOTLB and the event records', async () => {
    const cmds = ['smmu', 'smmu ste 32', 'tr sid=32 0x40010000 w', 'tr sid=32 0x40f00000', 'tr sid=3 0x40000000', 'continue', 'smmu events', 'smmu iotlb 2', 'tr sid=32 0x40000800'];
    const { code, out } = await script(cmds, ['--hyp', DMA_VICTIM, DMA_EVIL, '--hyp-config', join(dir, 'm.json')]);
    expect(code).toBe(0);
    const sum = answer(out, 'smmu');
    expect(sum).toMatch(/CR0 0xd \(SMMUEN=1 CMDQEN=1 EVENTQEN=1\)/);
    expect(sum).toMatch(/stream table: 0x40f00000, linear, LOG2SIZE 10 \(1024 StreamIDs\)/);
    expect(sum).toMatch(/StreamID 32: stage 2 only, S2VMID 2 S2TTB 0x40050000/);
    expect(sum).toMatch(/1 STE\(s\) translating or bypassing, 1023 abort/);
    expect(sum).toMatch(/hypervisor: StreamID 32 assigned to evil \(stage 2 on its tables, VMID 2\)/);
    const ste = answer(out, 'smmu ste 32');
    expect(ste).toMatch(/STE of StreamID 32 at PA 0x40f00800/);
    expect(ste).toMatch(/V 1, Config 110 \(stage 2 only\)/);
    expect(ste).toMatch(/S2VMID 2, S2T0SZ 24 \(40-bit IPA\), S2SL0 1, .*S2TG 4K, S2PS 44 bits/);
    expect(ste).toMatch(/S2AA64 1, .* S2R 1, S2TTB 0x40050000/);
    // IPA 0x4001_0000 of the 8 MiB VM at PA 0x4300_0000, through a 2 MiB block at level 2.
    const w = answer(out, 'tr sid=32 0x40010000 w');
    expect(w).toMatch(/S2 L2 table 0x40052000 desc @ 0x40052000 = +0x430007fd +block -> PA 0x43010000/);
    expect(w).toMatch(/=> PA 0x43010000, stage 2 Normal/);
    expect(w).toMatch(/permissions: stage 2 rw\n/);
    expect(answer(out, 'tr sid=32 0x40f00000')).toMatch(/FAULT: the input address: stage 2 translation fault, level 2, IPA 0x40f00000 -> F_TRANSLATION/);
    expect(answer(out, 'tr sid=3 0x40000000')).toMatch(/Config abort: terminated, no event/);
    const ev = answer(out, 'smmu events');
    expect(ev).toMatch(/event queue at 0x40f11000: 128 entries, PROD 3, CONS 3, 0 pending/);
    expect(ev).toMatch(/\[2\] F_TRANSLATION \(0x10\) StreamID 0x20 write of 0x41000100, stage 2, CLASS IN/);
    expect(ev).toMatch(/\[evil\] F_TRANSLATION \(0x10\) StreamID 0x20 read of 0x40f00000/);
    // Attack C read its own string at IPA 0x4000_0800: that 2 MiB block is in the IOTLB now.
    expect(answer(out, 'smmu iotlb 2')).toMatch(/IOTLB +0x40000000 \+0x200000 -> 0x43000000 +VMID 2 global \(S2\), S2AP rw/);
    expect(answer(out, 'tr sid=32 0x40000800')).toMatch(/IOTLB: holds this address -> PA 0x43000800/);
  });

  it("a nested stream: the guest's CD decoded (found through stage 2), the walk with both stages", async () => {
    const cmds = ['break compare', 'continue', 'smmu', 'smmu cd 32', 'tr sid=32 0x300010 w', 'tr sid=32 0x40000000', 'tr sid=32 0x80000000', 'smmu iotlb'];
    const { code, out } = await script(cmds, ['--hyp', DMA_NESTED, '--hyp-config', join(dir, 'n.json')]);
    expect(code).toBe(0);
    expect(answer(out, 'smmu')).toMatch(/StreamID 32: nested \(stage 1 \+ stage 2\), S2VMID 1 S2TTB 0x40000000, S1ContextPtr 0x40002000/);
    expect(answer(out, 'smmu')).toMatch(/assigned to vm0 \(nested: the guest's CD at IPA 0x40002000, then stage 2, VMID 1\)/);
    const cd = answer(out, 'smmu cd 32');
    expect(cd).toMatch(/CD of StreamID 32 SubstreamID 0 at PA 0x41002000 \(IPA 0x40002000\)/);
    expect(cd).toMatch(/V 1, AA64 1, ASID 1, IPS 40 bits/);
    expect(cd).toMatch(/TTB0 0x40003000: T0SZ 25 \(39-bit VA\), TG0 4K, IR0 1 OR0 1 SH0 3, EPD0 0/);
    expect(cd).toMatch(/EPD1 1\n  MAIR 0xff/);
    // The stage-1 descriptor is read at an IPA, itself translated by stage 2 (PA in brackets).
    const w = answer(out, 'tr sid=32 0x300010 w');
    expect(w).toMatch(/CD @ 0x41002000 \(IPA 0x40002000\): ASID 1/);
    expect(w).toMatch(/S1 L1 table 0x40003000 desc @ 0x40003000 \(PA 0x41003000\) = +0x40000741 +block -> 0x40000000/);
    expect(w).toMatch(/=> IPA 0x40300010 -> PA 0x41300010/);
    expect(w).toMatch(/permissions: stage 1 rw \(unprivileged\), stage 2 rw/);
    expect(answer(out, 'tr sid=32 0x40000000')).toMatch(/FAULT: stage-1 walk: stage 1 translation fault, level 1 -> F_TRANSLATION/);
    expect(answer(out, 'tr sid=32 0x80000000')).toMatch(/FAULT: IPA 0xc0000000: stage 2 translation fault, level 1, IPA 0xc0000000 -> F_TRANSLATION/);
    expect(answer(out, 'smmu iotlb')).toMatch(/IOTLB +0x0 \+0x200000 -> 0x41000000 +VMID 1 global \(S1\+S2\)/);
  });

  it('GDB monitor smmu', async () => {
    const s = await Session.create({ guest: DMA_VICTIM, hyp: { more: [DMA_EVIL], config: { assignDma: { vm: 1, ipa: 0x0a10_0000 }, vms: [{ ramSize: 32 << 20 }, { ramSize: 8 << 20 }] } } });
    const g = new GdbStub(s);
    const hex = (t: string): string => Buffer.from(t).toString('hex');
    const text = (h: string | null): string => Buffer.from(h ?? '', 'hex').toString();
    expect(text(await g.handle('qRcmd,' + hex('smmu ste 32')))).toMatch(/Config 110 \(stage 2 only\)/);
    expect(text(await g.handle('qRcmd,' + hex('tr sid=32 0x40000000')))).toMatch(/=> PA 0x43000000/);
    expect(text(await g.handle('qRcmd,' + hex('smmu ste 99999')))).toMatch(/^error: smmu: StreamID 99999 is outside the stream table/);
  });

  it('the wrong things: one-line errors, and no SMMU on a plain board', async () => {
    const cmds = ['smmu ste 5000', 'smmu ste', 'smmu ste x', 'smmu cd 32', 'smmu bogus', 'tr sid= 0x1000', 'tr sid=32', 'tr sid=abc 0x1000'];
    const { code, out } = await script(cmds, ['--hyp', DMA_VICTIM, DMA_EVIL, '--hyp-config', join(dir, 'm.json')]);
    expect(code).toBe(1);
    const errs: Record<string, RegExp> = {
      'smmu ste 5000': /^error: smmu: StreamID 5000 is outside the stream table \(STRTAB_BASE_CFG.LOG2SIZE 10: 0..1023\)\n$/,
      'smmu ste': /^error: smmu ste: missing StreamID\n$/,
      'smmu ste x': /^error: smmu ste StreamID: expected a number, got 'x'\n$/,
      'smmu cd 32': /^error: smmu: StreamID 32 has no context descriptor \(STE stage 2 only\)\n$/,
      'smmu bogus': /^error: smmu: unknown view 'bogus'/,
      'tr sid= 0x1000': /^error: tr sid=N: missing the StreamID number\n$/,
      'tr sid=32': /^error: tr sid=N: missing the DMA address\n$/,
      'tr sid=abc 0x1000': /^error: tr sid: expected a number, got 'abc'\n$/,
    };
    for (const [c, re] of Object.entries(errs)) expect(answer(out, c)).toMatch(re);
    const plain = await script(['smmu', 'tr sid=1 0x1000', 'smmu iotlb'], [join(__dirname, '..', '..', 'guests', 'asm', 'hello.S')]);
    expect(answer(plain.out, 'smmu')).toMatch(/^error: smmu: no SMMU on this machine/);
    expect(answer(plain.out, 'tr sid=1 0x1000')).toMatch(/^error: tr: no SMMU on this machine/);
  });
});
