import type { Generated } from 'kysely';

/** A 2021 Lower Layer Super Output Area (neighbourhood) with its IMD 2025 deprivation. */
export type Lsoa21Table = {
  code: string;
  name: string;
  la_code: string;
  la_name: string;
  ltla_code: string;
  ltla_name: string;
  imd_decile: number;
  imd_rank: number;
  imd_score: number;
  income_decile: number;
  children_0_17: number;
  eth_share_asian: number;
  eth_share_black: number;
  eth_share_mixed: number;
  eth_share_other: number;
  eth_share_white: number;
};

export type PostcodeTable = { postcode: string; lsoa21_code: string; easting: number | null; northing: number | null };

export type ReferenceDataLoadTable = { dataset: string; source: string; rows: number; loaded_at: Generated<Date> };
