/**
 * The DfE published tables benchmarking reads, as shipped in reference-data/dfe/ (trimmed copies of
 * the Explore Education Statistics files: the columns and rows below only). See reference-data/README.md.
 */
import { fileURLToPath } from 'node:url';

export const BENCHMARK_DIR = fileURLToPath(new URL('../../../../reference-data/dfe/', import.meta.url));

export type SourceFile = {
  /** The shipped file in reference-data/dfe/. */
  readonly file: string;
  /** The DfE file it was trimmed from. */
  readonly source: string;
  readonly columns: readonly string[];
  /** Keep only rows whose column holds one of these values. */
  readonly where?: Readonly<Record<string, readonly string[]>>;
  /** 'none' for files with no geographic_level column (statistical neighbours). */
  readonly levels?: 'none';
};

const AREA = ['time_period', 'geographic_level', 'old_la_code', 'new_la_code', 'la_name'] as const;

export const SOURCE_FILES: readonly SourceFile[] = [
  {
    file: 'population.csv.gz',
    source: 'ons_mid-year_population_estimates_2012_to_2024.csv',
    columns: [...AREA, 'population_estimate'],
  },
  {
    file: 'children_in_need.csv.gz',
    source: 'b1_children_in_need_2013_to_2025.csv',
    columns: [...AREA, 'At31_episodes'],
  },
  {
    file: 'referrals.csv.gz',
    source: 'c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv',
    columns: [...AREA, 'referral_count', 'rereferral_count', 'rereferral_percent'],
  },
  {
    file: 'cp_plans_subsequent.csv.gz',
    source: 'd3_cpps_subsequent_plan_2013_to_2025.csv',
    columns: [...AREA, 'CPP_start', 'CPP_subsequent', 'CPP_subsequent_percent'],
  },
  {
    file: 'cp_plans_at31.csv.gz',
    source: 'd5_cpps_at31march_by_duration_2013_to_2025.csv',
    columns: [...AREA, 'CPP_At31'],
  },
  {
    file: 'looked_after.csv.gz',
    source: 'cla_number_and_rate_per_10k_children.csv',
    columns: [...AREA, 'population_estimate', 'children_count', 'rate_per_10000'],
    where: { population_type: ['Children looked after on 31 March each year'] },
  },
  {
    file: 'placement_stability.csv.gz',
    source: 'la_cla_placement_stability.csv',
    columns: [...AREA, 'cla_group', 'placement_stability', 'children_count', 'children_percent'],
    where: {
      placement_stability: [
        'With 3 or more placements during the year',
        'Living with the same carer for at least 2 years',
      ],
    },
  },
  {
    file: 'care_leavers_accommodation.csv.gz',
    source: 'la_care_leavers_accommodation_suitability.csv',
    columns: [...AREA, 'care_leaver_age', 'breakdown', 'care_leaver_count', 'care_leaver_percent'],
    where: { breakdown: ['Accommodation considered suitable'] },
  },
  {
    file: 'care_leavers_activity.csv.gz',
    source: 'la_care_leavers_activity.csv',
    columns: [...AREA, 'care_leaver_age', 'breakdown', 'care_leaver_count', 'care_leaver_percent'],
    where: { breakdown: ['Total in education, employment or training'] },
  },
  {
    file: 'workforce.csv.gz',
    source: 'csww_indicators_2017_to_2025.csv',
    columns: [...AREA, 'turnover_rate_fte', 'agency_rate_fte'],
  },
  {
    file: 'statistical_neighbours.csv.gz',
    source: 'sn_model_2025_wide.csv',
    columns: [
      'old_la_code',
      'la_name',
      ...Array.from({ length: 10 }, (_, i) => [`SN_${String(i + 1)}`, `SN_${String(i + 1)}P`]).flat(),
    ],
    levels: 'none',
  },
];
