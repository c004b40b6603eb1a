// `--dtb FILE`: a device tree the user supplies instead of the generated one (QEMU's -dtb). The
// blob is validated (readFdt checks every offset and length: any file gives a one-line error),
// and, like QEMU, a64hv still writes the boot's /chosen into it: bootargs from --append and the
// initrd's range, so one tree serves different kernels and initrds.
import { readFdt, writeFdt, type FdtNode, type ParsedFdt, encodeValue } from './fdt.js';
import { readInputFile } from './input-file.js';
import { DTB_MAX } from './linux.js';
import { UserError } from '../errors.js';
import type { LinuxChosen } from './linux.js';

export interface UserDtb {
  name: string;
  tree: ParsedFdt;
}

/** Check a blob as a device tree; a UserError naming the file otherwise. */
export function parseUserDtb(blob: Uint8Array, name: string): UserDtb {
  if (blob.length > DTB_MAX) throw new UserError(`--dtb ${name}: ${blob.length} bytes exceeds the 2 MiB booting.rst allows`);
  try {
    return { name, tree: readFdt(blob) };
  } catch (e) {
    throw new UserError(`--dtb ${name}: ${(e as Error).message}`);
  }
}

/** Read and validate `--dtb FILE` (a regular file of at most 2 MiB). */
export async function readUserDtb(path: string): Promise<UserDtb> {
  return parseUserDtb(await readInputFile(path, DTB_MAX, 'a device tree may be'), path);
}

/**
 * The user's tree with the boot's /chosen written in (created if absent): bootargs when given,
 * linux,initrd-start/-end (two cells each, as QEMU writes them for #address-cells = 2) when an
 * initrd is placed. Other properties of /chosen (stdout-path...) stay as the file has them.
 */
export function userDtbWithChosen(dtb: UserDtb, chosen: Partial<LinuxChosen>): Uint8Array {
  const root = cloneNode(dtb.tree.root);
  let ch = root.children.find((c) => c.name === 'chosen');
  if (ch === undefined) {
    ch = { name: 'chosen', props: new Map(), children: [] };
    root.children.push(ch);
  }
  if (chosen.bootargs) ch.props.set('bootargs', encodeValue(chosen.bootargs));
  if (chosen.initrd) {
    ch.props.set('linux,initrd-start', encodeValue({ u64: [chosen.initrd.start] }));
    ch.props.set('linux,initrd-end', encodeValue({ u64: [chosen.initrd.end] }));
  }
  const out = writeFdt(root, dtb.tree.reservations, dtb.tree.header.bootCpuidPhys);
  if (out.length > DTB_MAX) throw new UserError(`--dtb ${dtb.name}: with /chosen filled in, the tree exceeds 2 MiB`);
  return out;
}

function cloneNode(n: FdtNode): FdtNode {
  return { name: n.name, props: new Map(n.props), children: n.children.map(cloneNode) };
}
