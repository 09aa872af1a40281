import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { CATEGORIES, CATEGORY_TAXONOMY, type CategoryCode } from './codes.ts';
import { saveService } from './directory.ts';
import { derivedId, type OrukService } from './openreferral.ts';

/**
 * A small directory of fictional local services for the demo council, at real postcodes near the
 * demo's neighbourhoods (Stevenage, Hitchin, Baldock, Borehamwood, Watford). Every name, address,
 * email and website is invented (example.org). Saving them again changes nothing.
 */

type DemoSite = {
  readonly name: string;
  readonly street: string;
  readonly town: string;
  readonly postcode: string;
};

const SITES = {
  stevenageHub: {
    name: 'Bedwell Family Hub',
    street: '1 Pretend Lane',
    town: 'Stevenage',
    postcode: 'SG1 1LQ',
  },
  stevenageEast: {
    name: 'Shephall Community Rooms',
    street: '12 Imaginary Way',
    town: 'Stevenage',
    postcode: 'SG2 9NH',
  },
  stevenageNorth: {
    name: 'Fairlands Youth Centre',
    street: '3 Example Road',
    town: 'Stevenage',
    postcode: 'SG1 5LG',
  },
  hitchin: { name: 'Hitchin Family Hub', street: '7 Sample Street', town: 'Hitchin', postcode: 'SG5 1UU' },
  baldock: { name: 'Baldock Church Hall', street: '2 Fictional Close', town: 'Baldock', postcode: 'SG7 5AA' },
  borehamwood: {
    name: 'Borehamwood Family Hub',
    street: '40 Madeup Avenue',
    town: 'Borehamwood',
    postcode: 'WD6 4AE',
  },
  watford: {
    name: 'Watford Advice Centre',
    street: '5 Placeholder Parade',
    town: 'Watford',
    postcode: 'WD17 1AE',
  },
  watfordNorth: {
    name: 'North Watford Pantry',
    street: '18 Notreal Road',
    town: 'Watford',
    postcode: 'WD24 5FN',
  },
} as const satisfies Record<string, DemoSite>;

type DemoService = {
  readonly key: string;
  readonly organization: string;
  readonly name: string;
  readonly description: string;
  readonly category: CategoryCode;
  readonly ages: readonly [number | null, number | null];
  readonly sites: readonly (keyof typeof SITES)[];
  readonly schedules: readonly (readonly [string, string, string])[];
  readonly languages: readonly (readonly [string, string])[];
};

const ORGS: Readonly<Record<string, string>> = {
  council: 'Demo Council Family Services',
  pantry: 'Herts Pretend Food Network',
  advice: 'Imaginary Advice Trust',
  youth: 'Sample Youth Partnership',
  refuge: 'Safe at Home (fictional)',
};

const SERVICES: readonly DemoService[] = [
  {
    key: 'hub-stevenage',
    organization: 'council',
    name: 'Stevenage family hub drop-in',
    description:
      'Drop in for help with anything to do with family life: health visitors, early help and advice.',
    category: 'family_hub',
    ages: [0, 19],
    sites: ['stevenageHub'],
    schedules: [
      ['MO,TU,WE,TH,FR', '09:00', '17:00'],
      ['SA', '10:00', '13:00'],
    ],
    languages: [
      ['en', 'English'],
      ['pl', 'Polish'],
    ],
  },
  {
    key: 'hub-hitchin',
    organization: 'council',
    name: 'Hitchin family hub',
    description: 'Stay and play, baby clinics and help for families with children up to 19 (25 with SEND).',
    category: 'family_hub',
    ages: [0, 25],
    sites: ['hitchin'],
    schedules: [['MO,WE,FR', '09:30', '16:00']],
    languages: [['en', 'English']],
  },
  {
    key: 'hub-borehamwood',
    organization: 'council',
    name: 'Borehamwood family hub',
    description: 'Help for families in Borehamwood: parenting support, health visitors and benefits advice.',
    category: 'family_hub',
    ages: [0, 19],
    sites: ['borehamwood'],
    schedules: [['TU,TH', '09:00', '15:00']],
    languages: [
      ['en', 'English'],
      ['ro', 'Romanian'],
    ],
  },
  {
    key: 'food-stevenage',
    organization: 'pantry',
    name: 'Shephall food bank',
    description: 'Three days of emergency food for a family, with a voucher from any referrer.',
    category: 'food_bank',
    ages: [null, null],
    sites: ['stevenageEast'],
    schedules: [['TU,FR', '12:00', '15:00']],
    languages: [['en', 'English']],
  },
  {
    key: 'food-watford',
    organization: 'pantry',
    name: 'North Watford pantry',
    description: 'A membership food pantry: a weekly shop for a small fee, with fresh food and toiletries.',
    category: 'food_bank',
    ages: [null, null],
    sites: ['watfordNorth'],
    schedules: [['WE', '16:00', '19:00']],
    languages: [
      ['en', 'English'],
      ['ur', 'Urdu'],
    ],
  },
  {
    key: 'advice-watford',
    organization: 'advice',
    name: 'Money and benefits advice',
    description: 'Free, confidential advice on debt and benefits, and help to claim and to appeal.',
    category: 'debt_welfare_advice',
    ages: [16, null],
    sites: ['watford', 'stevenageHub'],
    schedules: [['MO,TU,WE,TH', '10:00', '16:00']],
    languages: [
      ['en', 'English'],
      ['pa', 'Punjabi'],
      ['ur', 'Urdu'],
    ],
  },
  {
    key: 'parenting-baldock',
    organization: 'council',
    name: 'Parenting together group',
    description: 'A ten-week group for parents and carers of children aged 2 to 11.',
    category: 'parenting_group',
    ages: [2, 11],
    sites: ['baldock'],
    schedules: [['TH', '18:30', '20:30']],
    languages: [['en', 'English']],
  },
  {
    key: 'parenting-teens',
    organization: 'council',
    name: 'Parenting teenagers',
    description: 'An evening course for parents of young people aged 11 to 18.',
    category: 'parenting_group',
    ages: [11, 18],
    sites: ['stevenageHub'],
    schedules: [['MO', '18:00', '20:00']],
    languages: [
      ['en', 'English'],
      ['pl', 'Polish'],
    ],
  },
  {
    key: 'youth-fairlands',
    organization: 'youth',
    name: 'Fairlands youth club',
    description: 'Open youth club with sport, music and youth workers to talk to.',
    category: 'youth_service',
    ages: [11, 19],
    sites: ['stevenageNorth'],
    schedules: [['TU,TH', '17:00', '21:00']],
    languages: [['en', 'English']],
  },
  {
    key: 'youth-borehamwood',
    organization: 'youth',
    name: 'Borehamwood detached youth work',
    description: 'Youth workers meeting young people where they are, in parks and town centres.',
    category: 'youth_service',
    ages: [13, 19],
    sites: ['borehamwood'],
    schedules: [['FR,SA', '18:00', '22:00']],
    languages: [['en', 'English']],
  },
  {
    key: 'da-outreach',
    organization: 'refuge',
    name: 'Domestic abuse outreach',
    description:
      'Support for adults and children living with or escaping domestic abuse, with safe places to meet.',
    category: 'domestic_abuse',
    ages: [null, null],
    sites: ['watford', 'hitchin'],
    schedules: [['MO,TU,WE,TH,FR', '09:00', '17:00']],
    languages: [
      ['en', 'English'],
      ['ar', 'Arabic'],
      ['so', 'Somali'],
    ],
  },
  {
    key: 'da-children',
    organization: 'refuge',
    name: 'Children’s recovery group',
    description: 'A group for children aged 5 to 12 who have lived with domestic abuse.',
    category: 'domestic_abuse',
    ages: [5, 12],
    sites: ['stevenageEast'],
    schedules: [['WE', '16:00', '17:30']],
    languages: [['en', 'English']],
  },
];

/** The demo's fictional services as Open Referral UK services. */
export function demoServices(): OrukService[] {
  const id = (...parts: string[]) => derivedId('hearth-demo-directory', ...parts);
  return SERVICES.map((s): OrukService => {
    const serviceId = id('service', s.key);
    const orgId = id('organization', s.organization);
    const category = CATEGORIES[s.category];
    return {
      id: serviceId,
      organization_id: orgId,
      name: s.name,
      description: s.description,
      url: `https://example.org/services/${s.key}`,
      email: `${s.key}@example.org`,
      status: 'active',
      minimum_age: s.ages[0],
      maximum_age: s.ages[1],
      last_modified: '2026-09-01T09:00:00.000Z',
      organization: {
        id: orgId,
        name: ORGS[s.organization] ?? s.organization,
        description: `${ORGS[s.organization] ?? s.organization} is a fictional organisation in Hearth’s demo.`,
        email: null,
        website: 'https://example.org',
      },
      schedules: s.schedules.map(([byday, opens, closes], i) => ({
        id: id('schedule', s.key, String(i)),
        service_id: serviceId,
        freq: 'WEEKLY',
        interval: 1,
        byday,
        opens_at: opens,
        closes_at: closes,
        description: null,
      })),
      service_at_locations: s.sites.map((key) => {
        const site = SITES[key];
        const locationId = id('location', key);
        return {
          id: id('service_at_location', s.key, key),
          service_id: serviceId,
          location_id: locationId,
          location: {
            id: locationId,
            location_type: 'physical',
            name: site.name,
            latitude: null,
            longitude: null,
            addresses: [
              {
                id: derivedId('address', locationId),
                location_id: locationId,
                address_1: site.street,
                city: site.town,
                state_province: 'England',
                postal_code: site.postcode,
                country: 'GB',
                address_type: 'physical',
              },
            ],
          },
        };
      }),
      languages: s.languages.map(([code, name]) => ({
        id: id('language', s.key, code),
        service_id: serviceId,
        name,
        code,
      })),
      attributes: [
        {
          id: id('attribute', s.key, s.category),
          link_id: serviceId,
          link_type: 'service',
          link_entity: 'service',
          taxonomy_term_id: category.id,
          taxonomy_term: {
            id: category.id,
            code: s.category,
            name: category.name,
            description: category.description,
            taxonomy_id: CATEGORY_TAXONOMY.id,
            taxonomy: CATEGORY_TAXONOMY.name,
            taxonomy_detail: { ...CATEGORY_TAXONOMY, uri: null, version: null },
          },
        },
      ],
    };
  });
}

/** Hearth's category taxonomy and its terms (migration 0023 adds them too; this keeps them whatever happened since). */
export async function saveCategoryTaxonomy(db: Kysely<Database>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('directory_taxonomies')
      .values({ ...CATEGORY_TAXONOMY, uri: null, version: null, source: null })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    await trx
      .insertInto('directory_taxonomy_terms')
      .values(
        Object.entries(CATEGORIES).map(([code, c]) => ({
          id: c.id,
          taxonomy_id: CATEGORY_TAXONOMY.id,
          code,
          name: c.name,
          description: c.description,
        })),
      )
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  });
}

/** Seeds the demo directory (one transaction). */
export async function seedDemoDirectory(db: Kysely<Database>): Promise<number> {
  await saveCategoryTaxonomy(db);
  const services = demoServices();
  await db.transaction().execute(async (trx) => {
    for (const service of services) await saveService(trx, service, null);
  });
  return services.length;
}
