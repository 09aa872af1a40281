/** Domain errors with stable codes; the web layer maps them to GOV.UK error pages. */
export class DomainError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
  }
}

/** Also used for records outside the actor's scope: they must be indistinguishable from missing ones. */
export class NotFoundError extends DomainError {
  constructor(message = 'Not found') {
    super('not_found', 404, message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'Forbidden') {
    super('forbidden', 403, message);
  }
}

export class ConflictError extends DomainError {
  constructor(message = 'The record was changed by someone else') {
    super('conflict', 409, message);
  }
}

export type FieldError = { readonly field: string; readonly message: string };

export class InvalidInputError extends DomainError {
  readonly errors: readonly FieldError[];
  constructor(errors: readonly FieldError[]) {
    super('invalid_input', 400, errors.map((e) => `${e.field}: ${e.message}`).join('; '));
    this.errors = errors;
  }
}
