import type { FieldError } from '../platform/errors.ts';

/** Turns field errors into what the GOV.UK error summary and field macros want. */
export type FormErrors = {
  readonly summary: { text: string; href: string }[];
  readonly byField: Record<string, { text: string }>;
};

export function formErrors(errors: readonly FieldError[], fieldIds: Record<string, string> = {}): FormErrors {
  const byField: Record<string, { text: string }> = {};
  const summary: { text: string; href: string }[] = [];
  for (const error of errors) {
    if (byField[error.field]) continue;
    byField[error.field] = { text: error.message };
    summary.push({ text: error.message, href: `#${fieldIds[error.field] ?? error.field}` });
  }
  return { summary, byField };
}

/** Reads a form field as one trimmed-to-length string, whatever the client sent. */
export function field(body: unknown, name: string, maxLength = 10_000): string {
  if (typeof body !== 'object' || body === null) return '';
  const value: unknown = Reflect.get(body, name);
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first.slice(0, maxLength) : '';
}

/** Reads a multi-valued form field (checkboxes) as a list of strings. */
export function fieldList(body: unknown, name: string): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const value: unknown = Reflect.get(body, name);
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v): v is string => typeof v === 'string' && v.length <= 200).slice(0, 100);
}
