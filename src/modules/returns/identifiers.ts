import { DFE_LA_NUMBERS } from '../geography/la-numbers.ts';

/**
 * Identifiers the returns need that the record does not hold in the returns' own shape: the child's
 * LAchildID / CHILD, and the social worker's SW_ID.
 */

const ALPHANUMERIC_20 = /^[A-Za-z0-9]{1,20}$/;

/**
 * LAchildID (CIN) and CHILD (SSDA903): the council's own person id when it is already a valid
 * return id (at most 20 letters and digits), else the first 20 hex digits of the person's uuid, in
 * capitals. Stable across years, so last year's return lines up with this year's.
 */
export function returnChildId(personId: string, councilPersonId: string | null): string {
  if (councilPersonId !== null && ALPHANUMERIC_20.test(councilPersonId)) return councilPersonId;
  return personId.replace(/-/g, '').slice(0, 20).toUpperCase();
}

/**
 * SW_ID: Hearth holds no Social Work England registration number yet, so the worker is identified
 * by `SW` and the first 10 hex digits of their user id, in capitals (stable, and never a name).
 */
export function socialWorkerId(userId: string): string {
  return `SW${userId.replace(/-/g, '').slice(0, 10).toUpperCase()}`;
}

/**
 * The DfE LA number (three digits): `code` itself when it is one, or the number of the authority
 * whose ONS code it is (E10000015 → 919); else undefined.
 */
export function dfeLaNumber(code: string | null | undefined): string | undefined {
  if (!code) return undefined;
  if (/^\d{3}$/.test(code)) return code;
  return DFE_LA_NUMBERS[code];
}

/** Split `ids` into chunks for `IN (…)` lists (keeps every statement's parameter count small). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
