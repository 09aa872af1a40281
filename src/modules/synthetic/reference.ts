/**
 * Reference figures for the synthetic authority. National figures are for England, year ending
 * 31 March 2025, from the Department for Education's published statistics (Explore Education
 * Statistics; github.com/dfe-analytical-services/CSC_outcomes_and_enablers, data-raw/), Open
 * Government Licence v3.0, as compiled in the project's calibration reference (section 5 targets).
 * They are copied here so that a fresh clone needs nothing outside the repository.
 */

/** The 153 children's services authorities (upper-tier local authorities) of England, by code. */
export const AUTHORITIES: readonly (readonly [code: string, name: string])[] = [
  ['E06000001', 'Hartlepool'],
  ['E06000002', 'Middlesbrough'],
  ['E06000003', 'Redcar and Cleveland'],
  ['E06000004', 'Stockton-on-Tees'],
  ['E06000005', 'Darlington'],
  ['E06000006', 'Halton'],
  ['E06000007', 'Warrington'],
  ['E06000008', 'Blackburn with Darwen'],
  ['E06000009', 'Blackpool'],
  ['E06000010', 'Kingston upon Hull, City of'],
  ['E06000011', 'East Riding of Yorkshire'],
  ['E06000012', 'North East Lincolnshire'],
  ['E06000013', 'North Lincolnshire'],
  ['E06000014', 'York'],
  ['E06000015', 'Derby'],
  ['E06000016', 'Leicester'],
  ['E06000017', 'Rutland'],
  ['E06000018', 'Nottingham'],
  ['E06000019', 'Herefordshire, County of'],
  ['E06000020', 'Telford and Wrekin'],
  ['E06000021', 'Stoke-on-Trent'],
  ['E06000022', 'Bath and North East Somerset'],
  ['E06000023', 'Bristol, City of'],
  ['E06000024', 'North Somerset'],
  ['E06000025', 'South Gloucestershire'],
  ['E06000026', 'Plymouth'],
  ['E06000027', 'Torbay'],
  ['E06000030', 'Swindon'],
  ['E06000031', 'Peterborough'],
  ['E06000032', 'Luton'],
  ['E06000033', 'Southend-on-Sea'],
  ['E06000034', 'Thurrock'],
  ['E06000035', 'Medway'],
  ['E06000036', 'Bracknell Forest'],
  ['E06000037', 'West Berkshire'],
  ['E06000038', 'Reading'],
  ['E06000039', 'Slough'],
  ['E06000040', 'Windsor and Maidenhead'],
  ['E06000041', 'Wokingham'],
  ['E06000042', 'Milton Keynes'],
  ['E06000043', 'Brighton and Hove'],
  ['E06000044', 'Portsmouth'],
  ['E06000045', 'Southampton'],
  ['E06000046', 'Isle of Wight'],
  ['E06000047', 'County Durham'],
  ['E06000049', 'Cheshire East'],
  ['E06000050', 'Cheshire West and Chester'],
  ['E06000051', 'Shropshire'],
  ['E06000052', 'Cornwall'],
  ['E06000053', 'Isles of Scilly'],
  ['E06000054', 'Wiltshire'],
  ['E06000055', 'Bedford'],
  ['E06000056', 'Central Bedfordshire'],
  ['E06000057', 'Northumberland'],
  ['E06000058', 'Bournemouth, Christchurch and Poole'],
  ['E06000059', 'Dorset'],
  ['E06000060', 'Buckinghamshire'],
  ['E06000061', 'North Northamptonshire'],
  ['E06000062', 'West Northamptonshire'],
  ['E06000063', 'Cumberland'],
  ['E06000064', 'Westmorland and Furness'],
  ['E06000065', 'North Yorkshire'],
  ['E06000066', 'Somerset'],
  ['E08000001', 'Bolton'],
  ['E08000002', 'Bury'],
  ['E08000003', 'Manchester'],
  ['E08000004', 'Oldham'],
  ['E08000005', 'Rochdale'],
  ['E08000006', 'Salford'],
  ['E08000007', 'Stockport'],
  ['E08000008', 'Tameside'],
  ['E08000009', 'Trafford'],
  ['E08000010', 'Wigan'],
  ['E08000011', 'Knowsley'],
  ['E08000012', 'Liverpool'],
  ['E08000013', 'St. Helens'],
  ['E08000014', 'Sefton'],
  ['E08000015', 'Wirral'],
  ['E08000016', 'Barnsley'],
  ['E08000017', 'Doncaster'],
  ['E08000018', 'Rotherham'],
  ['E08000019', 'Sheffield'],
  ['E08000021', 'Newcastle upon Tyne'],
  ['E08000022', 'North Tyneside'],
  ['E08000023', 'South Tyneside'],
  ['E08000024', 'Sunderland'],
  ['E08000025', 'Birmingham'],
  ['E08000026', 'Coventry'],
  ['E08000027', 'Dudley'],
  ['E08000028', 'Sandwell'],
  ['E08000029', 'Solihull'],
  ['E08000030', 'Walsall'],
  ['E08000031', 'Wolverhampton'],
  ['E08000032', 'Bradford'],
  ['E08000033', 'Calderdale'],
  ['E08000034', 'Kirklees'],
  ['E08000035', 'Leeds'],
  ['E08000036', 'Wakefield'],
  ['E08000037', 'Gateshead'],
  ['E09000001', 'City of London'],
  ['E09000002', 'Barking and Dagenham'],
  ['E09000003', 'Barnet'],
  ['E09000004', 'Bexley'],
  ['E09000005', 'Brent'],
  ['E09000006', 'Bromley'],
  ['E09000007', 'Camden'],
  ['E09000008', 'Croydon'],
  ['E09000009', 'Ealing'],
  ['E09000010', 'Enfield'],
  ['E09000011', 'Greenwich'],
  ['E09000012', 'Hackney'],
  ['E09000013', 'Hammersmith and Fulham'],
  ['E09000014', 'Haringey'],
  ['E09000015', 'Harrow'],
  ['E09000016', 'Havering'],
  ['E09000017', 'Hillingdon'],
  ['E09000018', 'Hounslow'],
  ['E09000019', 'Islington'],
  ['E09000020', 'Kensington and Chelsea'],
  ['E09000021', 'Kingston upon Thames'],
  ['E09000022', 'Lambeth'],
  ['E09000023', 'Lewisham'],
  ['E09000024', 'Merton'],
  ['E09000025', 'Newham'],
  ['E09000026', 'Redbridge'],
  ['E09000027', 'Richmond upon Thames'],
  ['E09000028', 'Southwark'],
  ['E09000029', 'Sutton'],
  ['E09000030', 'Tower Hamlets'],
  ['E09000031', 'Waltham Forest'],
  ['E09000032', 'Wandsworth'],
  ['E09000033', 'Westminster'],
  ['E10000003', 'Cambridgeshire'],
  ['E10000007', 'Derbyshire'],
  ['E10000008', 'Devon'],
  ['E10000011', 'East Sussex'],
  ['E10000012', 'Essex'],
  ['E10000013', 'Gloucestershire'],
  ['E10000014', 'Hampshire'],
  ['E10000015', 'Hertfordshire'],
  ['E10000016', 'Kent'],
  ['E10000017', 'Lancashire'],
  ['E10000018', 'Leicestershire'],
  ['E10000019', 'Lincolnshire'],
  ['E10000020', 'Norfolk'],
  ['E10000024', 'Nottinghamshire'],
  ['E10000025', 'Oxfordshire'],
  ['E10000028', 'Staffordshire'],
  ['E10000029', 'Suffolk'],
  ['E10000030', 'Surrey'],
  ['E10000031', 'Warwickshire'],
  ['E10000032', 'West Sussex'],
  ['E10000034', 'Worcestershire'],
];

/**
 * Factors identified at the end of assessment, England 2024-25 (DfE table C3): episodes with each
 * factor, out of 513,250 episodes with at least one factor recorded, by CIN census factor code.
 */
export const FACTOR_EPISODES_2025 = 513_250;
export const FACTOR_COUNTS_2025: Readonly<Record<string, number>> = {
  '1A': 10_620, // alcohol misuse: child
  '1B': 73_250, // alcohol misuse: parent
  '1C': 11_600, // alcohol misuse: another person
  '2A': 24_550, // drug misuse: child
  '2B': 72_620, // drug misuse: parent
  '2C': 15_930, // drug misuse: another person
  '3A': 57_930, // domestic abuse: child as subject
  '3B': 162_890, // domestic abuse: parent as subject
  '3C': 25_560, // domestic abuse: another person
  '4A': 90_400, // mental health: child
  '4B': 171_780, // mental health: parent
  '4C': 23_600, // mental health: another person
  '5A': 63_240, // learning disability: child
  '5B': 15_170, // learning disability: parent
  '5C': 7_510, // learning disability: another person
  '6A': 24_220, // physical disability or illness: child
  '6B': 27_600, // physical disability or illness: parent
  '6C': 5_310, // physical disability or illness: another person
  '7A': 18_960, // young carer
  '8F': 1_950, // privately fostered
  '9A': 6_340, // unaccompanied asylum-seeking child
  '10A': 16_940, // going missing
  '11A': 12_400, // child sexual exploitation
  '12A': 2_250, // trafficking
  '13A': 8_860, // gangs
  '14A': 35_980, // socially unacceptable behaviour
  '15A': 25_470, // self-harm
  '16A': 90_370, // neglect
  '17A': 97_700, // emotional abuse
  '18B': 15_270, // physical abuse: child on child
  '18C': 61_410, // physical abuse: adult on child
  '19B': 12_590, // sexual abuse: child on child
  '19C': 18_900, // sexual abuse: adult on child
  '22A': 780, // female genital mutilation
  '23A': 2_240, // abuse linked to faith or belief
  '24A': 16_250, // child criminal exploitation
  '20': 83_770, // other
};

/** Source of referral (CIN census ReferralSource): police 28% and schools 21% in 2024-25; the rest split as in 2015-16. */
export const REFERRAL_SOURCES: Readonly<Record<string, number>> = {
  '6': 28, // police
  '2A': 19, // schools
  '2B': 2, // education services
  '3A': 2.5, // GP
  '3B': 3, // health visitor
  '3C': 1, // school nurse
  '3D': 2, // other primary health services
  '3E': 2.5, // A&E
  '3F': 4.5, // other health services
  '1A': 6, // family member, relative or carer
  '1B': 1, // acquaintance
  '1C': 2, // self
  '1D': 1, // other individual
  '4': 2, // housing
  '5A': 4, // local authority social care
  '5B': 3, // other internal local authority services
  '5C': 2, // external local authority
  '5D': 3, // early help
  '7': 3, // other legal agency
  '8': 5, // other
  '9': 2, // anonymous
  '10': 1.5, // unknown
};

/** CIN census primary need at referral. */
export const PRIMARY_NEEDS: Readonly<Record<string, number>> = {
  N1: 52,
  N2: 9,
  N3: 3,
  N4: 10,
  N5: 16,
  N6: 4,
  N7: 1,
  N8: 2,
  N9: 3,
};

/** Initial category of abuse for child protection plans (2020 split with the 2025 sexual abuse share). */
export const CPP_CATEGORIES: Readonly<Record<'NEG' | 'EMO' | 'PHY' | 'SAB' | 'MUL', number>> = {
  NEG: 50,
  EMO: 36,
  PHY: 7.3,
  SAB: 3.6,
  MUL: 3.1,
};

/** DfE ethnicity codes within each broad group, for children in England (approximate school-census mix). */
export const ETHNICITY_CODES: Readonly<Record<BroadEthnicity, Readonly<Record<string, number>>>> = {
  white: { WBRI: 85.5, WIRI: 0.8, WIRT: 0.3, WROM: 0.9, WOTH: 12.5 },
  mixed: { MWBC: 26, MWBA: 13, MWAS: 24, MOTH: 37 },
  asian: { AIND: 28, APKN: 38, ABAN: 15, AOTH: 19 },
  black: { BCRB: 18, BAFR: 67, BOTH: 15 },
  other: { CHNE: 18, OOTH: 82 },
};

export type BroadEthnicity = 'white' | 'mixed' | 'asian' | 'black' | 'other';
export const BROAD_ETHNICITIES: readonly BroadEthnicity[] = ['white', 'mixed', 'asian', 'black', 'other'];

/** The broad group of a DfE ethnicity code (REFU and NOBT have none). */
export function broadEthnicity(code: string | null): BroadEthnicity | undefined {
  if (!code) return undefined;
  if (code.startsWith('W')) return 'white';
  if (code.startsWith('M')) return 'mixed';
  if (code.startsWith('A')) return 'asian';
  if (code.startsWith('B')) return 'black';
  if (code === 'CHNE' || code === 'OOTH') return 'other';
  return undefined;
}

/**
 * Census 2021 ethnicity shares in lsoa21 are of all residents; children are more often of mixed,
 * Asian and Black heritage. These weights turn a neighbourhood's resident mix into its child mix.
 */
export const CHILD_ETHNICITY_WEIGHT: Readonly<Record<BroadEthnicity, number>> = {
  white: 0.93,
  mixed: 2.2,
  asian: 1.25,
  black: 1.2,
  other: 1.1,
};

/** Share of England's children (0-17) living in each IMD 2025 decile of neighbourhood (decile 1 = most deprived). */
export const ENGLAND_DECILE_CHILDREN: readonly number[] = [
  0.1292, 0.1152, 0.1074, 0.0986, 0.0949, 0.0911, 0.0913, 0.09, 0.0908, 0.0916,
];

/** England's child-weighted resident ethnicity mix (from lsoa21), before CHILD_ETHNICITY_WEIGHT. */
export const ENGLAND_RESIDENT_ETHNICITY: Readonly<Record<BroadEthnicity, number>> = {
  white: 0.7899,
  mixed: 0.0308,
  asian: 0.1079,
  black: 0.0477,
  other: 0.0236,
};

/** Ethnicity of unaccompanied asylum-seeking children (mostly Afghan, Sudanese, Eritrean, Iranian, Kurdish, Albanian, Vietnamese). */
export const UASC_ETHNICITY: Readonly<Record<string, number>> = {
  AOTH: 24,
  BAFR: 30,
  OOTH: 28,
  WOTH: 9,
  BOTH: 4,
  MOTH: 3,
};
