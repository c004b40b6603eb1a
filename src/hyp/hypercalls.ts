// The hypervisor's own hypercalls (HVC #0 from EL1), in the SMC Calling Convention's "Vendor
// Specific Hypervisor Service" range (DEN0028: Owning Entity Number 6, fast calls): function ID in
// W0, arguments in X1..X3, results in X0 (and X1). Both the SMC32 (0x86000000 + n) and SMC64
// (0xC6000000 + n) IDs are accepted. PSCI (0x84000000 / 0xC4000000 ranges) is handled in psci.ts.
//
// | ID (SMC64)  | name              | arguments  | returns                                          |
// |-------------|-------------------|------------|--------------------------------------------------|
// | 0xC6000000  | A64HV_VERSION     | -          | X0 = 0x00010000 (1.0)                           |
// | 0xC6000001  | A64HV_VM_INFO     | -          | X0 = VM number (1..), X1 = number of VMs, X2 = its VMID |
// | 0xC6000002  | A64HV_PUTC        | X1 = byte  | X0 = 0; the byte goes to the VM's console       |
// | 0xC6000003  | A64HV_YIELD       | -          | X0 = 0; the rest of the time slice goes to the next VM |
// | 0xC6000004  | A64HV_EXIT_COUNT  | -          | X0 = exits this VM took so far (this one excluded) |
// | 0xC6000005  | A64HV_DMA_CD      | X1 = IPA of a CD, or 0 | X0 = 0: the VM's DMA stream is translated by its own stage 1 (that CD) then stage 2 (nested STE); 0: back to stage 2 only. -1 no DMA stream (or bypass), -2 X1 not 64-byte aligned |
// | anything else in the range | | | X0 = -1 (SMCCC NOT_SUPPORTED)                          |

export const A64HV_VERSION = 0xc600_0000;
export const A64HV_VM_INFO = 0xc600_0001;
export const A64HV_PUTC = 0xc600_0002;
export const A64HV_YIELD = 0xc600_0003;
export const A64HV_EXIT_COUNT = 0xc600_0004;
export const A64HV_DMA_CD = 0xc600_0005;
/** SMCCC INVALID_PARAMETER. */
export const SMCCC_INVALID_PARAMETER = -2;
export const A64HV_VERSION_1_0 = 0x0001_0000;
/** SMCCC NOT_SUPPORTED. */
export const SMCCC_NOT_SUPPORTED = -1;

/** Owning entity [29:24] of a function ID. */
export const owningEntity = (fid: number): number => (fid >>> 24) & 0x3f;
/** The SMC64 form of a function ID (bit 30 set), unsigned. */
export const asSmc64 = (fid: number): number => (fid | 0x4000_0000) >>> 0;
/** Is `fid` a fast call of the hypervisor's own service? */
export const isA64hvCall = (fid: number): boolean => (fid & 0x8000_0000) !== 0 && owningEntity(fid) === 6;
/** Is `fid` in the PSCI range (Standard Secure Service, OEN 4, functions 0x00-0x1F)? */
export const isPsciCall = (fid: number): boolean => (fid & 0x8000_0000) !== 0 && owningEntity(fid) === 4 && (fid & 0xffff) <= 0x1f;
