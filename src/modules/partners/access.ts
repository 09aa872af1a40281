import { recordView } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { ForbiddenError, NotFoundError } from '../../platform/errors.ts';
import { can, scopeFor, type Actor } from '../access/actor.ts';
import { personInScopeFor } from '../access/person-scope.ts';
import { UUID, type Executor } from '../help/access.ts';
import { restrictedFromViewer } from '../people/restrictions.ts';

/**
 * What a partner practitioner may see of a child (everything else in Hearth stays "not found" or
 * "forbidden" for them, because their role holds no other permission):
 *   - the child's name and date of birth;
 *   - the team around the family: its members, their organisations and roles, the lead practitioner;
 *   - the shared plan: its kind, dates, the family's and the child's words about it, its actions
 *     (who does what by when, how it is going) and every progress update, each with who added it
 *     and for which organisation;
 *   - the meetings of the plan they may be part of: child protection conferences and core group
 *     meetings, by date and kind only (not what was said or decided);
 *   - for multi-agency team members: the child's section 47 enquiries by start date, and the
 *     agencies' contributions to them.
 * Never: assessments and their analysis, case notes, visits, the chronology, documents, care and
 * placement details, the family network, other family members, the record's access log.
 * A restricted record shows a partner the name only, unless the restriction names them.
 */
export const PARTNER_ALLOW_LIST = [
  'name',
  'date_of_birth',
  'team_around_family',
  'shared_plan',
  'plan_meetings',
  'section47_contributions',
] as const;

export type ChildRow = {
  readonly id: string;
  readonly given_name: string;
  readonly family_name: string;
  readonly date_of_birth: string | null;
  readonly organisation_id: string;
};

/** True when the actor reaches children only through partner routes. */
export function isPartner(actor: Actor): boolean {
  return scopeFor(actor, 'partner_record', 'read') === 'partner';
}

/** The child, if the actor holds `resource`/`action` and the child is in that scope; otherwise NotFoundError. */
export async function childInScope(
  db: Executor,
  actor: Actor,
  clock: Clock,
  childId: string,
  resource: string,
  action: string,
): Promise<ChildRow> {
  if (!can(actor, resource, action)) throw new ForbiddenError();
  if (!UUID.test(childId)) throw new NotFoundError();
  const row = await db
    .selectFrom('people')
    .select([
      'people.id',
      'people.given_name',
      'people.family_name',
      'people.date_of_birth',
      'people.organisation_id',
    ])
    .where('people.id', '=', childId)
    .where('people.merged_into', 'is', null)
    .where(personInScopeFor(actor, resource, action, clock))
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return row;
}

/**
 * As childInScope, and audits the view (or the refusal) as the person routes do: 'person.view'
 * with the route and purpose, or 'access.denied'. Partner views are marked with basis 'partner'.
 */
export async function viewChild(
  db: Executor,
  actor: Actor,
  clock: Clock,
  input: {
    childId: string;
    resource: string;
    action: string;
    route: string;
    purpose: string;
    requestId?: string | null | undefined;
  },
): Promise<ChildRow> {
  try {
    const child = await childInScope(db, actor, clock, input.childId, input.resource, input.action);
    await recordView(db, {
      actorUserId: actor.userId,
      action: 'person.view',
      entityType: 'person',
      entityId: child.id,
      detail: {
        route: input.route,
        purpose: input.purpose,
        ...(scopeFor(actor, input.resource, input.action) === 'partner' ? { basis: 'partner' } : {}),
      },
      requestId: input.requestId ?? null,
    });
    return child;
  } catch (error) {
    if (error instanceof NotFoundError && UUID.test(input.childId)) {
      await recordView(db, {
        actorUserId: actor.userId,
        action: 'access.denied',
        entityType: 'person',
        entityId: input.childId,
        detail: { route: input.route },
        requestId: input.requestId ?? null,
      });
    }
    throw error;
  }
}

/** Whether an active restriction on the child leaves this actor only the name. */
export async function isRestrictedFor(db: Executor, actor: Actor, childId: string): Promise<boolean> {
  const row = await db
    .selectFrom('people')
    .select('id')
    .where('id', '=', childId)
    .where(restrictedFromViewer(actor))
    .executeTakeFirst();
  return row !== undefined;
}
