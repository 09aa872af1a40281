import { recordAudit } from '../../platform/audit/audit.ts';
import { londonDate } from '../../platform/clock.ts';
import type { Deps } from '../../platform/deps.ts';
import { InvalidInputError, NotFoundError } from '../../platform/errors.ts';
import { can, type Actor } from '../access/actor.ts';
import { UUID, type Executor } from '../help/access.ts';
import { ErrorList, parseDate, type DateParts } from '../people/person-form.ts';
import { childInScope, isPartner, viewChild, type ChildRow } from './access.ts';
import { AGENCIES, agencyOfOrganisation } from './codes.ts';

/**
 * Section 47 enquiries recorded per agency: each agency's part (what enquiries it made, what it
 * found), by whom and when, beside children's social care's own. Police, health and education
 * colleagues in a multi-agency child protection team record their own agency's contribution.
 */

type Context = { readonly requestId?: string | null | undefined; readonly route?: string };

export type ContributionView = {
  readonly agency: string;
  readonly organisation: string;
  readonly by: string;
  readonly on: string;
  readonly enquiriesMade: string;
  readonly findings: string;
};

export async function contributionsOf(db: Executor, section47Id: string): Promise<ContributionView[]> {
  const rows = await db
    .selectFrom('section47_agency_contributions as c')
    .innerJoin('users', 'users.id', 'c.contributed_by')
    .innerJoin('organisations', 'organisations.id', 'c.organisation_id')
    .select([
      'c.agency',
      'c.contributed_on',
      'c.enquiries_made',
      'c.findings',
      'users.display_name',
      'organisations.name as organisation_name',
    ])
    .where('c.section47_id', '=', section47Id)
    .orderBy('c.contributed_on')
    .orderBy('c.recorded_at')
    .execute();
  return rows.map((r) => ({
    agency: AGENCIES[r.agency],
    organisation: r.organisation_name,
    by: r.display_name,
    on: r.contributed_on,
    enquiriesMade: r.enquiries_made,
    findings: r.findings,
  }));
}

async function enquiryOf(db: Executor, childId: string, section47Id: string) {
  if (!UUID.test(section47Id)) throw new NotFoundError();
  const row = await db
    .selectFrom('section47_enquiries')
    .select(['id', 'started_on', 'completed_on'])
    .where('id', '=', section47Id)
    .where('person_id', '=', childId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return row;
}

export type Section47AgenciesPage = {
  readonly child: ChildRow;
  readonly enquiry: { id: string; startedOn: string; completedOn: string | null };
  readonly contributions: readonly ContributionView[];
  readonly agency: string;
  readonly canContribute: boolean;
};

/**
 * The agencies' contributions to one section 47 enquiry (audited as a view). Staff of the authority
 * read it through the help record; partners through their partner scope with the contribution role.
 */
export async function section47AgenciesPage(
  deps: Deps,
  actor: Actor,
  input: { childId: string; section47Id: string } & Context,
): Promise<Section47AgenciesPage> {
  const partner = isPartner(actor);
  const child = await viewChild(deps.db, actor, deps.clock, {
    childId: input.childId,
    resource: partner ? 'section47_contribution' : 'help',
    action: partner ? 'write' : 'read',
    route: input.route ?? '/children/:id/section-47/:sid/agencies',
    purpose: 'section47_agencies',
    requestId: input.requestId,
  });
  const enquiry = await enquiryOf(deps.db, child.id, input.section47Id);
  const [contributions, canContribute, organisation] = await Promise.all([
    contributionsOf(deps.db, enquiry.id),
    mayContribute(deps, actor, child.id),
    deps.db
      .selectFrom('organisations')
      .select('kind')
      .where('id', '=', actor.organisationId)
      .executeTakeFirstOrThrow(),
  ]);
  return {
    child,
    enquiry: { id: enquiry.id, startedOn: enquiry.started_on, completedOn: enquiry.completed_on },
    contributions,
    agency: AGENCIES[agencyOfOrganisation(organisation.kind)],
    canContribute: canContribute && enquiry.completed_on === null,
  };
}

async function mayContribute(deps: Deps, actor: Actor, childId: string): Promise<boolean> {
  if (!can(actor, 'section47_contribution', 'write')) return false;
  try {
    await childInScope(deps.db, actor, deps.clock, childId, 'section47_contribution', 'write');
    return true;
  } catch {
    return false;
  }
}

export type ContributionValues = {
  readonly contributedOn: DateParts;
  readonly enquiriesMade: string;
  readonly findings: string;
};

/** Records the actor's agency's contribution to an open section 47 enquiry. */
export async function addSection47Contribution(
  deps: Deps,
  actor: Actor,
  input: { childId: string; section47Id: string; values: ContributionValues } & Context,
): Promise<string> {
  return deps.db.transaction().execute(async (trx) => {
    const child = await childInScope(
      trx,
      actor,
      deps.clock,
      input.childId,
      'section47_contribution',
      'write',
    );
    const enquiry = await enquiryOf(trx, child.id, input.section47Id);
    const errors = new ErrorList();
    if (enquiry.completed_on !== null)
      errors.add(
        'enquiriesMade',
        'This section 47 enquiry has been completed: contributions can no longer be added',
      );
    const on = parseDate(errors, 'contributedOn', 'Date of your contribution', input.values.contributedOn, {
      required: 'Enter the date of your contribution',
    });
    const today = londonDate(deps.clock.now());
    if (on && on > today)
      errors.addDate('contributedOn', 'Date of your contribution must be today or in the past', [
        'day',
        'month',
        'year',
      ]);
    if (on && on < enquiry.started_on)
      errors.addDate('contributedOn', 'Date of your contribution must be on or after the enquiry started', [
        'day',
        'month',
        'year',
      ]);
    const made = input.values.enquiriesMade.trim();
    if (made === '') errors.add('enquiriesMade', 'Enter the enquiries your agency made');
    else if (made.length > 5000)
      errors.add('enquiriesMade', 'The enquiries made must be 5000 characters or fewer');
    const findings = input.values.findings.trim();
    if (findings === '') errors.add('findings', 'Enter what your agency found');
    else if (findings.length > 5000)
      errors.add('findings', 'What your agency found must be 5000 characters or fewer');
    errors.throwIfAny();
    if (!on) throw new InvalidInputError([]);
    const organisation = await trx
      .selectFrom('organisations')
      .select('kind')
      .where('id', '=', actor.organisationId)
      .executeTakeFirstOrThrow();
    const row = await trx
      .insertInto('section47_agency_contributions')
      .values({
        section47_id: enquiry.id,
        agency: agencyOfOrganisation(organisation.kind),
        organisation_id: actor.organisationId,
        contributed_by: actor.userId,
        contributed_on: on,
        enquiries_made: made,
        findings,
        recorded_at: deps.clock.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'section47.agency_contribution',
      entityType: 'section47_enquiry',
      entityId: enquiry.id,
      detail: { personId: child.id, contributionId: row.id },
      requestId: input.requestId ?? null,
    });
    return row.id;
  });
}
