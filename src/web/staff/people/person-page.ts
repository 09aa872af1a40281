import { can } from '../../../modules/access/actor.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { personPage, type PersonPage } from '../../../modules/people/people.service.ts';
import {
  CONSISTENT_ID_MISSING_REASONS,
  DISABILITIES,
  ETHNICITIES,
  IMMIGRATION_STATUSES,
  SEXES,
  UPN_UNKNOWN_REASONS,
  isoToday,
} from '../../../modules/people/person-form.ts';
import { NAME_KINDS } from '../../../modules/people/people.service.ts';
import { wasMergedInto } from '../../../modules/people/merge.ts';
import { personPath } from '../../../modules/people/person-write.ts';
import { RESTRICTION_CATEGORIES } from '../../../modules/people/restrictions.ts';
import type { Deps } from '../../../platform/deps.ts';
import { govukDate } from '../../views.ts';
import { actorOf } from '../guard.ts';

function label(list: Readonly<Record<string, string>>, code: string | null | undefined): string {
  if (code === null || code === undefined || code === '') return '';
  return Object.hasOwn(list, code) ? (list[code] ?? code) : code;
}

/** Whole years between two ISO dates. */
export function ageOn(dateOfBirth: string, today: string): number {
  const [by = 0, bm = 0, bd = 0] = dateOfBirth.split('-').map(Number);
  const [ty = 0, tm = 0, td = 0] = today.split('-').map(Number);
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

function formatNhsNumber(value: string): string {
  return `${value.slice(0, 3)} ${value.slice(3, 6)} ${value.slice(6)}`;
}

/** What the person page shows, with every code turned into words. */
function display(page: PersonPage, today: string) {
  const d = page.details;
  if (!d) return undefined;
  const born = d.date_of_birth;
  const unborn = d.is_child && !born && d.expected_date_of_birth !== null;
  return {
    kind: !d.is_child ? 'Adult' : unborn ? 'Unborn child' : 'Child',
    preferredName: d.preferred_name,
    dateOfBirth: born ? `${govukDate(born)} (age ${ageOn(born, d.date_of_death ?? today)})` : null,
    expectedDateOfBirth: d.expected_date_of_birth ? govukDate(d.expected_date_of_birth) : null,
    dateOfDeath: d.date_of_death ? govukDate(d.date_of_death) : null,
    sex: label(SEXES, d.sex),
    genderIdentity: d.gender_identity,
    pronouns: d.pronouns,
    ethnicity: label(ETHNICITIES, d.ethnicity),
    firstLanguage: d.first_language,
    interpreterNeeded: d.interpreter_needed,
    religion: d.religion,
    disabilities: d.disabilities.map((code) => label(DISABILITIES, code)),
    immigrationStatus: label(IMMIGRATION_STATUSES, d.immigration_status),
    uasc: d.uasc,
    isChild: d.is_child,
    nhsNumber: d.nhs_number ? formatNhsNumber(d.nhs_number) : null,
    upn: d.upn,
    upnUnknownReason: d.upn_unknown_reason
      ? `${d.upn_unknown_reason}: ${label(UPN_UNKNOWN_REASONS, d.upn_unknown_reason)}`
      : null,
    consistentChildId: d.consistent_child_id,
    consistentChildIdMissingReason: label(
      CONSISTENT_ID_MISSING_REASONS,
      d.consistent_child_id_missing_reason,
    ),
    councilPersonId: d.council_person_id,
  };
}

/**
 * The person page, for children (/children/:id) and adults (/people/:id) alike: one view of the
 * record, audited once by viewPerson.
 */
export async function showPersonPage(
  deps: Deps,
  request: FastifyRequest<{ Params: { id: string } }>,
  reply: FastifyReply,
  route: string,
): Promise<FastifyReply> {
  const page = await personPage(deps, actorOf(request), request.params.id, { requestId: request.id, route });
  // Arrived from a merged record's old address (see merged-redirect.ts): say so.
  const query = request.query as Record<string, unknown>;
  const from = typeof query['merged'] === 'string' ? query['merged'] : '';
  const arrivedFromMerged = from !== '' && (await wasMergedInto(deps.db, from, page.person.id));
  const today = isoToday(deps.clock.now());
  const personHref = personPath({ id: page.person.id, isChild: page.person.isChild });
  return reply.view('pages/people/person.njk', {
    child: page.person,
    person: page.person,
    arrivedFromMerged,
    personHref,
    restricted: page.restricted ? label(RESTRICTION_CATEGORIES, page.restricted.category) : undefined,
    shown: display(page, today),
    canWrite: page.canWrite,
    canRestrict: can(actorOf(request), 'person', 'restrict') && !page.restricted,
    names: page.names.map((n) => ({ ...n, kindLabel: label(NAME_KINDS, n.kind) })),
    addresses: page.addresses,
    household: page.household.map((h) => ({ ...h, href: personPath(h) })),
    relationships: page.relationships.map((r) => ({
      ...r,
      href: personPath({ id: r.otherPersonId, isChild: r.otherIsChild }),
    })),
    professionals: page.professionals,
  });
}
