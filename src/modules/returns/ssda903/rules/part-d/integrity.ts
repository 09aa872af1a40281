/**
 * Internal integrity checks (INT01–INT36): every file's child is in the Header, dates of birth and
 * sex agree with the Header, and one-row-per-child files hold one row. Fixtures run on the 2025-26
 * baseline.
 */
import { ukDay } from '../../../validation/dates.ts';
import type { ChildRule } from '../../../validation/rule.ts';
import { row, type Child903, type Ssda903Context, type Ssda903Table } from '../../model.ts';
import type { Ssda903Rule } from '../index.ts';
import { cell, finding, values } from './helpers.ts';

/** Fixture: give the child one plausible row in `table`. */
function addRow(c: Child903, table: Ssda903Table, cells: Record<string, string> = {}): void {
  const dob = c.tables.Header[0]?.values.DOB;
  c.tables[table].push(row({ CHILD: c.id, DOB: dob, ...cells }, c.tables[table].length + 1));
}

function notInHeader(code: string, table: Ssda903Table): Ssda903Rule {
  return {
    code,
    check: (child) =>
      child.tables.Header.length > 0 ? [] : child.tables[table].map((r) => finding(table, ['CHILD'], r)),
    fixtures: {
      fail: [
        (c) => {
          addRow(c, table);
          c.tables.Header = [];
        },
      ],
      pass: [(c) => addRow(c, table)],
    },
  };
}

/** The same date, whether or not written identically (`1/4/2025` is not a 903 date, so compare text then). */
function sameDate(a: string, b: string): boolean {
  if (a === b) return true;
  const da = ukDay(a);
  const db = ukDay(b);
  return da !== null && db !== null ? da === db : a.trim() === b.trim();
}

function differsFromHeader(code: string, table: Ssda903Table, field: 'DOB' | 'SEX'): Ssda903Rule {
  return {
    code,
    check: (child) => {
      const header = child.tables.Header[0];
      const expected = header && cell(header, field);
      if (expected === undefined) return [];
      return child.tables[table]
        .filter((r) => {
          const v = cell(r, field);
          if (v === undefined) return false;
          return field === 'DOB' ? !sameDate(v, expected) : v !== expected;
        })
        .map((r) => finding(table, [field], r));
    },
    fixtures: {
      fail: [
        (c) => {
          addRow(c, table, { SEX: 'F', [field]: field === 'DOB' ? '16/07/2012' : 'M' });
        },
      ],
      pass: [(c) => addRow(c, table, { SEX: 'F' })],
    },
  };
}

function onlyOnce(
  code: string,
  table: Ssda903Table,
  fixtures?: ChildRule<Child903, Ssda903Context>['fixtures'],
): Ssda903Rule {
  return {
    code,
    check: (child) => child.tables[table].slice(1).map((r) => finding(table, ['CHILD'], r)),
    fixtures: fixtures ?? {
      fail: [
        (c) => {
          c.tables[table] = [];
          addRow(c, table);
          addRow(c, table);
        },
      ],
      pass: [
        (c) => {
          c.tables[table] = [];
          addRow(c, table);
        },
      ],
    },
  };
}

export const INTEGRITY_RULES: readonly Ssda903Rule[] = [
  notInHeader('INT01', 'AD1'),
  notInHeader('INT02', 'PlacedAdoption'),
  notInHeader('INT03', 'Episodes'),
  notInHeader('INT04', 'Missing'),
  notInHeader('INT05', 'OC2'),
  notInHeader('INT06', 'OC3'),
  notInHeader('INT07', 'PrevPerm'),
  notInHeader('INT08', 'Reviews'),
  notInHeader('INT09', 'UASC'),
  differsFromHeader('INT11', 'AD1', 'DOB'),
  differsFromHeader('INT12', 'PlacedAdoption', 'DOB'),
  differsFromHeader('INT13', 'Missing', 'DOB'),
  differsFromHeader('INT14', 'OC2', 'DOB'),
  differsFromHeader('INT15', 'OC3', 'DOB'),
  differsFromHeader('INT16', 'PrevPerm', 'DOB'),
  differsFromHeader('INT17', 'Reviews', 'DOB'),
  differsFromHeader('INT18', 'UASC', 'DOB'),
  differsFromHeader('INT21', 'UASC', 'SEX'),
  onlyOnce('INT31', 'AD1'),
  onlyOnce('INT32', 'Header', {
    fail: [(c) => c.tables.Header.push(row({ ...values(c.tables.Header) }, 2))],
    pass: [
      (c) => {
        c.tables.Header.splice(1);
      },
    ],
  }),
  onlyOnce('INT33', 'OC2'),
  onlyOnce('INT34', 'OC3'),
  onlyOnce('INT35', 'PrevPerm'),
  onlyOnce('INT36', 'UASC'),
];
