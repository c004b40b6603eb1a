// The hypervisor's part of `npm start` (the CLI's `demo` command calls runHypDemo): the seed
// scenario. A guest at EL1 with its own stage-1 MMU on reads the virtual PL011's receive FIFO; each
// UART access misses in stage 2 and exits to the hypervisor, which decodes ESR_EL2 (ISV, SAS, SSE,
// SRT, SF, AR, WnR), rebuilds the IPA from HPFAR_EL2 and FAR_EL2, emulates the register, writes Xt
// and returns past the instruction. The first exit of each kind is shown decoded (all of them with
// `verbose`), the exit counts at the end; then two VMs with the same ASIDs share the CPU; then DMA
// isolation: a VM given the DMA engine, the SMMU translating its StreamID by the VM's stage 2,
// against the same guests with the SMMU in bypass (dma-scenario.ts).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Sink } from '../cli.js';
import { Hypervisor } from './hypervisor.js';
import { loadIntoVm } from './load.js';
import { exitTable, formatExit, formatSmmuEvent, prefixer } from './cli-hyp.js';
import { runDmaScenario, type DmaScenario } from './dma-scenario.js';
import type { SmmuMode } from './hypervisor.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const HYP_DEMO_GUEST = join(ROOT, 'guests', 'build', 'hyp-echo.elf');
export const HYP_DEMO_INPUT = join(ROOT, 'guests', 'expected', 'hyp-echo.in');
export const HYP_DEMO_PAIR = join(ROOT, 'guests', 'asm', 'hyp-asid.S');

export async function runHypDemo(io: { stdout: Sink; stderr: Sink }, verbose = false): Promise<number> {
  const err = io.stderr;
  err.write(
    '\n== the hypervisor: guests/build/hyp-echo.elf as a VM, its PL011 emulated by trap ==\n' +
      'UART input (as if typed): ' + JSON.stringify(readFileSync(HYP_DEMO_INPUT, 'utf8')) + '\n' +
      (verbose ? 'every exit, decoded:\n' : 'the first exit of each kind, decoded (all of them: a64hv run --hyp --hyp-trace):\n'),
  );
  const seen = new Set<string>();
  let n = 0;
  // Guest output by whole lines, so that exit lines (stderr) never split one.
  const lines = prefixer(io.stdout, () => '');
  const hv = new Hypervisor({
    vms: [{ name: 'vm0', uartInput: readFileSync(HYP_DEMO_INPUT, 'utf8') }],
    onOutput: lines.write,
    onExit: (e) => {
      n++;
      if (verbose || !seen.has(e.cause)) err.write(formatExit(e, n));
      seen.add(e.cause);
    },
  });
  hv.boot(hv.vms[0], await loadIntoVm(hv.vms[0], HYP_DEMO_GUEST));
  let t0 = performance.now();
  let r = hv.run(10_000_000);
  lines.flush();
  err.write(exitTable(hv, r.instructions, performance.now() - t0));
  const code = hv.vms[0].stop?.kind === 'error' ? 1 : 0;

  err.write('\n== two VMs, same image, same ASID (guests/asm/hyp-asid.S), VMID-tagged TLB ==\n');
  const tagged = prefixer(io.stdout);
  const pair = new Hypervisor({
    vms: [{ name: 'vm0', ramSize: 32 << 20 }, { name: 'vm1', ramSize: 32 << 20 }],
    onOutput: tagged.write,
  });
  for (const vm of pair.vms) pair.boot(vm, await loadIntoVm(vm, HYP_DEMO_PAIR));
  t0 = performance.now();
  r = pair.run(10_000_000);
  tagged.flush();
  err.write(exitTable(pair, r.instructions, performance.now() - t0));
  const pairCode = pair.vms.some((v) => v.stop?.kind === 'error') ? 1 : 0;
  return code || pairCode || (await dmaDemo(io));
}

/**
 * The DMA act: the same two scenarios with the SMMU translating the engine's StreamID by the
 * VM's stage 2, then in bypass. Guest output on stdout, the SMMU's event records on stderr.
 */
async function dmaDemo(io: { stdout: Sink; stderr: Sink }): Promise<number> {
  const err = io.stderr;
  const acts: [DmaScenario, SmmuMode, string][] = [
    ['copy', 'stage2', 'guests/asm/hyp-dma.S copies a buffer with its DMA engine, by IPAs; the SMMU translates them by its stage 2'],
    ['attack', 'stage2', 'guests/asm/hyp-dma-evil.S (VM 1, the engine) attacks the hypervisor and VM 0 (hyp-dma-victim.S) by PAs'],
    ['copy', 'bypass', 'the same copy with the SMMU in bypass (STE.Config = bypass): the IPAs are used as PAs'],
    ['attack', 'bypass', 'the same attacks with the SMMU in bypass'],
  ];
  let code = 0;
  for (const [kind, mode, what] of acts) {
    err.write(`\n== DMA isolation, SMMU ${mode === 'stage2' ? 'on (stage 2)' : 'in BYPASS'}: ${what} ==\n`);
    const lines = prefixer(io.stdout);
    let n = 0;
    const hv = await runDmaScenario(kind, mode, { onOutput: lines.write, onSmmuEvent: (vm, e) => err.write(formatSmmuEvent(vm, e, ++n)) });
    lines.flush();
    const dma = hv.machine.dma!.stats;
    const s = hv.machine.smmu!.stats();
    err.write(
      `   engine: ${dma.transfers} transfers, ${dma.bytes} bytes, ${dma.errors} aborted; SMMU: ${s.translations} translations, ` +
        `IOTLB ${s.iotlb.hits} hits / ${s.iotlb.misses} misses, ${s.walks.s2Walks} stage-2 walks, ${hv.iommu!.eventsTotal} event records\n`,
    );
    if (hv.vms.some((v) => v.stop?.kind === 'error')) code = 1;
  }
  return code;
}
