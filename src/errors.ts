// Errors caused by the user's input (bad files, flags, guest images), as opposed to bugs in the
// emulator. The CLI prints their one-line message without a stack trace and exits with code 2.

export class UserError extends Error {
  readonly userError = true;
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

export function isUserError(e: unknown): e is Error & { userError: true } {
  return e instanceof Error && (e as { userError?: unknown }).userError === true;
}

export function hex(v: number | bigint): string {
  return '0x' + v.toString(16);
}
