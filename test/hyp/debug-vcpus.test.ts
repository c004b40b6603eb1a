// The debugger (`repl --hyp --hyp-config`) with a VM of several vCPUs: `vm` lists each vCPU with
// its MPIDR, power state and PC, marking the one on the CPU.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli.js';
import { counter } from './vcpu-guests.js';

describe('repl --hyp with a 2-vCPU VM', () => {
  it('vm lists the vCPUs, the one on the CPU marked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dbg-vcpus-'));
    writeFileSync(`${dir}/c.S`, counter(2, 50, true));
    writeFileSync(`${dir}/m.json`, JSON.stringify({ slice: 7, vms: [{ vcpus: 2, ram: '16M' }] }));
    writeFileSync(`${dir}/s.txt`, 'vm\nstep 60\nvm\n');
    let out = '';
    const code = await main(['repl', `${dir}/c.S`, '--hyp', '--hyp-config', `${dir}/m.json`, '--script', `${dir}/s.txt`], {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: () => {} },
    });
    expect(code).toBe(0);
    const parts = out.split('(a64hv) ').filter((p) => p.startsWith('vm\n'));
    expect(parts[0]).toMatch(/\* VM 0 vm0 {2}VMID 1 {2}vCPU 0 .*\n {4}\* vCPU 0 {2}MPIDR 0x80000000 {2}on {2}pc 0x40000000 {2}0 instructions {2}exits 0\n {6}vCPU 1 {2}MPIDR 0x80000001 {2}off/);
    // After 60 steps with slices of 7 both vCPUs have run (CPU_ON early in vCPU 0's first slices).
    expect(parts[1]).toMatch(/ {6}vCPU \d {2}MPIDR 0x8000000\d {2}on {2}pc 0x4000[0-9a-f]+ {2}\d+ instructions/);
    expect(parts[1]).toMatch(/\* vCPU \d/);
    expect(parts[1]).not.toMatch(/off/);
  });
});
