// The detailed model's figures as rows of the CLI's figures table (src/cli.ts).
import type { Cpu } from '../cpu.js';

function pct(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(2)}%` : '-';
}

/** Rows for a PE with a detailed profile (none otherwise). */
export function cycleModelRows(cpu: Cpu): string[][] {
  const m = cpu.timed;
  if (m === null) return [];
  const c = m.counts();
  const n = (v: number): string => v.toLocaleString('en-US');
  return [
    ['L1I', `${n(c.l1iAccesses)} accesses, ${n(c.l1iRefills)} refills (${pct(c.l1iRefills, c.l1iAccesses)})`],
    ['L1D', `${n(c.l1dAccesses)} accesses, ${n(c.l1dRefills)} refills (${pct(c.l1dRefills, c.l1dAccesses)}), ${n(c.l1dWritebacks)} write-backs, ${n(c.l1dPrefetches)} prefetched lines`],
    ['L2', `${n(c.l2Accesses)} accesses, ${n(c.l2Refills)} refills (${pct(c.l2Refills, c.l2Accesses)}), ${n(c.l2Writebacks)} write-backs`],
    ['branches', `${n(c.branchesPredicted)} predicted, ${n(c.branchesMispredicted)} mispredicted (${pct(c.branchesMispredicted, c.branchesPredicted)})`],
    ['stalls', `${n(c.stallFrontend)} front-end, ${n(c.stallBackend)} back-end cycles${c.dualIssued > 0 ? `; ${n(c.dualIssued)} dual-issued` : ''}`],
  ];
}
