// Under the hypervisor: each VM owns its self-hosted debug state (MDCR_EL2 = 0: no traps), the
// world switch saves and restores the debug registers with the rest of the EL1 context, and the
// run loop's guest-debug state is re-derived on entry (contextChanged). Two VMs run the debug
// guest interleaved in short slices; each prints exactly what QEMU printed for it alone.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runVms } from '../hyp/hyp-helpers.js';
import { expandIncludes } from '../../src/loader/asm-include.js';

// The guest's source with its `.include "lib/…"` helpers expanded (runVms assembles text).
const PATH = fileURLToPath(new URL('../../guests/asm/debug.S', import.meta.url));
const SRC = expandIncludes(readFileSync(PATH, 'utf8'), 'debug.S', dirname(PATH), PATH).lines.join('\n');
const WANT = readFileSync(new URL('../../guests/expected/debug.txt', import.meta.url), 'latin1');

describe('self-hosted debug per VM', () => {
  it('two VMs breakpointing, watching and stepping in 300-instruction slices each see only their own debug events', async () => {
    const out = ['', ''];
    const r = await runVms([SRC, SRC], { slice: 300, onOutput: (vm, t) => (out[vm.id] += t) }, 2_000_000);
    expect(r.hv.switches).toBeGreaterThan(20);
    expect(out[0]).toBe(WANT);
    expect(out[1]).toBe(WANT);
  });
});
