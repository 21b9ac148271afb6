// The app's one error type for mistakes a person or client can make, with a stable code,
// an HTTP status and a message fit to show (in English; pages word it from the catalogue's
// messages.<code>, or details.messageKey where one code has several sentences). Anything else reaching the error handler is a bug.
export class RequestError extends Error {
  override name = 'RequestError';
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown>;
  constructor(code: string, status: number, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

export function assertThat(condition: unknown, code: string, message: string, status = 400, details: Record<string, unknown> = {}): asserts condition {
  if (!condition) throw new RequestError(code, status, message, details);
}
