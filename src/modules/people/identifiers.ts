/**
 * Identifier checks, pure functions. Each returns a GOV.UK-style problem, or undefined when valid.
 */

/** Removes spaces and dashes people type into NHS numbers ("943 476 5919"). */
export function normaliseNhsNumber(value: string): string {
  return value.replace(/[\s-]/g, '');
}

/**
 * NHS number: 10 digits, the last a modulus 11 check digit over the first nine weighted 10 down to 2.
 * A remainder giving check value 10 means the number can never be valid.
 */
export function nhsNumberIsValid(value: string): boolean {
  const digits = normaliseNhsNumber(value);
  if (!/^\d{10}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(digits[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === Number(digits[9]);
}

/** The check digit for nine NHS-number digits, or undefined when no digit can make them valid. */
export function nhsCheckDigit(firstNine: string): number | undefined {
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(firstNine[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return undefined;
  return check === 11 ? 0 : check;
}

/** NHS numbers beginning 999 are reserved for testing and are never issued to a real person. */
export function isTestRangeNhsNumber(value: string): boolean {
  return normaliseNhsNumber(value).startsWith('999');
}

const UPN_LETTERS = 'ABCDEFGHJKLMNPQRTUVWXYZ';

/** The value of character 13 of a UPN: a digit, or for a temporary UPN a letter from the check-letter alphabet. */
function upnCharValue(char: string): number | undefined {
  if (/\d/.test(char)) return Number(char);
  const index = UPN_LETTERS.indexOf(char);
  return index === -1 ? undefined : index;
}

/**
 * The check letter (character 1) for characters 2–13 of a UPN: each weighted by its position
 * (2 to 13), summed, the remainder after dividing by 23 mapped to A B C D E F G H J K L M N P Q R T U V W X Y Z.
 */
export function upnCheckLetter(rest: string): string | undefined {
  if (!/^\d{11}[0-9A-Z]$/.test(rest)) return undefined;
  let sum = 0;
  for (let i = 0; i < 12; i += 1) {
    const value = upnCharValue(rest[i] ?? '');
    if (value === undefined) return undefined;
    sum += value * (i + 2);
  }
  return UPN_LETTERS[sum % 23];
}

export function normaliseUpn(value: string): string {
  return value.replace(/\s/g, '').toUpperCase();
}

/** Unique Pupil Number: 13 characters, a check letter then 11 digits then a digit (or letter if temporary). */
export function upnIsValid(value: string): boolean {
  const upn = normaliseUpn(value);
  if (!/^[A-Z]\d{11}[0-9A-Z]$/.test(upn)) return false;
  return upnCheckLetter(upn.slice(1)) === upn[0];
}

export const UPN_UNKNOWN_REASONS = {
  UN1: 'Child is aged under 6 years and is not yet in school',
  UN2: 'Child has never attended school in England',
  UN3: 'Child is educated outside of school (home educated)',
  UN4: 'Child is newly arrived and UPN not yet known',
  UN5: 'Sources collating UPNs reflect the child’s UPN is not known',
  UN6: 'Child is an unaccompanied asylum-seeking child',
  UN7: 'Child is referred to the local authority but not yet known to school',
} as const;

/** Normalises a UK postcode to "AL1 1AA" form, or undefined if it is not postcode-shaped. */
export function normalisePostcode(value: string): string | undefined {
  const compact = value.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$/.test(compact)) return undefined;
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}
