// Options that would do nothing in the run asked for: a one-line warning on stderr each (the run
// goes on), so a typo'd or misplaced flag is not silently ignored.
export interface IgnorableOptions {
  hyp?: boolean;
  hypRam?: string;
  hypIsv0?: string;
  hypSlice?: string;
  hypTrace?: boolean;
  hypConfig?: string;
  hypTraps?: string;
  hypSmmu?: string;
  hypVmidTagging?: boolean;
  smp?: string;
  smpQuantum?: string;
  semihosting?: boolean;
  cmdline?: string;
}

/** The warnings for `opts` (empty when every option given has an effect). */
export function ignoredOptionWarnings(o: IgnorableOptions): string[] {
  const out: string[] = [];
  if (!o.hyp) {
    const hypOnly: [string, unknown][] = [
      ['--hyp-ram', o.hypRam],
      ['--hyp-isv0', o.hypIsv0],
      ['--hyp-slice', o.hypSlice],
      ['--hyp-trace', o.hypTrace],
      ['--hyp-config', o.hypConfig],
      ['--hyp-traps', o.hypTraps],
      ['--hyp-smmu', o.hypSmmu],
      ['--no-hyp-vmid-tagging', o.hypVmidTagging === false ? true : undefined],
    ];
    for (const [flag, v] of hypOnly) if (v !== undefined && v !== false) out.push(`${flag} does nothing without --hyp`);
  }
  if (o.smpQuantum !== undefined && (o.smp === undefined || o.smp === '1')) out.push('--smp-quantum does nothing with one PE (add --smp N)');
  if (o.cmdline !== undefined && o.semihosting === false) out.push('--cmdline does nothing with --no-semihosting (SYS_GET_CMDLINE is a semihosting call)');
  return out;
}
