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

/** One field of a record as saved by someone else, beside what this person tried to save. */
export type ConflictField = { readonly label: string; readonly saved: string; readonly yours: string };

/**
 * Optimistic concurrency: the record's version moved on since the form was loaded. Carries both
 * versions of every field that differs, so the conflict page can show them side by side and nothing
 * typed is lost.
 */
export class VersionConflictError extends ConflictError {
  readonly fields: readonly ConflictField[];
  readonly backLink: string | undefined;
  constructor(fields: readonly ConflictField[], backLink?: string) {
    super();
    this.fields = fields;
    this.backLink = backLink;
  }
}

/**
 * The fields that differ between the saved record and the submitted one, labelled for people.
 * `labels` maps a key to its label; values are shown as text (null/undefined as "(blank)").
 */
export function differingFields(
  labels: Readonly<Record<string, string>>,
  saved: Readonly<Record<string, unknown>>,
  yours: Readonly<Record<string, unknown>>,
): ConflictField[] {
  const show = (value: unknown): string => {
    if (value === null || value === undefined || value === '') return '(blank)';
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    if (Array.isArray(value)) return value.length === 0 ? '(blank)' : value.map(String).join(', ');
    if (typeof value === 'boolean') return value ? 'Yes' : 'No';
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'bigint') return value.toString();
    return JSON.stringify(value) ?? '';
  };
  return Object.entries(labels)
    .filter(([key]) => key in yours && show(saved[key]) !== show(yours[key]))
    .map(([key, label]) => ({ label, saved: show(saved[key]), yours: show(yours[key]) }));
}
