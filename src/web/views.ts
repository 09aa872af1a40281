import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';

const VIEWS_DIR = fileURLToPath(new URL('./views/', import.meta.url));
const GOVUK_DIR = fileURLToPath(new URL('../../node_modules/govuk-frontend/dist/', import.meta.url));

const dateFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'Europe/London',
});
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  hour12: true,
  timeZone: 'Europe/London',
});

/** GOV.UK style: "25 November 2026". Accepts an ISO date string or a Date. */
export function govukDate(value: Date | string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  const date = typeof value === 'string' ? new Date(`${value.slice(0, 10)}T12:00:00Z`) : value;
  return Number.isNaN(date.getTime()) ? '' : dateFormat.format(date);
}

/** GOV.UK style: "25 November 2026 at 2:05pm". */
export function govukDateTime(value: Date | null | undefined): string {
  if (!value) return '';
  const parts = dateTimeFormat.formatToParts(value);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('day')} ${get('month')} ${get('year')} at ${get('hour')}:${get('minute')}${get('dayPeriod').toLowerCase().replace(/\s/g, '')}`;
}

/** One Nunjucks environment for the process: templates are compiled once and cached. */
export function makeViews(options: { watch: boolean }): nunjucks.Environment {
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader([VIEWS_DIR, GOVUK_DIR], { noCache: options.watch, watch: false }),
    { autoescape: true, throwOnUndefined: false, trimBlocks: true, lstripBlocks: true },
  );
  env.addFilter('govukDate', govukDate);
  env.addFilter('govukDateTime', govukDateTime);
  return env;
}
