// Typed domain errors. Services throw these; one handler (platform/http.ts) maps them to an HTTP status and a
// stable code that clients can rely on.

export type ErrorKind =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'invalid_state'
  | 'unavailable';

const statusByKind: Record<ErrorKind, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  invalid_state: 422,
  unavailable: 503,
};

export class DomainError extends Error {
  readonly kind: ErrorKind;
  /** Stable, dotted error code, e.g. `area.not_found`. */
  readonly code: string;
  readonly details: unknown;

  constructor(kind: ErrorKind, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'DomainError';
    this.kind = kind;
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return statusByKind[this.kind];
  }
}

export interface FieldIssue {
  field: string;
  message: string;
}

export const errors = {
  validation: (code: string, message: string, issues?: FieldIssue[]) =>
    new DomainError('validation', code, message, issues ? { issues } : undefined),
  unauthenticated: (message = 'Please sign in.') => new DomainError('unauthenticated', 'auth.required', message),
  invalidCredentials: () => new DomainError('unauthenticated', 'auth.invalid_credentials', 'The username or password is wrong.'),
  forbidden: (code: string, message: string) => new DomainError('forbidden', code, message),
  /** Also used for records outside the caller's scope, so that their existence is not revealed. */
  notFound: (entity: string, id: string) => new DomainError('not_found', `${entity}.not_found`, `No ${entity} ${id} in your area.`),
  conflict: (code: string, message: string, details?: unknown) => new DomainError('conflict', code, message, details),
  rateLimited: (code: string, message: string) => new DomainError('rate_limited', code, message),
  invalidState: (code: string, message: string, details?: unknown) => new DomainError('invalid_state', code, message, details),
  unavailable: (code: string, message: string) => new DomainError('unavailable', code, message),
};

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}
