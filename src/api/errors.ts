// The API's one error type: a bad argument or a request the machine cannot meet, with a one-line
// message. Guest behaviour (faults, exceptions) is never an ApiError: it is what the guest sees.
export class ApiError extends Error {
  /** The CLI (a client of this API) reports it as a user error: one line, exit status 2 (src/errors.ts isUserError). */
  readonly userError = true;
  constructor(message: string) {
    super(message);
    this.name = 'ApiError';
  }
}
