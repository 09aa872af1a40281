import { sql, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { Executor } from './access.ts';
import { addAutomaticEntry } from './chronology.ts';
import type { EpisodeStatus, HelpEpisodeTable, PlanKind } from './help.table.ts';

/**
 * One continuous episode of help per child. These functions run inside the caller's transaction and
 * keep the rules of the model in one place:
 *  - a child has at most one open episode; a new need continues it (openOrContinueEpisode);
 *  - moving between family help, assessment, child in need, child protection, looked after and care
 *    leaver changes the status (moveEpisode) and writes a status change and a chronology entry;
 *  - entering children's social care (any statutory status) from family help or a new episode starts
 *    a CIN census referral (cin_referrals); stepping down to family help or closing ends it, with a
 *    CIN census closure reason.
 */

export const STATUS_LABELS: Readonly<Record<EpisodeStatus, string>> = {
  family_help: 'Family help',
  assessment: 'Assessment',
  child_in_need: 'Child in need',
  child_protection: 'Child protection',
  looked_after: 'Looked after',
  care_leaver: 'Care leaver',
  closed: 'Closed',
};

/** Statuses that are children's social care (counted in the CIN census). */
export const STATUTORY_STATUSES: ReadonlySet<EpisodeStatus> = new Set<EpisodeStatus>([
  'assessment',
  'child_in_need',
  'child_protection',
  'looked_after',
  'care_leaver',
]);

export type Referral = {
  /** CIN census ReferralSource. */
  readonly source: string;
  /** CIN census PrimaryNeedCode. */
  readonly primaryNeed: string;
  readonly requestId?: string | null;
};

type Episode = Selectable<HelpEpisodeTable>;

export async function openEpisodeOf(
  trx: Transaction<Database>,
  personId: string,
): Promise<Episode | undefined> {
  return trx
    .selectFrom('help_episodes')
    .selectAll()
    .where('person_id', '=', personId)
    .where('closed_on', 'is', null)
    .forUpdate()
    .executeTakeFirst();
}

/** The child's open episode, if any, without a lock: for pages and checks before a change. */
export async function currentEpisode(db: Executor, personId: string): Promise<Episode | undefined> {
  return db
    .selectFrom('help_episodes')
    .selectAll()
    .where('person_id', '=', personId)
    .where('closed_on', 'is', null)
    .executeTakeFirst();
}

/** The child's lead allocation now: the team and, if one is named, the lead practitioner. */
export async function leadAllocation(
  db: Executor,
  personId: string,
): Promise<{ teamId: string; workerUserId: string | null } | undefined> {
  const row = await db
    .selectFrom('allocations')
    .select(['team_id', 'worker_user_id'])
    .where('person_id', '=', personId)
    .where('ended_at', 'is', null)
    .orderBy('is_lead', 'desc')
    .orderBy('started_at', 'desc')
    .executeTakeFirst();
  return row ? { teamId: row.team_id, workerUserId: row.worker_user_id } : undefined;
}

/**
 * The child's open episode, moved to `status` if it differs, or a new episode starting in `status`.
 * Returns the episode and the open CIN referral (if the status is statutory).
 */
export async function openOrContinueEpisode(
  trx: Transaction<Database>,
  input: {
    organisationId: string;
    personId: string;
    status: Exclude<EpisodeStatus, 'closed'>;
    on: string;
    reason: string;
    actorUserId: string | null;
    referral?: Referral;
    /** The moment of the change (deps.clock.now()), for task completion and updated_at stamps. */
    at?: Date;
  },
): Promise<{ episodeId: string; cinReferralId: string | null; continued: boolean }> {
  const existing = await openEpisodeOf(trx, input.personId);
  if (existing) {
    const moved = await moveEpisode(trx, {
      episode: existing,
      to: input.status,
      on: input.on,
      reason: input.reason,
      actorUserId: input.actorUserId,
      ...(input.referral ? { referral: input.referral } : {}),
      ...(input.at ? { at: input.at } : {}),
    });
    return { episodeId: existing.id, cinReferralId: moved.cinReferralId, continued: true };
  }
  const episode = await trx
    .insertInto('help_episodes')
    .values({
      organisation_id: input.organisationId,
      person_id: input.personId,
      started_on: input.on,
      status: input.status,
      status_since: input.on,
      created_by: input.actorUserId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('episode_status_changes')
    .values({
      episode_id: episode.id,
      from_status: null,
      to_status: input.status,
      changed_on: input.on,
      reason: input.reason,
      changed_by: input.actorUserId,
    })
    .execute();
  let cinReferralId: string | null = null;
  if (STATUTORY_STATUSES.has(input.status)) {
    cinReferralId = await startReferral(
      trx,
      episode.id,
      input.on,
      requireReferral(input.referral, input.status),
    );
  }
  await addAutomaticEntry(trx, {
    personId: input.personId,
    episodeId: episode.id,
    occurredOn: input.on,
    event: 'episode.opened',
    summary: `Help started: ${STATUS_LABELS[input.status].toLowerCase()}. ${input.reason}`,
    sourceType: 'help_episode',
    sourceId: episode.id,
    actorUserId: input.actorUserId,
  });
  return { episodeId: episode.id, cinReferralId, continued: false };
}

/**
 * Moves an open episode to another status (or closes it). Stepping into children's social care
 * starts a CIN referral; stepping down to family help ends it (RC9 after an assessment, RC7 after a
 * plan, unless a reason is given); closing ends it with the closure reason. Returns the CIN referral
 * open afterwards, if any.
 *
 * Stepping down to family help ends the active statutory plans (child in need, child protection) on
 * the step date; stepping down from child protection to child in need or assessment ends the child
 * protection plan; closing ends every active plan and completes every open task of the episode.
 */
export async function moveEpisode(
  trx: Transaction<Database>,
  input: {
    episode: Episode;
    to: EpisodeStatus;
    on: string;
    reason: string;
    actorUserId: string | null;
    referral?: Referral;
    /** CIN census ReasonForClosure: required to close; optional on a step down. */
    closureReason?: string;
    closureNote?: string | null;
    /** The moment of the change (deps.clock.now()), for task completion and updated_at stamps. */
    at?: Date;
  },
): Promise<{ cinReferralId: string | null }> {
  const { episode, to, on } = input;
  const at = input.at ?? new Date();
  if (episode.closed_on !== null) throw new Error('episode is closed');
  const open = await trx
    .selectFrom('cin_referrals')
    .select(['id', 'referral_date'])
    .where('episode_id', '=', episode.id)
    .where('closed_on', 'is', null)
    .executeTakeFirst();
  if (to === episode.status) return { cinReferralId: open?.id ?? null };

  let cinReferralId = open?.id ?? null;
  if (STATUTORY_STATUSES.has(to) && !open) {
    cinReferralId = await startReferral(trx, episode.id, on, requireReferral(input.referral, to));
  } else if (!STATUTORY_STATUSES.has(to) && open) {
    const reason =
      to === 'closed'
        ? requireClosure(input.closureReason)
        : (input.closureReason ?? (episode.status === 'assessment' ? 'RC9' : 'RC7'));
    await trx
      .updateTable('cin_referrals')
      .set({ closed_on: on, closure_reason: reason })
      .where('id', '=', open.id)
      .execute();
    cinReferralId = null;
  }

  await trx
    .updateTable('help_episodes')
    .set((eb) => ({
      status: to,
      status_since: on,
      closed_on: to === 'closed' ? on : null,
      closure_reason: to === 'closed' ? requireClosure(input.closureReason) : null,
      closure_note: to === 'closed' ? (input.closureNote ?? null) : null,
      updated_at: at,
      version: eb('version', '+', 1),
    }))
    .where('id', '=', episode.id)
    .execute();
  await trx
    .insertInto('episode_status_changes')
    .values({
      episode_id: episode.id,
      from_status: episode.status,
      to_status: to,
      changed_on: on,
      reason: input.reason,
      changed_by: input.actorUserId,
    })
    .execute();
  if (to === 'closed') {
    // Nothing is left waiting for a closed episode, whatever its kind, except the decision on a
    // request for help still waiting for one: the request stands on its own and stays in the front
    // door's tray.
    await trx
      .updateTable('tasks')
      .set({ completed_at: at, completed_by: input.actorUserId })
      .where('episode_id', '=', episode.id)
      .where('completed_at', 'is', null)
      .where((eb) =>
        eb.not(
          eb.and([
            eb('kind', '=', 'decide_request'),
            eb(
              'source_id',
              'in',
              eb
                .selectFrom('help_requests')
                .select('help_requests.id')
                .where('help_requests.status', '=', 'awaiting_decision'),
            ),
          ]),
        ),
      )
      .execute();
    // Plans end with the help (a plan never outlives its episode; the returns read ended_on).
    await endActivePlans(trx, { episodeId: episode.id, on, at, reason: 'The help ended' });
  } else if (to === 'family_help') {
    // A child in need or child protection plan does not carry on under family help.
    await endActivePlans(trx, {
      episodeId: episode.id,
      on,
      at,
      reason: 'The help stepped down to family help',
      kinds: STATUTORY_PLAN_KINDS,
    });
  } else if (episode.status === 'child_protection' && (to === 'child_in_need' || to === 'assessment')) {
    // Stepping down from child protection ends the child protection plan: it never carries on
    // under child in need (the CIN census reads its end date).
    await endActivePlans(trx, {
      episodeId: episode.id,
      on,
      at,
      reason: `The help stepped down from child protection to ${STATUS_LABELS[to].toLowerCase()}`,
      kinds: ['child_protection'],
    });
  }
  await addAutomaticEntry(trx, {
    personId: episode.person_id,
    episodeId: episode.id,
    occurredOn: on,
    event: to === 'closed' ? 'episode.closed' : 'status.changed',
    summary:
      to === 'closed'
        ? `Help ended. ${input.reason}`
        : `${STATUS_LABELS[episode.status]} → ${STATUS_LABELS[to]}. ${input.reason}`,
    sourceType: 'help_episode',
    sourceId: episode.id,
    actorUserId: input.actorUserId,
  });
  return { cinReferralId };
}

/** Plans that belong to children's social care and end when the help steps down to family help. */
const STATUTORY_PLAN_KINDS: readonly PlanKind[] = ['child_in_need', 'child_protection'];

/** Ends the episode's active plans (of the given kinds, or all) on `on`, never before they started. */
async function endActivePlans(
  trx: Transaction<Database>,
  input: { episodeId: string; on: string; at: Date; reason: string; kinds?: readonly PlanKind[] },
): Promise<void> {
  let query = trx
    .updateTable('plans')
    .set((eb) => ({
      status: 'ended',
      ended_on: sql<string>`GREATEST(${eb.ref('started_on')}, ${input.on}::date)`,
      end_reason: input.reason,
      updated_at: input.at,
      version: eb('version', '+', 1),
    }))
    .where('episode_id', '=', input.episodeId)
    .where('status', '=', 'active');
  if (input.kinds) query = query.where('kind', 'in', input.kinds);
  await query.execute();
}

async function startReferral(
  trx: Transaction<Database>,
  episodeId: string,
  on: string,
  referral: Referral,
): Promise<string> {
  const row = await trx
    .insertInto('cin_referrals')
    .values({
      episode_id: episodeId,
      request_id: referral.requestId ?? null,
      referral_date: on,
      referral_source: referral.source,
      primary_need: referral.primaryNeed,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

function requireReferral(referral: Referral | undefined, status: EpisodeStatus): Referral {
  if (!referral) throw new Error(`a referral source and primary need are needed to move into ${status}`);
  return referral;
}

function requireClosure(reason: string | undefined): string {
  if (!reason) throw new Error('a closure reason is needed to close');
  return reason;
}

/** Workers (distinct people) allocated to the child in the 12 months before `at`. */
export async function workersInLast12Months(
  db: Transaction<Database> | import('kysely').Kysely<Database>,
  personId: string,
  at: Date,
): Promise<number> {
  const since = new Date(at);
  since.setUTCFullYear(since.getUTCFullYear() - 1);
  const row = await db
    .selectFrom('allocations')
    .select((eb) => eb.fn.count<string>('worker_user_id').distinct().as('workers'))
    .where('person_id', '=', personId)
    .where('worker_user_id', 'is not', null)
    .where('started_at', '<=', at)
    .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', since)]))
    .executeTakeFirstOrThrow();
  return Number(row.workers);
}

/**
 * Allocates the child to a team (and a lead practitioner, if named): ends every active allocation of
 * the child and starts the new one, recording who, why (SSDA903 SW_REASON code) and the words.
 */
export async function allocate(
  trx: Transaction<Database>,
  input: {
    personId: string;
    episodeId: string | null;
    teamId: string;
    workerUserId: string | null;
    role: 'social_worker' | 'family_help_worker' | 'personal_adviser' | 'other' | null;
    changeReason: string | null;
    changeNote: string | null;
    byUserId: string | null;
    at: Date;
  },
): Promise<string> {
  await trx
    .updateTable('allocations')
    .set({ ended_at: input.at })
    .where('person_id', '=', input.personId)
    .where('ended_at', 'is', null)
    .execute();
  const row = await trx
    .insertInto('allocations')
    .values({
      person_id: input.personId,
      team_id: input.teamId,
      worker_user_id: input.workerUserId,
      episode_id: input.episodeId,
      is_lead: true,
      practitioner_role: input.role,
      change_reason: input.changeReason,
      change_note: input.changeNote,
      allocated_by: input.byUserId,
      started_at: input.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
