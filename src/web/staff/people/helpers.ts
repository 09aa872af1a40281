import type { FastifyRequest } from 'fastify';
import type { DatePart, FormSource } from '../../../modules/people/person-form.ts';
import { FormInputError } from '../../../modules/people/person-form.ts';
import type { InvalidInputError } from '../../../platform/errors.ts';
import { field, fieldList, formErrors, type FormErrors } from '../../forms.ts';

/** The posted form, read field by field (strings trimmed to a sensible length). */
export function formSource(request: FastifyRequest): FormSource {
  return { get: (name) => field(request.body, name, 2000), list: (name) => fieldList(request.body, name) };
}

export type PageErrors = FormErrors & { readonly dateParts: Readonly<Record<string, readonly DatePart[]>> };

/**
 * Errors for the page: the summary links each message to its field. A date links to the first part
 * that is wrong ("#dateOfBirth-month"); radios and checkboxes to their first option (the idPrefix).
 */
export function pageErrors(error: InvalidInputError): PageErrors {
  const dateParts = error instanceof FormInputError ? error.dateParts : {};
  const ids: Record<string, string> = {};
  for (const [name, parts] of Object.entries(dateParts)) ids[name] = `${name}-${parts[0] ?? 'day'}`;
  return { ...formErrors(error.errors, ids), dateParts };
}

/** Items for GOV.UK radios or a select, from a code list, with the chosen one marked. */
export function choices(
  list: Readonly<Record<string, string>>,
  selected: string,
  kind: 'checked' | 'selected' = 'checked',
) {
  return Object.entries(list).map(([value, text]) => ({ value, text, [kind]: value === selected }));
}

/** Checkbox items, with every chosen one ticked. */
export function checkboxes(list: Readonly<Record<string, string>>, selected: readonly string[]) {
  return Object.entries(list).map(([value, text]) => ({ value, text, checked: selected.includes(value) }));
}

/** The version the form was opened at; a missing or garbled one never matches. */
export function postedVersion(request: FastifyRequest): number {
  const value = Number.parseInt(field(request.body, 'version', 12), 10);
  return Number.isFinite(value) ? value : -1;
}
