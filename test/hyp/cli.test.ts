// `a64hv run --hyp`: guests as VMs from the command line, exit statistics in --stats-json, and
// the wrong things (bad policies, options that make no sense for VMs, several guests without --hyp).
import { describe, it, expect } from 'vitest';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli.js';

const G = new URL('../../guests/', import.meta.url).pathname;
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

describe('a64hv run --hyp', () => {
  it('runs a foundation guest as a VM: same output, exits by cause in --stats-json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hyp-'));
    const r = await cli(['run', `${G}build/hello.elf`, '--hyp', '--hyp-ram', 'lazy', '--stats-json', `${dir}/s.json`]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(readFileSync(`${G}expected/hello.txt`, 'utf8'));
    expect(r.err).toMatch(/mmio-write pl011 UARTDR\s*│ 65/);
    const j = JSON.parse(readFileSync(`${dir}/s.json`, 'utf8'));
    expect(j.hyp.vms[0].exits.byCause['mmio-read pl011 UARTFR']).toBe(65);
    expect(j.hyp.vms[0].ramPolicy).toBe('lazy');
    expect(j.hyp.vms[0].assigned[0].exits).toBe(0);
    expect(j.exitReason).toBe('vms-stopped');
  });
  it('the figures table lists the 16 most frequent exit causes and sums the rest; --stats-json keeps every one', async () => {
    // 20 distinct GICD registers read once each (GICD_IPRIORITYR0..19), then PSCI SYSTEM_OFF.
    const dir = mkdtempSync(join(tmpdir(), 'hyp-'));
    const src = `movz x1, #0x0800, lsl #16\n${Array.from({ length: 20 }, (_, k) => `ldr w2, [x1, #${0x400 + 4 * k}]`).join('\n')}\nmovz x0, #0x0008\nmovk x0, #0x8400, lsl #16\nhvc #0\n`;
    writeFileSync(`${dir}/g.S`, src);
    const r = await cli(['run', `${dir}/g.S`, '--hyp', '--stats-json', `${dir}/s.json`]);
    expect(r.code).toBe(0);
    const rows = r.err.split('\n').filter((l) => /│\s{5}\S/.test(l));
    expect(rows.length).toBe(17);
    expect(r.err).toMatch(/5 other causes\s*│ 5 \(each listed in --stats-json\)/);
    const j = JSON.parse(readFileSync(`${dir}/s.json`, 'utf8'));
    expect(Object.keys(j.hyp.vms[0].exits.byCause).length).toBe(21);
  });
  it('several guests start one VM each; output lines carry the VM name; the status is the guest\'s', async () => {
    const r = await cli(['run', `${G}build/hello.elf`, `${G}build/el0-svc.elf`, '--hyp', '-q', '--no-hyp-vmid-tagging']);
    expect(r.code).toBe(42); // el0-svc exits with 42
    expect(r.out).toContain('[vm0] Hello from a64hv!');
    expect(r.out.split('\n').filter((l) => l !== '').every((l) => /^\[vm[01]\] /.test(l))).toBe(true);
  });
  it('--hyp-trace prints each exit with its decoded syndrome', async () => {
    const r = await cli(['run', `${G}build/hello.elf`, '--hyp', '-q', '--hyp-trace']);
    expect(r.err.split('\n').filter((l) => l.startsWith('exit ')).length).toBe(131);
    expect(r.err).toContain('ISV=1 SAS=2 (4 B) SSE=0 SRT=3 (w3) SF=0 AR=0 WnR=0');
  });
  it('rejects bad policies, meaningless options and several guests without --hyp (status 2)', async () => {
    for (const args of [
      ['--hyp', '--hyp-ram', 'sometimes'],
      ['--hyp', '--hyp-isv0', 'ignore'],
      ['--hyp', '--hyp-slice', '0'],
      ['--hyp', '--trace'],
      [`${G}build/hello.elf`],
    ]) {
      const r = await cli(['run', `${G}build/hello.elf`, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/^a64hv: error: /);
    }
  });
  it('--hyp-config sets per-VM names and policies; the file is validated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hyp-'));
    writeFileSync(
      `${dir}/m.json`,
      JSON.stringify({ slice: 500, vmidTagging: false, assignRtc: null, vms: [{ name: 'alpha', ram: '32M', ramPolicy: 'lazy' }, { name: 'beta', isv0: 'inject' }] }),
    );
    const r = await cli(['run', `${G}build/hello.elf`, `${G}build/hello.elf`, '--hyp', '--hyp-config', `${dir}/m.json`, '--stats-json', `${dir}/s.json`, '-q']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('[alpha] Hello');
    expect(r.out).toContain('[beta] Hello');
    const j = JSON.parse(readFileSync(`${dir}/s.json`, 'utf8')).hyp;
    expect([j.slice, j.vmidTagging]).toEqual([500, false]);
    expect(j.vms.map((v: { ramPolicy: string; isv0Policy: string }) => [v.ramPolicy, v.isv0Policy])).toEqual([['lazy', 'emulate'], ['eager', 'inject']]);
    expect(j.vms[0].assigned.map((a: { name: string }) => a.name)).toEqual(['gicv']); // no RTC (assignRtc: null)
    for (const bad of ['{"vms":[{"ramPolicy":"maybe"}]}', '{"slise":5}', '{"vms":[{},{},{}]}', 'nope', '{"assignRtc":{"vm":0,"ipa":"0x123"}}']) {
      writeFileSync(`${dir}/bad.json`, bad);
      const e = await cli(['run', `${G}build/hello.elf`, '--hyp', '--hyp-config', `${dir}/bad.json`, '-q']);
      expect(e.code, bad).toBe(2);
      expect(e.err).toContain('bad.json');
    }
  });
});
