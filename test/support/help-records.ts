import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/database.ts';

/**
 * Inserts one real row into every table of the help record (episode through care leaving) for a
 * person, as a closed episode so it never collides with an open one. Returns the episode id.
 * Used where a test must cover every table that points at a person (merge) or at an episode.
 */
export async function fillHelpRecords(
  db: Kysely<Database>,
  input: { organisationId: string; personId: string; teamId: string; userId: string; carerPersonId?: string },
): Promise<string> {
  const { organisationId, personId, userId } = input;
  const threshold = await db
    .insertInto('threshold_guidance_versions')
    .values({
      organisation_id: organisationId,
      version: `v-${Math.random().toString(36).slice(2, 8)}`,
      title: 'Help for families: our threshold guidance',
      published_on: '2024-04-01',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const episode = await db
    .insertInto('help_episodes')
    .values({
      organisation_id: organisationId,
      person_id: personId,
      started_on: '2019-01-02',
      status: 'closed',
      status_since: '2023-06-30',
      closed_on: '2023-06-30',
      closure_reason: 'RC7',
      created_by: userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const episodeId = episode.id;
  await db
    .insertInto('episode_status_changes')
    .values({
      episode_id: episodeId,
      from_status: null,
      to_status: 'assessment',
      changed_on: '2019-01-02',
      reason: 'Front door decision',
    })
    .execute();
  const request = await db
    .insertInto('help_requests')
    .values({
      organisation_id: organisationId,
      person_id: personId,
      episode_id: episodeId,
      status: 'decided',
      received_at: '2019-01-02T09:00:00Z',
      requester_kind: 'professional',
      referral_source: '2A',
      worry: 'Often hungry at school',
      primary_need: 'N7',
      decision: 'assessment',
      decision_reason: 'Needs a fuller picture',
      decision_threshold_id: threshold.id,
      decided_by: userId,
      decided_at: '2019-01-02T15:00:00Z',
      team_id: input.teamId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const referral = await db
    .insertInto('cin_referrals')
    .values({
      episode_id: episodeId,
      request_id: request.id,
      referral_date: '2019-01-02',
      referral_source: '2A',
      primary_need: 'N7',
      closed_on: '2023-06-30',
      closure_reason: 'RC7',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const assessment = await db
    .insertInto('assessments')
    .values({
      episode_id: episodeId,
      person_id: personId,
      cin_referral_id: referral.id,
      kind: 'child_and_family',
      status: 'authorised',
      started_on: '2019-01-03',
      due_on: '2019-03-07',
      completed_on: '2019-02-20',
      authorised_on: '2019-02-21',
      authorised_by: userId,
      child_seen: true,
      outcome: 'child_in_need_plan',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('assessment_factors').values({ assessment_id: assessment.id, factor: '3A' }).execute();
  await db
    .insertInto('assessment_circumstances')
    .values({
      assessment_id: assessment.id,
      area: 'food',
      need_identified: true,
      detail: 'Food bank referral',
    })
    .execute();
  const plan = await db
    .insertInto('plans')
    .values({
      episode_id: episodeId,
      person_id: personId,
      cin_referral_id: referral.id,
      kind: 'child_protection',
      status: 'ended',
      started_on: '2019-03-01',
      ended_on: '2019-09-01',
      initial_category: 'NEG',
      latest_category: 'NEG',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('plan_goals')
    .values({ plan_id: plan.id, position: 1, goal: 'Meals every day', who: 'Mum' })
    .execute();
  await db
    .insertInto('plan_reviews')
    .values({
      plan_id: plan.id,
      reviewed_on: '2019-06-01',
      family_view: 'Things are better',
      decision: 'continue',
    })
    .execute();
  await db
    .insertInto('visits')
    .values({
      episode_id: episodeId,
      person_id: personId,
      visited_on: '2019-03-10',
      kind: 'home',
      child_seen: true,
      child_seen_alone: true,
      what_happened: 'Visited at home',
    })
    .execute();
  await db
    .insertInto('practice_notes')
    .values({
      episode_id: episodeId,
      person_id: personId,
      occurred_at: '2019-03-11T10:00:00Z',
      kind: 'phone_call',
      title: 'Call with school',
      body: 'Attendance improving',
    })
    .execute();
  await db
    .insertInto('chronology_entries')
    .values({
      person_id: personId,
      episode_id: episodeId,
      occurred_on: '2019-01-02',
      kind: 'curated',
      event: 'note',
      summary: 'Moved school',
      added_by: userId,
    })
    .execute();
  await db
    .insertInto('documents')
    .values({
      person_id: personId,
      episode_id: episodeId,
      title: 'Letter',
      filename: 'letter.txt',
      content_type: 'text/plain',
      size_bytes: 5,
      sha256: '0'.repeat(64),
      content: new TextEncoder().encode('hello'),
    })
    .execute();
  await db
    .insertInto('tasks')
    .values({
      organisation_id: organisationId,
      person_id: personId,
      episode_id: episodeId,
      kind: 'visit_due',
      title: 'Visit',
      due_on: '2019-04-01',
      completed_at: '2019-04-01T10:00:00Z',
    })
    .execute();
  await db
    .insertInto('practical_help')
    .values({
      episode_id: episodeId,
      person_id: personId,
      given_on: '2019-02-01',
      kind: 'food',
      amount_pence: 3000,
      description: 'Food vouchers',
    })
    .execute();
  const strategy = await db
    .insertInto('strategy_discussions')
    .values({
      episode_id: episodeId,
      person_id: personId,
      held_on: '2019-02-22',
      decision: 'section47',
      reason: 'Injury',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('strategy_discussion_contributions')
    .values({
      strategy_discussion_id: strategy.id,
      position: 1,
      agency: 'police',
      organisation: 'Police',
      person_name: 'DC Test',
      person_role: 'Detective constable',
      said: 'No police records for the household.',
    })
    .execute();
  const s47 = await db
    .insertInto('section47_enquiries')
    .values({
      episode_id: episodeId,
      person_id: personId,
      cin_referral_id: referral.id,
      strategy_discussion_id: strategy.id,
      started_on: '2019-02-22',
      completed_on: '2019-02-28',
      outcome: 'initial_conference',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const conference = await db
    .insertInto('conferences')
    .values({
      episode_id: episodeId,
      person_id: personId,
      section47_id: s47.id,
      plan_id: plan.id,
      kind: 'initial',
      held_on: '2019-03-01',
      outcome_plan: true,
      category: 'NEG',
      report_shared_on: '2019-02-25',
      report_shared_how: 'in_person',
      advocate_offered: true,
      advocate_taken_up: false,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const coreGroup = await db
    .insertInto('core_group_meetings')
    .values({
      plan_id: plan.id,
      episode_id: episodeId,
      held_on: '2019-03-12',
      family_view: 'Mum says mornings are easier.',
      recorded_by: userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('meeting_participants')
    .values([
      { conference_id: conference.id, position: 1, name: 'Mum', role: 'Mum', kind: 'parent', attended: true },
      { core_group_id: coreGroup.id, position: 1, name: 'Mum', role: 'Mum', kind: 'parent', attended: true },
    ])
    .execute();
  const preProceedings = await db
    .insertInto('pre_proceedings')
    .values({ episode_id: episodeId, person_id: personId, started_on: '2019-10-01' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('family_network_meetings')
    .values([
      { episode_id: episodeId, conference_id: conference.id, offered_on: '2019-03-01', response: 'declined' },
      {
        episode_id: episodeId,
        pre_proceedings_id: preProceedings.id,
        offered_on: '2019-10-01',
        response: 'accepted',
        held_on: '2019-10-20',
        family_plan: 'Grandma helps every weekend.',
      },
    ])
    .execute();
  const carePlan = await db
    .insertInto('plans')
    .values({
      episode_id: episodeId,
      person_id: personId,
      kind: 'care',
      status: 'ended',
      started_on: '2020-01-01',
      ended_on: '2021-01-01',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const careReview = await db
    .insertInto('plan_reviews')
    .values({
      plan_id: carePlan.id,
      reviewed_on: '2020-01-28',
      family_view: 'Mum wants her home',
      decision: 'continue',
      participation: 'PN1',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const period = await db
    .insertInto('care_periods')
    .values({
      episode_id: episodeId,
      person_id: personId,
      started_on: '2020-01-01',
      ended_on: '2021-01-01',
      category_of_need: 'N1',
      reason_ceased: 'E4A',
      care_plan_id: carePlan.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('care_reviews')
    .values({
      plan_review_id: careReview.id,
      care_period_id: period.id,
      sequence: 1,
      due_on: '2020-01-29',
      return_home_considered: true,
      return_home_steps: 'Overnight stays at home first.',
      return_home_family_view: 'Mum agrees.',
    })
    .execute();
  await db
    .insertInto('personal_education_plans')
    .values({ person_id: personId, care_period_id: period.id, held_on: '2020-03-02', recorded_by: userId })
    .execute();
  await db
    .insertInto('legal_statuses')
    .values({ care_period_id: period.id, code: 'C2', started_on: '2020-01-01', ended_on: '2021-01-01' })
    .execute();
  await db
    .insertInto('placements')
    .values({
      care_period_id: period.id,
      placement_type: 'U3',
      provider: 'PR1',
      carer_person_id: input.carerPersonId ?? null,
      carer_name: 'Grandma',
      weekly_cost_pence: 25000,
      with_siblings: 'not_applicable',
      recorded_by: userId,
      started_on: '2020-01-01',
      ended_on: '2021-01-01',
    })
    .execute();
  await db
    .insertInto('missing_episodes')
    .values({
      person_id: personId,
      care_period_id: period.id,
      kind: 'M',
      started_on: '2020-05-01',
      ended_on: '2020-05-02',
    })
    .execute();
  await db
    .insertInto('health_checks')
    .values({ person_id: personId, kind: 'dental_check', on_date: '2020-06-01' })
    .execute();
  await db
    .insertInto('permanence_decisions')
    .values({
      person_id: personId,
      care_period_id: period.id,
      decision_on: '2020-07-01',
      ceased_on: '2020-12-01',
      ceased_reason: 'RD1',
    })
    .execute();
  await db
    .insertInto('care_leavers')
    .values({
      person_id: personId,
      episode_id: episodeId,
      eligibility: 'qualifying',
      staying_put_from: '2021-01-01',
      staying_put_until: '2021-06-30',
    })
    .execute();
  await db
    .insertInto('care_leaver_contacts')
    .values({
      person_id: personId,
      contacted_on: '2021-02-01',
      in_touch: 'YES',
      activity: 'F2',
      accommodation: 'B1',
    })
    .execute();
  await db
    .insertInto('liberty_orders')
    .values({ person_id: personId, started_on: '2020-03-01', ended_on: '2020-04-01' })
    .execute();
  await db
    .insertInto('allocations')
    .values({
      person_id: personId,
      team_id: input.teamId,
      worker_user_id: userId,
      episode_id: episodeId,
      started_at: '2019-01-02T00:00:00Z',
      ended_at: '2023-06-30T00:00:00Z',
      change_reason: 'MANAGE',
    })
    .execute();
  return episodeId;
}
