import type { Selectable } from 'kysely';
import type { Deps } from '../../platform/deps.ts';
import {
  ConflictError,
  NotFoundError,
  VersionConflictError,
  differingFields,
} from '../../platform/errors.ts';
import { addWorkingDays } from '../../platform/working-days.ts';
import type { Actor } from '../access/actor.ts';
import { ErrorList } from '../people/person-form.ts';
import { UUID, londonDate, type Executor } from '../help/access.ts';
import { addAutomaticEntry } from '../help/chronology.ts';
import { longDate } from '../help/dates.ts';
import {
  STATUS_LABELS,
  currentEpisode,
  leadAllocation,
  moveEpisode,
  openEpisodeOf,
} from '../help/episodes.ts';
import type { EpisodeStatus, HelpEpisodeTable, Section47EnquiryTable } from '../help/help.table.ts';
import { completeTasksFor, openTask } from '../help/tasks.ts';
import {
  AGENCIES,
  PRIMARY_NEEDS,
  REFERRAL_SOURCES,
  S47_OUTCOMES,
  STRATEGY_DECISIONS,
  icpcTargetOn,
  type S47Outcome,
} from './codes.ts';
import {
  audit,
  checkedDate,
  mayWrite,
  viewChildPage,
  text,
  writeChild,
  type ChildRef,
  type Context,
  type Trx,
} from './common.ts';
import { SHORT_MAX, TEXT_MAX, type OutcomeValues, type StrategyValues } from './forms.ts';
import type { Section47Additions, StrategyAgency } from './protection.table.ts';

/**
 * Strategy discussions (each agency's contribution, by who said what, and the decision with its
 * reasons) and section 47 enquiries (started by a strategy discussion's decision; their outcome moves
 * the child's one episode of help where it should go). The CIN census reads S47ActualStartDate,
 * InitialCPCtarget and ICPCnotRequired from section47_enquiries.
 */

type EpisodeRow = Selectable<HelpEpisodeTable>;
type EnquiryRow = Selectable<Section47EnquiryTable> & Selectable<Section47Additions>;

/** The statuses in which a section 47 enquiry needs no move: already children's social care. */
const STATUTORY: ReadonlySet<EpisodeStatus> = new Set<EpisodeStatus>([
  'assessment',
  'child_in_need',
  'child_protection',
  'looked_after',
  'care_leaver',
]);

export type StrategyFormPage = {
  readonly child: ChildRef;
  readonly episode: {
    readonly id: string;
    readonly status: EpisodeStatus;
    readonly statusLabel: string;
  } | null;
  /** The child has family help only: a section 47 enquiry starts a CIN referral, which needs these. */
  readonly referralNeeded: boolean;
};

async function hasOpenReferral(trx: Executor, episodeId: string): Promise<boolean> {
  const row = await trx
    .selectFrom('cin_referrals')
    .select('id')
    .where('episode_id', '=', episodeId)
    .where('closed_on', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

/** What the strategy discussion form needs (audited as a view of the child). */
export async function strategyForm(
  deps: Deps,
  actor: Actor,
  input: { personId: string } & Context,
): Promise<StrategyFormPage> {
  await writeChild(deps.db, deps, actor, input.personId);
  return viewChildPage(
    deps,
    actor,
    input.personId,
    {
      ...input,
      route: input.route ?? '/children/:id/protection/strategy-discussions/new',
      purpose: 'protection.strategy',
    },
    async (child) => {
      const episode = await currentEpisode(deps.db, child.id);
      return {
        child,
        episode: episode
          ? { id: episode.id, status: episode.status, statusLabel: STATUS_LABELS[episode.status] }
          : null,
        referralNeeded: episode ? !(await hasOpenReferral(deps.db, episode.id)) : false,
      };
    },
  );
}

async function requireOpenEpisode(trx: Trx, personId: string, field: string): Promise<EpisodeRow> {
  const episode = await openEpisodeOf(trx, personId);
  if (!episode) {
    const errors = new ErrorList();
    errors.add(field, 'This child has no open help: help starts with a request at the front door');
    errors.throwIfAny();
    throw new Error('unreachable');
  }
  return episode;
}

/**
 * Records a strategy discussion: each agency's contribution (who said what), the decision and the
 * reasons. Deciding to start a section 47 enquiry starts one on the day, with its initial conference
 * target 15 working days later; a child with family help only steps into children's social care
 * (a CIN referral, so the referral source and primary need are asked for).
 */
export async function recordStrategyDiscussion(
  deps: Deps,
  actor: Actor,
  input: { personId: string; values: StrategyValues } & Context,
): Promise<{ strategyDiscussionId: string; section47Id: string | null }> {
  const v = input.values;
  const today = londonDate(deps.clock.now());
  return deps.db.transaction().execute(async (trx) => {
    const child = await writeChild(trx, deps, actor, input.personId);
    const episode = await requireOpenEpisode(trx, child.id, 'heldOn');
    const errors = new ErrorList();
    const heldOn = checkedDate(errors, 'heldOn', 'The date of the strategy discussion', v.heldOn, {
      required: 'Enter the date of the strategy discussion',
      notAfter: today,
      notBefore: { on: episode.started_on, why: 'when the help started' },
    });
    const contributions: {
      agency: StrategyAgency;
      organisation: string | null;
      name: string;
      role: string | null;
      said: string;
    }[] = [];
    v.contributions.forEach((row, i) => {
      const n = String(i);
      const typed = [row.organisation, row.name, row.role, row.said].some((s) => s.trim() !== '');
      if (!typed) return;
      const agency = (Object.hasOwn(AGENCIES, row.agency) ? row.agency : 'other') as StrategyAgency;
      const agencyName = agency === 'other' ? 'the other agency' : AGENCIES[agency].toLowerCase();
      const organisation = text(errors, `organisation-${n}`, 'The agency', row.organisation, {
        max: SHORT_MAX,
        ...(agency === 'other' ? { required: 'Enter which agency the person is from' } : {}),
      });
      const name = text(errors, `name-${n}`, 'The name', row.name, {
        max: SHORT_MAX,
        required: `Enter the name of the person from ${agencyName}`,
      });
      const role = text(errors, `role-${n}`, 'The role', row.role, { max: SHORT_MAX });
      const said = text(errors, `said-${n}`, 'What they said', row.said, {
        required: `Enter what the person from ${agencyName} said`,
      });
      if (name && said) contributions.push({ agency, organisation, name, role, said });
    });
    if (
      contributions.length === 0 &&
      !v.contributions.some((r) => [r.name, r.said].some((s) => s.trim() !== ''))
    ) {
      errors.add('name-0', 'Enter who took part and what each of them said');
    }
    const decision = Object.hasOwn(STRATEGY_DECISIONS, v.decision)
      ? (v.decision as keyof typeof STRATEGY_DECISIONS)
      : null;
    if (!decision) errors.add('decision', 'Choose whether to start a section 47 enquiry');
    const reason = text(errors, 'reason', 'The reasons', v.reason, {
      max: TEXT_MAX,
      required: 'Explain the reasons for the decision',
    });
    const needsReferral = decision === 'section47' && !(await hasOpenReferral(trx, episode.id));
    if (needsReferral) {
      if (!Object.hasOwn(REFERRAL_SOURCES, v.referralSource))
        errors.add('referralSource', 'Choose who the referral came from');
      if (!Object.hasOwn(PRIMARY_NEEDS, v.primaryNeed))
        errors.add('primaryNeed', 'Choose the child’s main need');
    }
    errors.throwIfAny();
    if (!heldOn || !decision || !reason) throw new Error('unreachable: validated above');

    const now = deps.clock.now();
    let cinReferralId: string | null = null;
    if (decision === 'section47' && !STATUTORY.has(episode.status)) {
      const moved = await moveEpisode(trx, {
        episode,
        to: 'assessment',
        on: heldOn,
        reason: 'A strategy discussion decided to start a section 47 enquiry.',
        actorUserId: actor.userId,
        ...(needsReferral ? { referral: { source: v.referralSource, primaryNeed: v.primaryNeed } } : {}),
        at: now,
      });
      cinReferralId = moved.cinReferralId;
    } else if (decision === 'section47') {
      const open = await trx
        .selectFrom('cin_referrals')
        .select('id')
        .where('episode_id', '=', episode.id)
        .where('closed_on', 'is', null)
        .executeTakeFirst();
      cinReferralId = open?.id ?? null;
    }
    const strategy = await trx
      .insertInto('strategy_discussions')
      .values({
        episode_id: episode.id,
        person_id: child.id,
        held_on: heldOn,
        agencies: [...new Set(contributions.map((c) => c.agency))],
        decision,
        reason,
        recorded_by: actor.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('strategy_discussion_contributions')
      .values(
        contributions.map((c, i) => ({
          strategy_discussion_id: strategy.id,
          position: i + 1,
          agency: c.agency,
          organisation: c.organisation,
          person_name: c.name,
          person_role: c.role,
          said: c.said,
        })),
      )
      .execute();
    // The front door's "hold a strategy discussion" is done.
    await trx
      .updateTable('tasks')
      .set({ completed_at: now, completed_by: actor.userId })
      .where('episode_id', '=', episode.id)
      .where('kind', '=', 'other')
      .where('title', '=', 'Hold a strategy discussion')
      .where('completed_at', 'is', null)
      .execute();
    const agencies = [
      ...new Set(
        contributions.map((c) =>
          c.agency === 'other' ? (c.organisation ?? 'other') : AGENCIES[c.agency].toLowerCase(),
        ),
      ),
    ];
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: episode.id,
      occurredOn: heldOn,
      event: 'strategy.held',
      summary: `A strategy discussion was held with ${agencies.join(', ')}. Decision: ${STRATEGY_DECISIONS[decision].toLowerCase()}.`,
      sourceType: 'strategy_discussion',
      sourceId: strategy.id,
      actorUserId: actor.userId,
    });
    let section47Id: string | null = null;
    if (decision === 'section47') {
      const target = icpcTargetOn(heldOn);
      const enquiry = await trx
        .insertInto('section47_enquiries')
        .values({
          episode_id: episode.id,
          person_id: child.id,
          cin_referral_id: cinReferralId,
          strategy_discussion_id: strategy.id,
          started_on: heldOn,
          icpc_target_on: target,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      section47Id = enquiry.id;
      const lead = await leadAllocation(trx, child.id);
      await openTask(trx, {
        organisationId: episode.organisation_id,
        personId: child.id,
        episodeId: episode.id,
        kind: 'other',
        title: 'Record the outcome of the section 47 enquiry',
        dueOn: target,
        assignedUserId: lead?.workerUserId ?? null,
        assignedTeamId: lead?.teamId ?? null,
        sourceType: 'section47',
        sourceId: enquiry.id,
      });
      await addAutomaticEntry(trx, {
        personId: child.id,
        episodeId: episode.id,
        occurredOn: heldOn,
        event: 's47.started',
        summary: `A section 47 enquiry started: social workers and other agencies are finding out whether you are safe. If a conference is needed, it will be held by ${longDate(target)}.`,
        sourceType: 'section47',
        sourceId: enquiry.id,
        actorUserId: actor.userId,
      });
    }
    await audit(trx, actor, {
      action: 'protection.strategy_discussion',
      entityType: 'strategy_discussion',
      entityId: strategy.id,
      detail: {
        personId: child.id,
        episodeId: episode.id,
        decision,
        contributions: contributions.length,
        section47Id,
        cinReferralId,
      },
      requestId: input.requestId,
    });
    return { strategyDiscussionId: strategy.id, section47Id };
  });
}

export type StrategyDiscussionView = {
  readonly child: ChildRef;
  readonly id: string;
  readonly heldOn: string;
  readonly decision: string;
  readonly decisionLabel: string;
  readonly reason: string;
  readonly recordedBy: string | null;
  readonly contributions: readonly {
    readonly agencyLabel: string;
    readonly organisation: string | null;
    readonly name: string;
    readonly role: string | null;
    readonly said: string;
  }[];
  readonly section47Id: string | null;
};

/** One strategy discussion, with who said what (audited as a view of the child). */
export async function strategyDiscussionPage(
  deps: Deps,
  actor: Actor,
  input: { personId: string; strategyDiscussionId: string } & Context,
): Promise<StrategyDiscussionView> {
  return viewChildPage(
    deps,
    actor,
    input.personId,
    {
      ...input,
      route: input.route ?? '/children/:id/protection/strategy-discussions/:sid',
      purpose: 'protection.strategy',
    },
    async (child) => {
      if (!UUID.test(input.strategyDiscussionId)) throw new NotFoundError();
      const row = await deps.db
        .selectFrom('strategy_discussions')
        .leftJoin('users', 'users.id', 'strategy_discussions.recorded_by')
        .selectAll('strategy_discussions')
        .select('users.display_name')
        .where('strategy_discussions.id', '=', input.strategyDiscussionId)
        .where('strategy_discussions.person_id', '=', child.id)
        .executeTakeFirst();
      if (!row) throw new NotFoundError();
      const [contributions, enquiry] = await Promise.all([
        deps.db
          .selectFrom('strategy_discussion_contributions')
          .selectAll()
          .where('strategy_discussion_id', '=', row.id)
          .orderBy('position')
          .execute(),
        deps.db
          .selectFrom('section47_enquiries')
          .select('id')
          .where('strategy_discussion_id', '=', row.id)
          .executeTakeFirst(),
      ]);
      return {
        child,
        id: row.id,
        heldOn: row.held_on,
        decision: row.decision,
        decisionLabel: STRATEGY_DECISIONS[row.decision],
        reason: row.reason,
        recordedBy: row.display_name,
        contributions: contributions.map((c) => ({
          agencyLabel: AGENCIES[c.agency],
          organisation: c.organisation,
          name: c.person_name,
          role: c.person_role,
          said: c.said,
        })),
        section47Id: enquiry?.id ?? null,
      };
    },
  );
}

// ---------------------------------------------------------------------------------------------
// The outcome of a section 47 enquiry
// ---------------------------------------------------------------------------------------------

export type EnquiryView = {
  readonly id: string;
  readonly startedOn: string;
  readonly completedOn: string | null;
  readonly icpcTargetOn: string | null;
  readonly outcome: S47Outcome | null;
  readonly outcomeLabel: string | null;
  readonly findings: string | null;
  readonly version: number;
};

export function outcomeOf(row: EnquiryRow): S47Outcome | null {
  if (row.outcome === 'no_further_action') return 'no_further_action';
  if (row.outcome === 'initial_conference') return 'initial_conference';
  if (row.outcome === 'continue_child_in_need')
    return row.continue_with === 'family_help' ? 'family_help' : 'child_in_need';
  return null;
}

export function enquiryView(row: EnquiryRow): EnquiryView {
  const outcome = outcomeOf(row);
  return {
    id: row.id,
    startedOn: row.started_on,
    completedOn: row.completed_on,
    icpcTargetOn: row.icpc_target_on,
    outcome,
    outcomeLabel: outcome ? S47_OUTCOMES[outcome] : row.outcome === 'other' ? 'Other' : null,
    findings: row.findings,
    version: row.version,
  };
}

async function loadEnquiry(trx: Executor, personId: string, id: string): Promise<EnquiryRow> {
  if (!UUID.test(id)) throw new NotFoundError();
  const row = await trx
    .selectFrom('section47_enquiries')
    .selectAll()
    .where('id', '=', id)
    .where('person_id', '=', personId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return row;
}

/** The outcome form's page (help 'write'; audited as a view of the child). */
export async function outcomePage(
  deps: Deps,
  actor: Actor,
  input: { personId: string; enquiryId: string } & Context,
): Promise<{
  child: ChildRef;
  enquiry: EnquiryView;
  canWrite: boolean;
  episodeStatus: EpisodeStatus | null;
}> {
  return viewChildPage(
    deps,
    actor,
    input.personId,
    {
      ...input,
      route: input.route ?? '/children/:id/protection/section-47/:eid/outcome',
      purpose: 'protection.section47',
    },
    async (child) => {
      const row = await loadEnquiry(deps.db, child.id, input.enquiryId);
      const episode = await currentEpisode(deps.db, child.id);
      return {
        child,
        enquiry: enquiryView(row),
        canWrite: (await mayWrite(deps.db, deps, actor, child.id)) && episode?.id === row.episode_id,
        episodeStatus: episode?.status ?? null,
      };
    },
  );
}

const OUTCOME_LABELS = {
  completedOn: 'Date the enquiry finished',
  outcome: 'Outcome',
  findings: 'What the enquiry found',
} as const;

function savedOutcome(row: EnquiryRow): Record<string, unknown> {
  const outcome = outcomeOf(row);
  return {
    completedOn: row.completed_on ? longDate(row.completed_on) : null,
    outcome: outcome ? S47_OUTCOMES[outcome] : null,
    findings: row.findings,
  };
}

/**
 * Records the outcome of a section 47 enquiry (once; the form carries the version so a second
 * person's save gets the conflict page). Family help or child in need moves the child's help there;
 * an initial conference opens the task to hold it by the target date; no further action leaves the
 * help as it is (closing it is a separate step, with its reason).
 */
export async function recordOutcome(
  deps: Deps,
  actor: Actor,
  input: { personId: string; enquiryId: string; version: number; values: OutcomeValues } & Context,
): Promise<{ outcome: S47Outcome }> {
  const v = input.values;
  const today = londonDate(deps.clock.now());
  return deps.db.transaction().execute(async (trx) => {
    const child = await writeChild(trx, deps, actor, input.personId);
    const row = await loadEnquiry(trx, child.id, input.enquiryId);
    const back = `/children/${child.id}/protection/section-47/${row.id}/outcome`;
    const outcome = Object.hasOwn(S47_OUTCOMES, v.outcome) ? (v.outcome as S47Outcome) : null;
    if (row.version !== input.version) {
      throw new VersionConflictError(
        differingFields(OUTCOME_LABELS, savedOutcome(row), {
          completedOn: [v.completedOn.day, v.completedOn.month, v.completedOn.year].join(' ').trim(),
          outcome: outcome ? S47_OUTCOMES[outcome] : null,
          findings: v.findings.trim(),
        }),
        back,
      );
    }
    if (row.outcome !== null)
      throw new ConflictError('The outcome of this enquiry has already been recorded');
    const episode = await openEpisodeOf(trx, child.id);
    if (episode?.id !== row.episode_id) throw new ConflictError('The child’s help has ended');
    const errors = new ErrorList();
    const completedOn = checkedDate(errors, 'completedOn', 'The date the enquiry finished', v.completedOn, {
      required: 'Enter the date the enquiry finished',
      notAfter: today,
      notBefore: { on: row.started_on, why: 'when the enquiry started' },
    });
    if (!outcome) errors.add('outcome', 'Choose the outcome of the enquiry');
    const findings = text(errors, 'findings', 'What the enquiry found', v.findings, {
      max: TEXT_MAX,
      required: 'Enter what the enquiry found, in words the family would understand',
    });
    if (outcome === 'child_in_need' || outcome === 'family_help') {
      if (completedOn && completedOn < episode.status_since) {
        errors.addDate(
          'completedOn',
          `The date the enquiry finished must be on or after ${longDate(episode.status_since)}, when the current status began`,
          ['day', 'month', 'year'],
        );
      }
    }
    errors.throwIfAny();
    if (!completedOn || !outcome || !findings) throw new Error('unreachable: validated above');

    const now = deps.clock.now();
    const updated = await trx
      .updateTable('section47_enquiries')
      .set((eb) => ({
        completed_on: completedOn,
        outcome:
          outcome === 'no_further_action'
            ? 'no_further_action'
            : outcome === 'initial_conference'
              ? 'initial_conference'
              : 'continue_child_in_need',
        continue_with:
          outcome === 'family_help' ? 'family_help' : outcome === 'child_in_need' ? 'child_in_need' : null,
        icpc_not_required: outcome !== 'initial_conference',
        findings,
        outcome_recorded_by: actor.userId,
        updated_at: now,
        version: eb('version', '+', 1),
      }))
      .where('id', '=', row.id)
      .where('version', '=', input.version)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw new VersionConflictError([], back);
    await completeTasksFor(trx, {
      sourceType: 'section47',
      sourceId: row.id,
      byUserId: actor.userId,
      at: now,
    });
    let moved: EpisodeStatus | null = null;
    if (outcome === 'family_help' && episode.status !== 'family_help') {
      await moveEpisode(trx, {
        episode,
        to: 'family_help',
        on: completedOn,
        reason: 'The section 47 enquiry finished: family help continues.',
        actorUserId: actor.userId,
        at: now,
      });
      moved = 'family_help';
    } else if (
      outcome === 'child_in_need' &&
      (episode.status === 'assessment' || episode.status === 'family_help')
    ) {
      await moveEpisode(trx, {
        episode,
        to: 'child_in_need',
        on: completedOn,
        reason: 'The section 47 enquiry finished: help continues as a child in need.',
        actorUserId: actor.userId,
        at: now,
      });
      moved = 'child_in_need';
    } else if (outcome === 'initial_conference') {
      const lead = await leadAllocation(trx, child.id);
      await openTask(trx, {
        organisationId: episode.organisation_id,
        personId: child.id,
        episodeId: episode.id,
        kind: 'other',
        title: 'Hold the initial child protection conference',
        dueOn: row.icpc_target_on ?? addWorkingDays(row.started_on, 15),
        assignedUserId: lead?.workerUserId ?? null,
        assignedTeamId: lead?.teamId ?? null,
        sourceType: 'section47',
        sourceId: row.id,
      });
    }
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: episode.id,
      occurredOn: completedOn,
      event: 's47.completed',
      summary: `The section 47 enquiry finished. Outcome: ${S47_OUTCOMES[outcome].toLowerCase()}.${
        outcome === 'initial_conference' && row.icpc_target_on
          ? ` The conference will be held by ${longDate(row.icpc_target_on)}.`
          : ''
      }`,
      sourceType: 'section47',
      sourceId: row.id,
      actorUserId: actor.userId,
    });
    await audit(trx, actor, {
      action: 'protection.section47_outcome',
      entityType: 'section47_enquiry',
      entityId: row.id,
      detail: { personId: child.id, outcome, movedTo: moved },
      requestId: input.requestId,
    });
    return { outcome };
  });
}
