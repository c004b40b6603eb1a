// Branch prediction for the detailed profiles: a gshare direction predictor (two-bit saturating
// counters indexed by PC xor global history; with historyBits 0 it is a bimodal predictor), a
// return stack for RET, and a last-target table for other indirect branches. Direct branch
// targets come from the BTB, assumed always to hold them (the taken-branch bubble is charged).
// Deterministic: the state depends only on the branches the guest executed.

export class BranchPredictor {
  private readonly counters: Uint8Array;
  private readonly mask: number;
  private readonly histMask: number;
  private history = 0;
  private readonly ras: Float64Array;
  private rasTop = 0; // number of valid entries (a circular stack that overwrites the oldest)
  private rasPos = 0;
  private readonly targets: Float64Array;
  private readonly tmask: number;
  /** Conditional and indirect branches predicted, and those mispredicted (PMU BR_PRED / BR_MIS_PRED). */
  predicted = 0;
  mispredicted = 0;

  constructor(bits: number, historyBits: number, readonly rasDepth: number, indirectBits: number) {
    this.counters = new Uint8Array(1 << bits).fill(1); // weakly not-taken
    this.mask = (1 << bits) - 1;
    this.histMask = historyBits > 0 ? (1 << historyBits) - 1 : 0;
    this.ras = new Float64Array(Math.max(rasDepth, 1));
    this.targets = new Float64Array(1 << indirectBits).fill(-1);
    this.tmask = (1 << indirectBits) - 1;
  }

  /** A conditional branch at `pc` (low 32 bits of the VA) resolved `taken`. Returns true if mispredicted. */
  conditional(pc: number, taken: boolean): boolean {
    const i = ((pc >>> 2) ^ this.history) & this.mask;
    const c = this.counters[i];
    const predictTaken = c >= 2;
    // Two-bit saturating counter: two wrong outcomes in a row are needed to flip a strong state.
    this.counters[i] = taken ? (c < 3 ? c + 1 : 3) : c > 0 ? c - 1 : 0;
    this.history = ((this.history << 1) | (taken ? 1 : 0)) & this.histMask;
    this.predicted++;
    if (predictTaken !== taken) {
      this.mispredicted++;
      return true;
    }
    return false;
  }

  /** BL/BLR: push the return address. */
  call(ret: number): void {
    if (this.rasDepth === 0) return;
    this.ras[this.rasPos] = ret;
    this.rasPos = (this.rasPos + 1) % this.rasDepth;
    if (this.rasTop < this.rasDepth) this.rasTop++;
  }

  /** RET to `target`: predicted from the return stack. Returns true if mispredicted. */
  ret(target: number): boolean {
    this.predicted++;
    let predicted = -1;
    if (this.rasTop > 0) {
      this.rasPos = (this.rasPos + this.rasDepth - 1) % this.rasDepth;
      predicted = this.ras[this.rasPos];
      this.rasTop--;
    }
    if (predicted !== target) {
      this.mispredicted++;
      return true;
    }
    return false;
  }

  /** BR/BLR at `pc` to `target`: predicted as the last target seen at that PC. */
  indirect(pc: number, target: number): boolean {
    this.predicted++;
    const i = (pc >>> 2) & this.tmask;
    const hit = this.targets[i] === target;
    this.targets[i] = target;
    if (!hit) {
      this.mispredicted++;
      return true;
    }
    return false;
  }

  resetStats(): void {
    this.predicted = 0;
    this.mispredicted = 0;
  }
}
