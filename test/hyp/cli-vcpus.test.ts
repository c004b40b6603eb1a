// `a64hv run --hyp` with a VM of several vCPUs from --hyp-config: the guest's result, per-vCPU
// figures in the table and in --stats-json, and bad vCPU counts refused.
import { describe, it, expect } from 'vitest';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli.js';
import { counter } from './vcpu-guests.js';

const GUEST = new URL('../../guests/asm/hyp-vcpus.S', import.meta.url).pathname;
const EXPECTED = new URL('../../guests/expected/hyp-vcpus.txt', import.meta.url).pathname;

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

describe('a64hv run --hyp with "vcpus"', () => {
  it('runs a 2-vCPU VM: the exclusive-monitor counter is exact; per-vCPU instructions in the table and --stats-json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hyp-vcpus-'));
    writeFileSync(`${dir}/c.S`, counter(2, 100, true));
    writeFileSync(`${dir}/m.json`, JSON.stringify({ slice: 7, vms: [{ name: 'smp', vcpus: 2, ram: '16M' }] }));
    const r = await cli(['run', `${dir}/c.S`, '--hyp', '--hyp-config', `${dir}/m.json`, '--stats-json', `${dir}/s.json`]);
    expect(r.code).toBe(200); // semihosting exit with the counter: 2 x 100
    expect(r.err).toMatch(/vCPU 1 \(MPIDR 0x80000001\)\s*│ [\d,]+ instructions, \d+ exits, \d+ switches in, off/);
    const j = JSON.parse(readFileSync(`${dir}/s.json`, 'utf8')).hyp;
    const v = j.vms[0].vcpus as { index: number; mpidr: string; instructions: number; powerOns: number; on: boolean }[];
    expect(v.map((c) => [c.index, c.mpidr, c.powerOns])).toEqual([[0, '0x80000000', 0], [1, '0x80000001', 1]]);
    expect(v.every((c) => c.instructions > 400)).toBe(true);
    expect((v as unknown as { exits: number }[]).reduce((a, c) => a + c.exits, 0)).toBe(j.vms[0].exits.total);
    expect(v[0].instructions + v[1].instructions).toBe(JSON.parse(readFileSync(`${dir}/s.json`, 'utf8')).instructions);
  });
  it('a uniprocessor VM has no per-vCPU list (the JSON as before); bad counts are refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hyp-vcpus-'));
    writeFileSync(`${dir}/c.S`, counter(1, 10, true));
    const r = await cli(['run', `${dir}/c.S`, '--hyp', '--stats-json', `${dir}/s.json`, '-q']);
    expect(r.code).toBe(10);
    expect(JSON.parse(readFileSync(`${dir}/s.json`, 'utf8')).hyp.vms[0].vcpus).toBeUndefined();
    for (const bad of ['{"vms":[{"vcpus":0}]}', '{"vms":[{"vcpus":9}]}', '{"vms":[{"vcpus":"2"}]}', '{"vms":[{"vcpus":1.5}]}']) {
      writeFileSync(`${dir}/bad.json`, bad);
      const e = await cli(['run', `${dir}/c.S`, '--hyp', '--hyp-config', `${dir}/bad.json`, '-q']);
      expect(e.code, bad).toBe(2);
      expect(e.err).toMatch(/bad\.json: vms\[0\]\.vcpus must be an integer 1\.\.8/);
    }
  });
  it('guests/asm/hyp-vcpus.S prints the same on QEMU virt -smp 4 (expected file), on the board with --smp 4 and as a VM with 4 vCPUs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hyp-vcpus-'));
    const expected = readFileSync(EXPECTED, 'utf8');
    const board = await cli(['run', GUEST, '--smp', '4', '-q']);
    expect(board.code).toBe(0);
    expect(board.out).toBe(expected);
    writeFileSync(`${dir}/m.json`, JSON.stringify({ vms: [{ vcpus: 4, ram: '16M' }] }));
    const vm = await cli(['run', GUEST, '--hyp', '--hyp-config', `${dir}/m.json`, '-q']);
    expect(vm.code).toBe(0);
    expect(vm.out).toBe(expected);
    // Any count: 1 (no secondary) to 8 (the GICv2 limit), board and VM alike.
    for (const n of [1, 2, 8]) {
      writeFileSync(`${dir}/n.json`, JSON.stringify({ slice: 997, vms: [{ vcpus: n, ram: '16M' }] }));
      const b = await cli(['run', GUEST, '--smp', String(n), '-q']);
      const v = await cli(['run', GUEST, '--hyp', '--hyp-config', `${dir}/n.json`, '-q']);
      expect(v.out, `${n} vCPUs`).toBe(b.out);
      expect(v.out).toContain(`all ${n} CPUs said hello\n`);
      expect(v.out).not.toContain('FAILED');
    }
  });
});
