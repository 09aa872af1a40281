import type { PGlite } from '@electric-sql/pglite';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import { hashPassword } from '../../platform/auth/passwords.ts';
import type { Deps } from '../../platform/deps.ts';
import { londonDate } from '../help/access.ts';
import { deleteAuthorityData } from '../synthetic/delete.ts';
import {
  generateAuthority,
  usedNhsNumbers,
  type GenerateProgress,
  type GenerateSummary,
} from '../synthetic/authority.ts';
import { seedDemoHelp, type DemoHelpIds } from './demo-help.ts';
import { seedDemoPartners } from './demo-partners.ts';
import { seedDemoPortal } from './demo-portal.ts';
import { seedDemoDirectory } from '../directory/demo.ts';

/** The demo password is published in the README: demo data is refused in production. */
export const DEMO_PASSWORD = 'hearth-demo-password';

/**
 * Fixed authenticator secrets for the demo accounts, so a newcomer can sign in with
 * `npm run hearth -- demo-code` instead of setting up an app. Never used outside demo data.
 */
export const DEMO_ACCOUNTS = [
  {
    email: 'practitioner@demo.hearth.invalid',
    name: 'Sam Okafor',
    roles: ['practitioner'],
    team: 'North family help team',
    totp: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  },
  {
    email: 'manager@demo.hearth.invalid',
    name: 'Priya Shah',
    roles: ['team_manager'],
    team: 'North family help team',
    totp: 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU',
  },
  {
    email: 'south.practitioner@demo.hearth.invalid',
    name: 'Alex Morgan',
    roles: ['practitioner'],
    team: 'South family help team',
    totp: 'MFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LK',
  },
  {
    email: 'service.manager@demo.hearth.invalid',
    name: 'Helen Achebe',
    roles: ['service_manager'],
    team: 'North family help team',
    totp: 'AAIDLM5VI4SC5RG5M4TWTEO3INLBIFN7',
  },
  {
    email: 'senior.leader@demo.hearth.invalid',
    name: 'Chris Lindqvist',
    roles: ['senior_leader'],
    team: null,
    totp: 'ZGE5QWZTHUKWV6AYURZQBBYAIDQMONX6',
  },
  {
    email: 'admin@demo.hearth.invalid',
    name: 'Jordan Reid',
    roles: ['administrator'],
    team: null,
    totp: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
  },
  {
    email: 'analyst@demo.hearth.invalid',
    name: 'Morgan Ellis',
    roles: ['performance_analyst'],
    team: null,
    totp: 'NBSWY3DPO5XXE3DEMFZGC3DPNBSWY3DP',
  },
  // Partner practitioners (0022_partners.sql): accounts in partner organisations, who see only the
  // children whose team around the family, or multi-agency team, they belong to (demo-partners.ts).
  {
    email: 'dsl@demo.hearth.invalid',
    name: 'Hannah Price',
    roles: ['partner_practitioner'],
    team: null,
    organisation: { name: 'Shephall Green Primary School', kind: 'school' },
    totp: 'ONSWG4TFORZWK4TJNZTSA3DFMFSGK4TT',
  },
  {
    email: 'police@demo.hearth.invalid',
    name: 'DC Ravi Iyer',
    roles: ['multi_agency_practitioner'],
    team: 'South multi-agency child protection team',
    organisation: { name: 'Demo Constabulary', kind: 'police' },
    totp: 'OBXWY2LDMUQG65TGNFRWK4RANVQXI2LU',
  },
] as const;

/** How each demo role is named on the sign-in list `npm start` prints and in the README. */
export const DEMO_ROLE_LABELS: Readonly<Record<(typeof DEMO_ACCOUNTS)[number]['roles'][number], string>> = {
  practitioner: 'Practitioner',
  team_manager: 'Team manager',
  service_manager: 'Service manager (the North locality)',
  senior_leader: 'Senior leader (the whole council)',
  administrator: 'Administrator',
  performance_analyst: 'Performance analyst: the statutory returns',
  partner_practitioner: 'Partner: a school’s safeguarding lead',
  multi_agency_practitioner: 'Partner: police, multi-agency team',
};

/**
 * The demo council's population: a generated fraction of Hertfordshire (the county whose real
 * postcodes the hand-made families live at), about 7,000 children with ten years of help, split
 * into a North and a South locality so that the generated locality teams are the demo's teams.
 * A fixed seed: every first start generates the same people (with their history ending today).
 */
export type DemoPopulation = {
  readonly authority: string;
  readonly scale: number;
  readonly years: number;
  readonly seed: string;
};

export const DEMO_POPULATION: DemoPopulation = {
  authority: 'E10000015',
  scale: 0.02,
  years: 10,
  seed: 'hearth-demo',
};

export type SeedDemoOptions = {
  /** Generate this population into the demo council first (its neighbourhoods must be loaded). */
  readonly population?: DemoPopulation;
  readonly onProgress?: (event: GenerateProgress) => void;
  /** PGlite only: the engine behind deps.db, so the generator can write with COPY (much faster). */
  readonly pglite?: PGlite | undefined;
};

const DEMO_CHILDREN = [
  {
    key: 'amara',
    given: 'Amara',
    family: 'Bennett',
    dob: '2014-03-09',
    team: 'North family help team',
    worker: 'practitioner@demo.hearth.invalid',
    details: {
      sex: 'F',
      ethnicity: 'MWBC',
      first_language: 'English',
      nhs_number: '9990000018',
      upn: 'W919200100001',
    },
  },
  {
    key: 'leo',
    given: 'Leo',
    family: 'Bennett',
    dob: '2017-07-21',
    team: 'North family help team',
    worker: 'practitioner@demo.hearth.invalid',
    details: {
      sex: 'M',
      ethnicity: 'MWBC',
      first_language: 'English',
      nhs_number: '9990000026',
      upn: 'K919200100002',
    },
  },
  {
    key: 'maisie',
    given: 'Maisie',
    family: 'Clarke',
    dob: '2011-11-02',
    team: 'North family help team',
    worker: null,
    details: {
      sex: 'F',
      ethnicity: 'WBRI',
      first_language: 'English',
      nhs_number: '9990000034',
      upn: 'Z919200100003',
      disabilities: ['AUT'],
    },
  },
  {
    key: 'tyler',
    given: 'Tyler',
    family: 'Dawson',
    dob: '2009-05-30',
    team: 'South family help team',
    worker: 'south.practitioner@demo.hearth.invalid',
    details: {
      sex: 'M',
      ethnicity: 'WBRI',
      first_language: 'English',
      nhs_number: '9990000042',
      upn: 'N919200100004',
    },
  },
  {
    key: 'zara',
    given: 'Zara',
    family: 'Hussain',
    dob: '2019-01-15',
    team: 'South family help team',
    worker: 'south.practitioner@demo.hearth.invalid',
    details: {
      sex: 'F',
      ethnicity: 'APKN',
      first_language: 'Urdu',
      nhs_number: '9990000050',
      upn_unknown_reason: 'UN7',
    },
  },
] as const;

/**
 * The children's families: parents, a grandparent, an aunt who is a kinship carer, an adult
 * half-brother. Each adult is allocated to the team working with the child, as if that team had
 * added them. NHS numbers are from the 999 range, which is never issued to a real person.
 */
const DEMO_ADULTS = [
  {
    key: 'jade',
    given: 'Jade',
    family: 'Bennett',
    dob: '1992-08-14',
    sex: 'F',
    team: 'North family help team',
    worker: 'practitioner@demo.hearth.invalid',
  },
  {
    key: 'marcus',
    given: 'Marcus',
    family: 'Bennett',
    dob: '1989-02-03',
    sex: 'M',
    team: 'North family help team',
    worker: 'practitioner@demo.hearth.invalid',
  },
  {
    key: 'pauline',
    given: 'Pauline',
    family: 'Bennett',
    dob: '1964-11-22',
    sex: 'F',
    team: 'North family help team',
    worker: 'practitioner@demo.hearth.invalid',
  },
  {
    key: 'kerry',
    given: 'Kerry',
    family: 'Clarke',
    dob: '1990-06-05',
    sex: 'F',
    team: 'North family help team',
    worker: null,
  },
  {
    key: 'lisa',
    given: 'Lisa',
    family: 'Clarke',
    dob: '1985-01-19',
    sex: 'F',
    team: 'North family help team',
    worker: null,
  },
  {
    key: 'jordan',
    given: 'Jordan',
    family: 'Clarke',
    dob: '2005-09-12',
    sex: 'M',
    team: 'North family help team',
    worker: null,
  },
  {
    key: 'nicole',
    given: 'Nicole',
    family: 'Dawson',
    dob: '1988-04-27',
    sex: 'F',
    team: 'South family help team',
    worker: 'south.practitioner@demo.hearth.invalid',
  },
  {
    key: 'craig',
    given: 'Craig',
    family: 'Wilson',
    dob: '1984-12-01',
    sex: 'M',
    team: 'South family help team',
    worker: 'south.practitioner@demo.hearth.invalid',
  },
  {
    key: 'aisha',
    given: 'Aisha',
    family: 'Hussain',
    dob: '1993-03-18',
    sex: 'F',
    team: 'South family help team',
    worker: 'south.practitioner@demo.hearth.invalid',
  },
  {
    key: 'imran',
    given: 'Imran',
    family: 'Hussain',
    dob: '1990-10-08',
    sex: 'M',
    team: 'South family help team',
    worker: 'south.practitioner@demo.hearth.invalid',
  },
  {
    key: 'farida',
    given: 'Farida',
    family: 'Khan',
    dob: '1966-07-30',
    sex: 'F',
    team: 'South family help team',
    worker: 'south.practitioner@demo.hearth.invalid',
  },
] as const;

type DemoKey = (typeof DEMO_CHILDREN)[number]['key'] | (typeof DEMO_ADULTS)[number]['key'];

/** "related is <kind> of person", in the words relationships.ts stores. */
const DEMO_RELATIONSHIPS: readonly {
  person: DemoKey;
  related: DemoKey;
  kind: string;
  pr?: boolean;
  network?: string;
  from?: string;
}[] = [
  { person: 'amara', related: 'jade', kind: 'mother', pr: true, network: 'Lives with the children' },
  { person: 'leo', related: 'jade', kind: 'mother', pr: true, network: 'Lives with the children' },
  {
    person: 'amara',
    related: 'marcus',
    kind: 'father',
    pr: true,
    network: 'Sees the children every other weekend',
  },
  {
    person: 'leo',
    related: 'marcus',
    kind: 'father',
    pr: true,
    network: 'Sees the children every other weekend',
  },
  { person: 'amara', related: 'leo', kind: 'sibling' },
  {
    person: 'amara',
    related: 'pauline',
    kind: 'grandparent',
    network: 'Collects both children from school on Tuesdays and Thursdays',
  },
  {
    person: 'leo',
    related: 'pauline',
    kind: 'grandparent',
    network: 'Collects both children from school on Tuesdays and Thursdays',
  },
  { person: 'jade', related: 'pauline', kind: 'mother' },
  { person: 'maisie', related: 'kerry', kind: 'mother', pr: true },
  { person: 'maisie', related: 'jordan', kind: 'half-sibling', network: 'Texts Maisie most days' },
  {
    person: 'maisie',
    related: 'lisa',
    kind: 'kinship carer',
    from: '2024-02-12',
    network: 'Maisie has lived with her since February 2024',
  },
  { person: 'maisie', related: 'lisa', kind: 'aunt or uncle' },
  { person: 'tyler', related: 'nicole', kind: 'mother', pr: true },
  { person: 'tyler', related: 'craig', kind: "parent's partner", from: '2021-06-01' },
  { person: 'zara', related: 'aisha', kind: 'mother', pr: true },
  { person: 'zara', related: 'imran', kind: 'father', pr: true },
  { person: 'aisha', related: 'imran', kind: 'partner' },
  {
    person: 'zara',
    related: 'farida',
    kind: 'grandparent',
    network: 'Speaks Urdu with Zara; could care for her in an emergency',
  },
];

/** Real postcodes in Hertfordshire (Stevenage, Hitchin, Baldock, Borehamwood, Watford); invented streets. */
const DEMO_ADDRESSES: readonly {
  people: readonly DemoKey[];
  line1: string;
  town: string;
  postcode: string;
  lsoa: string;
  from: string;
  to?: string;
}[] = [
  {
    people: ['amara', 'jade'],
    line1: 'Flat 3, 41 Queensway',
    town: 'Stevenage',
    postcode: 'SG1 1LQ',
    lsoa: 'E01023756',
    from: '2014-03-20',
    to: '2019-03-31',
  },
  {
    people: ['amara', 'leo', 'jade'],
    line1: '12 Shephall Way',
    town: 'Stevenage',
    postcode: 'SG2 9NH',
    lsoa: 'E01023750',
    from: '2019-04-01',
  },
  {
    people: ['marcus'],
    line1: '7 Fairlands Way',
    town: 'Stevenage',
    postcode: 'SG1 5LG',
    lsoa: 'E01023774',
    from: '2020-01-10',
  },
  {
    people: ['pauline'],
    line1: '28 Bedford Road',
    town: 'Hitchin',
    postcode: 'SG5 1UU',
    lsoa: 'E01023612',
    from: '1998-05-01',
  },
  {
    people: ['maisie', 'kerry', 'jordan'],
    line1: '5 Danestrete',
    town: 'Stevenage',
    postcode: 'SG1 1AD',
    lsoa: 'E01035570',
    from: '2011-11-10',
    to: '2024-02-11',
  },
  {
    people: ['kerry', 'jordan'],
    line1: '5 Danestrete',
    town: 'Stevenage',
    postcode: 'SG1 1AD',
    lsoa: 'E01035570',
    from: '2024-02-12',
  },
  {
    people: ['maisie', 'lisa'],
    line1: '16 Clothall Road',
    town: 'Baldock',
    postcode: 'SG7 5AA',
    lsoa: 'E01023590',
    from: '2024-02-12',
  },
  {
    people: ['tyler', 'nicole', 'craig'],
    line1: '9 Leeming Road',
    town: 'Borehamwood',
    postcode: 'WD6 4AE',
    lsoa: 'E01023536',
    from: '2016-09-01',
  },
  {
    people: ['zara', 'aisha', 'imran'],
    line1: '44 Bushey Mill Lane',
    town: 'Watford',
    postcode: 'WD24 5FN',
    lsoa: 'E01023870',
    from: '2018-06-15',
  },
  {
    people: ['farida'],
    line1: '3 Clarendon Road',
    town: 'Watford',
    postcode: 'WD17 1AE',
    lsoa: 'E01023866',
    from: '2001-03-01',
  },
];

const DEMO_PROFESSIONALS: readonly {
  person: DemoKey;
  role: string;
  name: string;
  organisation: string;
  phone?: string;
  email?: string;
  from?: string;
}[] = [
  {
    person: 'amara',
    role: 'school',
    name: 'Ms Hannah Price (designated safeguarding lead)',
    organisation: 'Shephall Green Primary School',
    phone: '01632 960 101',
    email: 'dsl@shephall-green.example',
    from: '2018-09-01',
  },
  {
    person: 'amara',
    role: 'gp',
    name: 'Dr Ravi Mehta',
    organisation: 'Bedwell Medical Centre',
    phone: '01632 960 102',
  },
  {
    person: 'leo',
    role: 'school',
    name: 'Ms Hannah Price (designated safeguarding lead)',
    organisation: 'Shephall Green Primary School',
    phone: '01632 960 101',
    email: 'dsl@shephall-green.example',
    from: '2021-09-01',
  },
  {
    person: 'leo',
    role: 'school_nurse',
    name: 'Nina Osei',
    organisation: 'Hertfordshire school nursing service',
    phone: '01632 960 103',
  },
  {
    person: 'maisie',
    role: 'camhs',
    name: 'Tom Barker',
    organisation: 'Hertfordshire CAMHS',
    phone: '01632 960 104',
    from: '2025-01-06',
  },
  {
    person: 'maisie',
    role: 'school',
    name: 'Mr Ade Johnson (head of year 9)',
    organisation: 'Knights Templar School',
    email: 'pastoral@knights-templar.example',
  },
  {
    person: 'tyler',
    role: 'youth_worker',
    name: 'Kemi Adeyemi',
    organisation: 'Borehamwood youth service',
    phone: '01632 960 105',
    from: '2025-10-01',
  },
  {
    person: 'zara',
    role: 'school',
    name: 'Mrs Sarah Ellis',
    organisation: 'Bushey Mill Infant School',
    phone: '01632 960 106',
  },
  { person: 'zara', role: 'gp', name: 'Dr Amina Rahman', organisation: 'Vine House Health Centre' },
];

/**
 * A second record of Maisie Clarke, as a new contact would create it: the same date of birth, the
 * name spelt differently, no NHS number and not allocated to any team. It gives the duplicate report
 * and the merge page something to show; the North team's manager can merge it into Maisie's record.
 */
async function addDemoNearDuplicate(trx: Transaction<Database>, organisationId: string): Promise<void> {
  await trx
    .insertInto('people')
    .values({
      organisation_id: organisationId,
      given_name: 'Maisy',
      family_name: 'Clark',
      date_of_birth: '2011-11-02',
      sex: 'F',
    })
    .execute();
}

/** Whether the neighbourhoods the demo population is generated on are loaded (`npx hearth load-geography`). */
export async function demoPopulationAvailable(deps: Deps, population = DEMO_POPULATION): Promise<boolean> {
  const row = await deps.db
    .selectFrom('lsoa21')
    .select('code')
    .where('la_code', '=', population.authority)
    .executeTakeFirst();
  return row !== undefined;
}

/** Seeding finished: the demo council and its accounts (written in the last transaction) exist. */
async function demoState(deps: Deps): Promise<{ organisationId: string; complete: boolean } | undefined> {
  const org = await deps.db
    .selectFrom('organisations')
    .select('id')
    .where('name', '=', DEMO_COUNCIL)
    .orderBy('created_at')
    .executeTakeFirst();
  if (!org) return undefined;
  const account = await deps.db
    .selectFrom('users')
    .select('id')
    .where('organisation_id', '=', org.id)
    .where('email', '=', DEMO_ACCOUNTS[0].email)
    .executeTakeFirst();
  return { organisationId: org.id, complete: account !== undefined };
}

const DEMO_COUNCIL = 'Demo Borough Council';
const DEMO_LOCALITIES = ['North', 'South'] as const;
const DEMO_TEAMS = [
  ['North', 'North family help team'],
  ['South', 'South family help team'],
  // Members from several organisations (demo-partners.ts marks it multi-agency).
  ['South', 'South multi-agency child protection team'],
] as const;

/**
 * The generated staff member each hand-made team account takes over (same id, so every allocation,
 * task and visit the generator gave them becomes the demo account's): the team's manager, or the
 * team's practitioner with the most children allocated now.
 */
async function generatedStaffFor(
  trx: Transaction<Database>,
  teamId: string,
  role: 'practitioner' | 'team_manager',
  taken: ReadonlySet<string>,
): Promise<string | undefined> {
  const rows = await sql<{ id: string }>`
    SELECT u.id FROM team_memberships m
    JOIN users u ON u.id = m.user_id
    JOIN user_roles r ON r.user_id = u.id AND r.role_id = ${role}
    WHERE m.team_id = ${teamId} AND u.password_hash IS NULL
    ORDER BY (SELECT count(*) FROM allocations a WHERE a.worker_user_id = u.id AND a.ended_at IS NULL) DESC, u.email`.execute(
    trx,
  );
  return rows.rows.find((row) => !taken.has(row.id))?.id;
}

/**
 * Creates the demo council, teams, accounts, and a few synthetic children with their families, once.
 * With `population`, the council is first filled with a generated population (generateAuthority into
 * the council, its localities named North and South), and the hand-made teams and accounts are the
 * generated ones: the demo practitioner and manager take over generated staff of the North family
 * help team, with their children, work and history. A run interrupted before the accounts were
 * written is cleared and done again on the next call.
 */
export async function seedDemo(
  deps: Deps,
  options: SeedDemoOptions = {},
): Promise<{ created: boolean; population?: GenerateSummary }> {
  const state = await demoState(deps);
  if (state?.complete) return { created: false };
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  let organisationId = state?.organisationId;
  if (organisationId) {
    // An earlier first start stopped part way (the generator writes in many transactions).
    await deleteAuthorityData(deps.db, organisationId);
  } else {
    const org = await deps.db
      .insertInto('organisations')
      .values({ name: DEMO_COUNCIL, kind: 'local_authority', la_code: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    organisationId = org.id;
  }
  const orgId = organisationId;
  let population: GenerateSummary | undefined;
  if (options.population) {
    const nhsUsed = await usedNhsNumbers(deps.db);
    for (const child of DEMO_CHILDREN)
      if ('nhs_number' in child.details) nhsUsed[Number(child.details.nhs_number.slice(3, 9))] = 1;
    population = await generateAuthority(
      deps.db,
      {
        authority: options.population.authority,
        seed: options.population.seed,
        scale: options.population.scale,
        years: options.population.years,
        referenceDate: londonDate(deps.clock.now()),
        organisationId: orgId,
        localities: DEMO_LOCALITIES,
        staffEmailDomain: 'staff.demo.hearth.invalid',
        nhsUsed,
        pglite: options.pglite,
      },
      options.onProgress,
    );
    await deps.db
      .updateTable('threshold_guidance_versions')
      .set((eb) => ({
        title: eb.fn<string>('concat', [
          sql.lit('Demo Borough continuum of need, version '),
          eb.ref('version'),
        ]),
      }))
      .where('organisation_id', '=', orgId)
      .execute();
  }
  const ids = await deps.db.transaction().execute(async (trx): Promise<DemoHelpIds> => {
    const teams = new Map<string, string>();
    for (const [locality, team] of DEMO_TEAMS) {
      const loc =
        (await trx
          .selectFrom('localities')
          .select('id')
          .where('organisation_id', '=', orgId)
          .where('name', '=', locality)
          .executeTakeFirst()) ??
        (await trx
          .insertInto('localities')
          .values({ organisation_id: orgId, name: locality })
          .returning('id')
          .executeTakeFirstOrThrow());
      const row =
        (await trx
          .selectFrom('teams')
          .select('id')
          .where('organisation_id', '=', orgId)
          .where('name', '=', team)
          .executeTakeFirst()) ??
        (await trx
          .insertInto('teams')
          .values({ organisation_id: orgId, locality_id: loc.id, name: team })
          .returning('id')
          .executeTakeFirstOrThrow());
      teams.set(team, row.id);
    }
    const users = new Map<string, string>();
    const taken = new Set<string>();
    for (const account of DEMO_ACCOUNTS) {
      const teamId = account.team ? teams.get(account.team) : undefined;
      const role = account.roles[0];
      const adopt =
        options.population && teamId && (role === 'practitioner' || role === 'team_manager')
          ? await generatedStaffFor(trx, teamId, role, taken)
          : undefined;
      const sign = {
        email: account.email,
        display_name: account.name,
        password_hash: passwordHash,
        totp_secret: deps.secrets.seal(account.totp),
        totp_enrolled_at: deps.clock.now(),
        // The named demo accounts are the council's own staff, even when the generated worker they
        // take over was marked as agency staff.
        employment: 'permanent' as const,
      };
      if (adopt) {
        await trx.updateTable('users').set(sign).where('id', '=', adopt).execute();
        taken.add(adopt);
        users.set(account.email, adopt);
        continue;
      }
      const partnerOrg = 'organisation' in account ? account.organisation : undefined;
      const userOrg = partnerOrg
        ? ((
            await trx
              .selectFrom('organisations')
              .select('id')
              .where('name', '=', partnerOrg.name)
              .where('kind', '=', partnerOrg.kind)
              .executeTakeFirst()
          )?.id ??
          (
            await trx
              .insertInto('organisations')
              .values({ name: partnerOrg.name, kind: partnerOrg.kind, la_code: null })
              .returning('id')
              .executeTakeFirstOrThrow()
          ).id)
        : orgId;
      const user = await trx
        .insertInto('users')
        .values({ organisation_id: userOrg, ...sign })
        .returning('id')
        .executeTakeFirstOrThrow();
      users.set(account.email, user.id);
      await trx
        .insertInto('user_roles')
        .values(account.roles.map((role_id) => ({ user_id: user.id, role_id })))
        .execute();
      if (teamId)
        await trx.insertInto('team_memberships').values({ user_id: user.id, team_id: teamId }).execute();
    }
    const people = new Map<DemoKey, string>();
    const allocate = async (personId: string, team: string, worker: string | null) => {
      await trx
        .insertInto('allocations')
        .values({
          person_id: personId,
          team_id: teams.get(team) ?? '',
          worker_user_id: worker ? (users.get(worker) ?? null) : null,
        })
        .execute();
    };
    for (const child of DEMO_CHILDREN) {
      const person = await trx
        .insertInto('people')
        .values({
          organisation_id: orgId,
          given_name: child.given,
          family_name: child.family,
          date_of_birth: child.dob,
          ...child.details,
          disabilities: 'disabilities' in child.details ? [...child.details.disabilities] : [],
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      people.set(child.key, person.id);
      await allocate(person.id, child.team, child.worker);
    }
    for (const adult of DEMO_ADULTS) {
      const person = await trx
        .insertInto('people')
        .values({
          organisation_id: orgId,
          given_name: adult.given,
          family_name: adult.family,
          date_of_birth: adult.dob,
          sex: adult.sex,
          is_child: false,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      people.set(adult.key, person.id);
      await allocate(person.id, adult.team, adult.worker);
    }
    const id = (key: DemoKey) => people.get(key) ?? '';
    await addDemoNearDuplicate(trx, orgId);
    await trx
      .insertInto('relationships')
      .values(
        DEMO_RELATIONSHIPS.map((r) => ({
          person_id: id(r.person),
          related_person_id: id(r.related),
          kind: r.kind,
          parental_responsibility: r.pr ?? false,
          in_family_network: r.network !== undefined,
          network_note: r.network ?? null,
          started_on: r.from ?? null,
          ended_on: null,
        })),
      )
      .execute();
    await trx
      .insertInto('person_addresses')
      .values(
        DEMO_ADDRESSES.flatMap((a) =>
          a.people.map((key) => ({
            person_id: id(key),
            line1: a.line1,
            line2: null,
            town: a.town,
            postcode: a.postcode,
            lsoa21_code: a.lsoa,
            started_on: a.from,
            ended_on: a.to ?? null,
            // Maisie's kinship placement is never shown to her birth family.
            hidden_from_family: key === 'maisie' && a.postcode === 'SG7 5AA',
          })),
        ),
      )
      .execute();
    await trx
      .insertInto('professionals_involved')
      .values(
        DEMO_PROFESSIONALS.map((p) => ({
          person_id: id(p.person),
          role: p.role,
          name: p.name,
          organisation: p.organisation,
          phone: p.phone ?? null,
          email: p.email ?? null,
          started_on: p.from ?? null,
          ended_on: null,
        })),
      )
      .execute();
    await recordAudit(trx, {
      actorUserId: null,
      action: 'demo.seeded',
      entityType: 'organisation',
      entityId: orgId,
    });
    return { organisationId: orgId, teams, users, people };
  });
  // The children's help is written through the help services, as the demo accounts, after the commit.
  await seedDemoHelp(deps, ids);
  await seedDemoPortal(deps, ids);
  await seedDemoPartners(deps, ids);
  await seedDemoDirectory(deps.db);
  return population ? { created: true, population } : { created: true };
}
