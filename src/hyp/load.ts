// Loading a guest image into a VM's IPA space (the same kinds as the bare-metal loader: ELF by
// content, .S/.s assembled with keystone, anything else raw at 0x4000_0000). The bytes land in the
// VM's RAM wherever stage 2 puts it; the loaded pages count as touched.
import { basename } from 'node:path';
import { readGuestFile, UserError } from '../loader/index.js';
import { isElf, parseElf, loadElfSegments } from '../loader/elf.js';
import { assembleSource } from '../loader/asm.js';
import type { Vm } from './vm.js';
import { IPA_RAM } from './vm.js';

/** Load `path` into `vm`; returns the entry point (an IPA/VA: the guest starts with its MMU off). */
export async function loadIntoVm(vm: Vm, path: string): Promise<number> {
  const data = await readGuestFile(path);
  const name = basename(path);
  if (isElf(data)) {
    const elf = parseElf(data, name);
    loadElfSegments(elf, data, { base: IPA_RAM, size: vm.config.ramSize, load: (ipa, d) => vm.load(ipa, d) }, name);
    return Number(elf.entry);
  }
  if (/\.s$/i.test(path)) {
    const img = await assembleSource(new TextDecoder().decode(data), name);
    vm.load(Number(img.base), img.code);
    return Number(img.entry);
  }
  if (data.length === 0) throw new UserError(`${name}: empty file`);
  if (data.length > vm.config.ramSize) throw new UserError(`${name}: larger than the VM's RAM`);
  vm.load(IPA_RAM, data);
  return IPA_RAM;
}
