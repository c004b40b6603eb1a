// Waiting for the host: a guest asleep in WFI that only console input can wake makes the run
// loop return; the CLI then awaits the next event on its stdin stream (data or its end).
/** A promise that resolves at the next stdin event (data or end). */
export class InputWait {
  private waiter: (() => void) | null = null;
  next(): Promise<void> {
    return new Promise((res) => (this.waiter = res));
  }
  wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}
