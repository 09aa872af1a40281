/**
 * The contract between insight views and the pages that show them.
 *
 * A view answers one question ("who comes to the front door?") with a few figures. A figure is a
 * table (always shown, always downloadable as CSV) and a chart drawn from the same rows (an
 * accessible SVG beside the table, and a PNG). Views compute their rows from the SQL measures
 * (migration 0013_insight.sql and docs/insight/); the framework suppresses small numbers (counts
 * from 1 to 4 shown as "fewer than 5", and anything that would let them be worked out), draws the
 * charts and writes the CSV. Views never format numbers or suppress themselves.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { InsightSource } from './snapshot.ts';

/** Filters every view accepts (from the page's GET form; never personal data). */
export type InsightFilters = {
  /** ISO dates: the period the view covers (inclusive). */
  readonly from: string;
  readonly to: string;
  readonly localityId?: string | undefined;
  readonly teamId?: string | undefined;
  /** Age at the event: '0-4', '5-9', '10-15', '16-17' (also '18+' for care leavers). */
  readonly ageBand?: AgeBand | undefined;
  readonly sex?: 'M' | 'F' | 'U' | undefined;
  /** A DfE major ethnic group: White, Mixed, Asian, Black, Other, Unknown. */
  readonly ethnicGroup?: EthnicGroup | undefined;
  readonly disability?: 'yes' | 'no' | undefined;
  /** IMD 2025 decile of the child's neighbourhood (1 = most deprived). */
  readonly decile?: number | undefined;
};

export type AgeBand = '0-4' | '5-9' | '10-15' | '16-17' | '18+';
export const AGE_BANDS: readonly AgeBand[] = ['0-4', '5-9', '10-15', '16-17', '18+'];
export type EthnicGroup = 'White' | 'Mixed' | 'Asian' | 'Black' | 'Other' | 'Unknown';
export const ETHNIC_GROUPS: readonly EthnicGroup[] = ['White', 'Mixed', 'Asian', 'Black', 'Other', 'Unknown'];

/**
 * How a column's values are read. `count` columns are suppressed when 1–4; `rate`, `percent` and
 * `mean` columns name the count columns they are derived from (`from`) and are suppressed with them.
 */
export type Column =
  | { readonly key: string; readonly label: string; readonly kind: 'text' }
  | { readonly key: string; readonly label: string; readonly kind: 'count'; readonly total?: boolean }
  | {
      readonly key: string;
      readonly label: string;
      readonly kind: 'rate' | 'percent' | 'mean' | 'days' | 'money';
      /** The count columns this value is worked out from: suppressed when any of them is. */
      readonly from?: readonly string[];
    };

export type Cell = string | number | null;
export type Row = Readonly<Record<string, Cell>>;

/** What to draw from the rows (the framework turns it into a chart library spec). */
export type ChartSpec =
  | {
      readonly kind: 'bar' | 'line';
      /** The category (bar) or time (line) column. */
      readonly x: string;
      /** One or more value columns (several = grouped bars / several lines). */
      readonly y: readonly string[];
      /** Lower and upper confidence limits for a single `y` (error bars). */
      readonly interval?: { readonly lower: string; readonly upper: string } | undefined;
      readonly horizontal?: boolean | undefined;
    }
  | {
      readonly kind: 'stacked';
      readonly x: string;
      readonly y: readonly string[];
      readonly horizontal?: boolean | undefined;
    }
  | {
      /** Stages in order, each row one stage: the count flowing through (a funnel). */
      readonly kind: 'flow';
      readonly stage: string;
      readonly value: string;
    }
  | {
      /** A grid (e.g. deprivation decile × locality), each cell coloured by `value`. */
      readonly kind: 'grid';
      readonly x: string;
      readonly y: string;
      readonly value: string;
    };

export type Figure = {
  /** Short, stable, URL-safe (used for the CSV and PNG links). */
  readonly id: string;
  readonly title: string;
  /** A sentence saying what the figure shows: the chart's accessible description. */
  readonly description: string;
  readonly columns: readonly Column[];
  readonly rows: readonly Row[];
  readonly chart?: ChartSpec | undefined;
  /** Notes shown under the table (definitions, caveats). */
  readonly notes?: readonly string[] | undefined;
};

export type InsightContext = {
  readonly db: Kysely<Database>;
  readonly organisationId: string;
  readonly filters: InsightFilters;
  /** Today, ISO (for "open now" and the last 12 months). */
  readonly today: string;
  /** Read the plain views (the default) or the last refresh's snapshots (ADR 11). */
  readonly source?: InsightSource | undefined;
};

export type InsightView = {
  /** URL part: /insight/<slug>. */
  readonly slug: string;
  readonly title: string;
  /** The question the view answers, in plain English. */
  readonly question: string;
  /** docs/insight/<doc>.md holds the definitions. */
  readonly doc: string;
  /** Which filters the view honours (others are not offered on its page). */
  readonly filters: readonly (keyof InsightFilters)[];
  readonly figures: (ctx: InsightContext) => Promise<Figure[]>;
};
