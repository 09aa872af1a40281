import { loadActor } from '../access/access.repository.ts';
import type { Actor } from '../access/actor.ts';
import { londonDate } from '../../platform/clock.ts';
import type { Deps } from '../../platform/deps.ts';
import { partsFromIso, type DateParts } from '../people/person-form.ts';
import { recordConsent } from '../partners/consent.ts';
import { recordSharingDecision } from '../partners/sharing.ts';
import { addProgressUpdate, addSharedAction, currentPlanOf } from '../partners/shared-plan.ts';
import { addMember } from '../partners/team-around-family.ts';
import type { DemoHelpIds } from './demo-help.ts';

/**
 * The demo's partner work (0022_partners.sql), written through the partner services:
 *   - Hannah Price, designated safeguarding lead at Shephall Green Primary School
 *     (dsl@demo.hearth.invalid), is in Amara Bennett's team around the family on Jade Bennett's
 *     consent, has added an action to the shared plan and a progress update; the decisions to share
 *     (and one not to share) are recorded on Amara's information sharing page.
 *   - DC Ravi Iyer of Demo Constabulary (police@demo.hearth.invalid) is the police member of the
 *     South multi-agency child protection team (a team of the council whose members come from several
 *     organisations), to which Tyler Dawson is allocated beside his South family help team.
 */
export const MULTI_AGENCY_TEAM = 'South multi-agency child protection team';

const REQUEST_ID = 'demo-seed';

function daysAgo(deps: Deps, days: number): DateParts {
  return partsFromIso(londonDate(new Date(deps.clock.now().getTime() - days * 86_400_000)));
}

async function actor(deps: Deps, userId: string | undefined): Promise<Actor | undefined> {
  return userId ? loadActor(deps.db, userId) : undefined;
}

export async function seedDemoPartners(deps: Deps, ids: DemoHelpIds): Promise<void> {
  const sam = await actor(deps, ids.users.get('practitioner@demo.hearth.invalid'));
  const hannah = await actor(deps, ids.users.get('dsl@demo.hearth.invalid'));
  const officer = await actor(deps, ids.users.get('police@demo.hearth.invalid'));
  const amara = ids.people.get('amara');
  const jade = ids.people.get('jade');
  const tyler = ids.people.get('tyler');
  if (!sam || !hannah || !officer || !amara || !jade || !tyler) return;

  // Amara: consent from her mother to share the plan with school; the DSL joins the team.
  const consentId = await recordConsent(deps, sam, {
    childId: amara,
    values: {
      givenByPersonId: jade,
      givenByRole: 'parent',
      purpose: 'Sharing Amara’s child in need plan and its progress with her school',
      organisationIds: [hannah.organisationId],
      otherRecipients: '',
      validFrom: daysAgo(deps, 60),
      validUntil: { day: '', month: '', year: '' },
      howGiven: 'written',
    },
    requestId: REQUEST_ID,
  });
  await addMember(deps, sam, {
    childId: amara,
    values: {
      userId: sam.userId,
      teamRole: 'Social worker',
      isLead: 'yes',
      legalBasis: '',
      consentId: '',
      basisNote: '',
      fromOn: daysAgo(deps, 60),
    },
    requestId: REQUEST_ID,
  });
  await addMember(deps, sam, {
    childId: amara,
    values: {
      userId: hannah.userId,
      teamRole: 'Designated safeguarding lead',
      isLead: 'no',
      legalBasis: 'consent',
      consentId,
      basisNote: '',
      fromOn: daysAgo(deps, 58),
    },
    requestId: REQUEST_ID,
  });
  await recordSharingDecision(deps, sam, {
    childId: amara,
    values: {
      decision: 'share',
      recipientOrganisationId: hannah.organisationId,
      recipientName: 'Hannah Price, designated safeguarding lead',
      what: 'The child in need plan and the dates of its reviews',
      why: 'School has actions in the plan (breakfast club, reading support)',
      lawfulBasis: 'consent',
      basisDetail: '',
      consentId,
      reasonNotShared: '',
      decidedOn: daysAgo(deps, 58),
    },
    requestId: REQUEST_ID,
  });
  await recordSharingDecision(deps, sam, {
    childId: amara,
    values: {
      decision: 'not_share',
      recipientOrganisationId: '',
      recipientName: 'Amara’s father’s new partner',
      what: 'Where Amara and her mother are living and how she is doing at school',
      why: 'Asked by phone to pass on news',
      lawfulBasis: '',
      basisDetail: '',
      consentId: '',
      reasonNotShared:
        'No consent from Jade or Amara and no safeguarding reason to share; sharing the address could put them at risk.',
      decidedOn: daysAgo(deps, 30),
    },
    requestId: REQUEST_ID,
  });
  if (await currentPlanOf(deps.db, amara)) {
    const goalId = await addSharedAction(deps, hannah, {
      childId: amara,
      values: {
        goal: 'Amara has breakfast before lessons every day',
        who: 'School – a free place at breakfast club; Ms Price checks in with Amara each morning',
        byWhen: daysAgo(deps, -30),
        progress: 'in_progress',
      },
      requestId: REQUEST_ID,
    });
    await addProgressUpdate(deps, hannah, {
      childId: amara,
      goalId,
      values: {
        note: 'Amara came to breakfast club every day this week and is on time for registration.',
        progress: 'in_progress',
      },
      requestId: REQUEST_ID,
    });
  }

  // Tyler: the South multi-agency child protection team (social care and police).
  const teamId = ids.teams.get(MULTI_AGENCY_TEAM);
  if (!teamId) return;
  const team = { id: teamId };
  await deps.db.updateTable('teams').set({ multi_agency: true }).where('id', '=', team.id).execute();
  await deps.db
    .updateTable('team_memberships')
    .set({ agency: 'police' })
    .where('team_id', '=', team.id)
    .where('user_id', '=', officer.userId)
    .execute();
  await deps.db
    .insertInto('allocations')
    .values({ person_id: tyler, team_id: team.id, worker_user_id: null, is_lead: false })
    .execute();
}
