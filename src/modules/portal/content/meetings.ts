import { londonDate } from '../../../platform/clock.ts';
import type { Deps } from '../../../platform/deps.ts';
import type { FamilyActor } from '../family-actor.ts';
import { auditFamilyView, familyChild, type FamilyChild, type PortalContext } from './common.ts';
import { MEETING_KINDS, type MeetingKind } from './words.ts';

/**
 * Upcoming meetings about the child, for the family: child protection conferences, core groups,
 * reviews of plans (a care plan's review is the looked-after review) and family network meetings.
 * Only the date, the kind and whether a report has been shared: never who is invited or why.
 */

export type FamilyMeeting = {
  readonly kind: MeetingKind;
  readonly title: string;
  /** Null when the date is still to be agreed. */
  readonly on: string | null;
  /** Only conferences have a report shared before them; null where that does not apply. */
  readonly reportShared: { readonly sharedOn: string | null; readonly inPortal: boolean } | null;
  /** The conference, so the family can give their view before it. */
  readonly conferenceId: string | null;
};

export type FamilyMeetingsPage = { readonly child: FamilyChild; readonly meetings: readonly FamilyMeeting[] };

/** The child's upcoming meetings, soonest first (section 'meetings'). Audited as a family view. */
export async function familyMeetings(
  deps: Deps,
  actor: FamilyActor,
  input: { childId: string } & PortalContext,
): Promise<FamilyMeetingsPage> {
  const child = await familyChild(deps.db, actor, input.childId, 'meetings');
  const meetings = await upcomingMeetings(deps, actor, child.id);
  await auditFamilyView(deps.db, actor, {
    childId: child.id,
    purpose: 'meetings',
    requestId: input.requestId,
    route: input.route ?? '/family/children/:childId/meetings',
  });
  return { child, meetings };
}

/** The upcoming meetings, without auditing (the caller has checked the child and audits its view). */
export async function upcomingMeetings(
  deps: Deps,
  actor: FamilyActor,
  childId: string,
): Promise<FamilyMeeting[]> {
  const today = londonDate(deps.clock.now());
  const db = deps.db;
  const [conferences, shares, plans, coreGroups, networkMeetings] = await Promise.all([
    db
      .selectFrom('conferences')
      .select(['id', 'kind', 'held_on', 'report_shared_on'])
      .where('person_id', '=', childId)
      .where('status', '=', 'planned')
      .where('held_on', '>=', today)
      .execute(),
    db
      .selectFrom('family_document_shares')
      .select(['conference_id'])
      .where('account_id', '=', actor.accountId)
      .where('child_id', '=', childId)
      .where('withdrawn_at', 'is', null)
      .where('conference_id', 'is not', null)
      .execute(),
    db
      .selectFrom('plans')
      .select(['id', 'kind', 'next_review_on'])
      .where('person_id', '=', childId)
      .where('status', '=', 'active')
      .where('next_review_on', 'is not', null)
      .where('next_review_on', '>=', today)
      .execute(),
    db
      .selectFrom('core_group_meetings')
      .innerJoin('plans', 'plans.id', 'core_group_meetings.plan_id')
      .select([
        'core_group_meetings.plan_id',
        'core_group_meetings.held_on',
        'core_group_meetings.next_meeting_on',
      ])
      .where('plans.person_id', '=', childId)
      .where('plans.status', '=', 'active')
      .orderBy('core_group_meetings.held_on', 'desc')
      .execute(),
    db
      .selectFrom('family_network_meetings')
      .innerJoin('help_episodes', 'help_episodes.id', 'family_network_meetings.episode_id')
      .select(['family_network_meetings.held_on'])
      .where('help_episodes.person_id', '=', childId)
      .where('family_network_meetings.response', '=', 'accepted')
      .where((eb) =>
        eb.or([
          eb('family_network_meetings.held_on', 'is', null),
          eb('family_network_meetings.held_on', '>=', today),
        ]),
      )
      .execute(),
  ]);
  const sharedFor = new Set(shares.map((s) => s.conference_id));
  const meetings: FamilyMeeting[] = [];
  for (const c of conferences) {
    const kind: MeetingKind = `${c.kind}_conference`;
    meetings.push({
      kind,
      title: MEETING_KINDS[kind],
      on: c.held_on,
      reportShared: { sharedOn: c.report_shared_on, inPortal: sharedFor.has(c.id) },
      conferenceId: c.id,
    });
  }
  // Only the latest core group of each plan says when the next one is.
  const latestCoreGroup = new Map<string, string | null>();
  for (const g of coreGroups)
    if (!latestCoreGroup.has(g.plan_id)) latestCoreGroup.set(g.plan_id, g.next_meeting_on);
  for (const next of latestCoreGroup.values()) {
    if (next !== null && next >= today)
      meetings.push({
        kind: 'core_group',
        title: MEETING_KINDS.core_group,
        on: next,
        reportShared: null,
        conferenceId: null,
      });
  }
  for (const p of plans) {
    // A child protection plan is reviewed at a review conference, listed above once it is arranged.
    if (p.kind === 'child_protection') continue;
    const kind: MeetingKind = p.kind === 'care' ? 'care_review' : 'plan_review';
    meetings.push({
      kind,
      title: MEETING_KINDS[kind],
      on: p.next_review_on,
      reportShared: null,
      conferenceId: null,
    });
  }
  for (const m of networkMeetings) {
    meetings.push({
      kind: 'family_network',
      title: MEETING_KINDS.family_network,
      on: m.held_on,
      reportShared: null,
      conferenceId: null,
    });
  }
  return meetings.sort((a, b) => (a.on ?? '9999').localeCompare(b.on ?? '9999'));
}
