// The app's one error type for mistakes a person or client can make, with a stable code,
// an HTTP status and a message fit to show. Anything else reaching the error handler is a bug.
export class RequestError extends Error {
  override name = 'RequestError';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function assertThat(condition: unknown, code: string, message: string, status = 400): asserts condition {
  if (!condition) throw new RequestError(code, status, message);
}
