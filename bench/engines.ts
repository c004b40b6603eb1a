// Engines side by side (`npm run bench:engines`): the same workloads under the interpreter and the
// translating engine, each run in a fresh Node process, timed as whole-process CPU time (user +
// system, so V8's background compiler threads count), the median of --runs runs, with the counts
// that must agree printed next to the times.
//   npx tsx bench/engines.ts [--only loop|sort-large|linux] [--max-insns N] [--runs 3]
// One run: npx tsx bench/engines.ts --child linux --engine jit [--threshold N]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Machine } from '../src/machine.js';
import { loadImage } from '../src/loader/index.js';
import { loadLinux } from '../src/loader/linux.js';
import { virtBoardDtb } from '../src/loader/virt-dt.js';
import { mmuOf } from '../src/mmu/translate.js';
import type { EngineName } from '../src/cpu/jit/engine.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const args = process.argv.slice(2);
const opt = (k: string): string | undefined => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);

/** One run in this process (the child): prints a JSON line. */
async function child(work: string, engine: EngineName, maxInsns: number): Promise<void> {
  let m: Machine;
  if (work === 'linux') {
    const { buildInitramfs } = await import('../test/loader/linux-initramfs.js');
    m = new Machine({ ramSize: 128 * 1024 * 1024, semihosting: false, engine });
    const initrd = await buildInitramfs();
    const b = loadLinux(m.bus, new Uint8Array(readFileSync(`${ROOT}.cache/linux/Image`)), 'kernel', { initrd, append: 'console=ttyAMA0 panic=-1 cryptomgr.notests' }, (c) =>
      virtBoardDtb({ ramBase: m.bus.ramBase, ramSize: m.bus.ramSize }, c),
    );
    m.noteLoaded(b.end);
    m.boot(BigInt(b.entry));
    m.cpu.writeX(0, BigInt(b.dtb));
  } else {
    m = new Machine({ uartInput: '', engine });
    const img = await loadImage(m, `${ROOT}guests/build/${work}.elf`);
    m.boot(img.entry);
  }
  if (opt('--threshold') !== undefined) m.cpu.jit.threshold = Number(opt('--threshold'));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  m.run(maxInsns);
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const tlb = JSON.stringify(mmuOf(m.cpu).tlb.snapshot());
  const j = m.cpu.jit;
  console.log(
    JSON.stringify({ cpuMs: (c.user + c.system) / 1000, wallMs: wall, instret: m.cpu.instret, cycles: m.cpu.cycles, tlbLen: tlb.length, tlbHash: hash(tlb), regions: j.regionsCompiled }),
  );
}

function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 0x01000193);
  return h >>> 0;
}

if (opt('--child') !== undefined) {
  await child(opt('--child')!, opt('--engine') as EngineName, Number(opt('--max-insns') ?? 2e9));
} else {
  const runs = Number(opt('--runs') ?? 3);
  const maxInsns = opt('--max-insns') ?? '2000000000';
  const works = opt('--only') !== undefined ? [opt('--only')!] : ['loop', 'sort-large', 'linux'];
  for (const w of works) {
    if (w === 'linux' && !existsSync(`${ROOT}.cache/linux/Image`)) {
      console.log('linux: no kernel at .cache/linux/Image, skipped');
      continue;
    }
    const med: Record<string, number> = {};
    for (const engine of ['interp', 'jit'] as EngineName[]) {
      const rs: { cpuMs: number; wallMs: number; instret: number; cycles: number; tlbHash: number; regions: number }[] = [];
      for (let k = 0; k < runs; k++) {
        const p = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', w, '--engine', engine, '--max-insns', maxInsns], {
          encoding: 'utf8',
          maxBuffer: 1 << 26,
        });
        const line = p.stdout.trim().split('\n').pop() ?? '';
        if (p.status !== 0 || !line.startsWith('{')) throw new Error(`${w} ${engine}: ${p.stderr}`);
        rs.push(JSON.parse(line));
      }
      const cpu = rs.map((r) => r.cpuMs).sort((a, b) => a - b)[runs >> 1];
      med[engine] = cpu;
      const r = rs[0];
      console.log(
        `${w.padEnd(10)} ${engine.padEnd(6)} median CPU ${(cpu / 1000).toFixed(2).padStart(7)} s  (runs: ${rs.map((x) => (x.cpuMs / 1000).toFixed(2)).join(' ')})  ` +
          `${(r.instret / cpu / 1000).toFixed(1)} MIPS/CPU  insns ${r.instret} cycles ${r.cycles} tlb#${r.tlbHash.toString(16)} regions ${r.regions}`,
      );
    }
    console.log(`${w.padEnd(10)} jit/interp speed-up ${(med.interp / med.jit).toFixed(2)}x`);
  }
}
