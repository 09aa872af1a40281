import { recordAudit } from '../../../platform/audit/audit.ts';
import { londonDate } from '../../../platform/clock.ts';
import type { Deps } from '../../../platform/deps.ts';
import {
  InvalidInputError,
  NotFoundError,
  VersionConflictError,
  type FieldError,
} from '../../../platform/errors.ts';
import type { Actor } from '../../access/actor.ts';
import { childInHelpScope, requireHelpPermission } from '../../help/access.ts';
import type { ContributionAbout, CorrectionStatus } from '../content.table.ts';
import type { FamilyActor } from '../family-actor.ts';
import {
  AUTHOR_KINDS,
  UUID,
  auditFamilyChange,
  auditFamilyView,
  familyAccountNames,
  familyChild,
  asDate,
  plainText,
  type Executor,
  type FamilyChild,
  type PortalContext,
} from './common.ts';
import { completePortalTasks, openPortalTask } from './tasks.ts';
import {
  ABOUT_LABELS,
  CORRECTION_STATUSES,
  FAMILY_ASSESSMENT_KINDS,
  FAMILY_ASSESSMENT_STATUSES,
  FAMILY_PLAN_KINDS,
  MEETING_KINDS,
  isAbout,
} from './words.ts';

/**
 * The family's own view on plans, assessments, reviews and conferences, and their corrections. A view
 * is the family's contribution, stored with who wrote it and when, never overwriting the professional
 * text; staff pages show it beside the professional view. A correction flags a factual error or
 * comments on what is written; the worker must answer it (agreed and corrected, or not agreed with the
 * reason), and the family sees the answer. Each family account sees only its own views and
 * corrections: another family member's words are theirs.
 */

export const VIEW_MAX = 10_000;
export const CORRECTION_MAX = 5_000;
export const WRONG_MAX = 2_000;
export const ANSWER_MAX = 5_000;

/** Something written about the child that the family can give their view on. */
export type AboutItem = {
  readonly type: ContributionAbout;
  readonly id: string;
  readonly title: string;
  readonly on: string | null;
  readonly detail: string | null;
};

/** Things written about the child that the family can respond to, newest first within each kind. */
export async function aboutItems(db: Executor, childId: string, today: string): Promise<AboutItem[]> {
  const [plans, reviews, assessments, conferences] = await Promise.all([
    db
      .selectFrom('plans')
      .select(['id', 'kind', 'started_on'])
      .where('person_id', '=', childId)
      .where('status', '=', 'active')
      .orderBy('started_on', 'desc')
      .execute(),
    db
      .selectFrom('plan_reviews')
      .innerJoin('plans', 'plans.id', 'plan_reviews.plan_id')
      .select(['plan_reviews.id', 'plan_reviews.reviewed_on', 'plans.kind'])
      .where('plans.person_id', '=', childId)
      .where('plans.status', '=', 'active')
      .orderBy('plan_reviews.reviewed_on', 'desc')
      .execute(),
    db
      .selectFrom('assessments')
      .select(['id', 'kind', 'status', 'started_on'])
      .where('person_id', '=', childId)
      .orderBy('started_on', 'desc')
      .execute(),
    db
      .selectFrom('conferences')
      .select(['id', 'kind', 'held_on'])
      .where('person_id', '=', childId)
      .where('status', '=', 'planned')
      .where('held_on', '>=', today)
      .orderBy('held_on')
      .execute(),
  ]);
  return [
    ...plans.map((p) => ({
      type: 'plan' as const,
      id: p.id,
      title: FAMILY_PLAN_KINDS[p.kind],
      on: p.started_on,
      detail: null,
    })),
    ...reviews.map((r) => ({
      type: 'plan_review' as const,
      id: r.id,
      title: `Review of the ${FAMILY_PLAN_KINDS[r.kind].toLowerCase()}`,
      on: r.reviewed_on,
      detail: null,
    })),
    ...assessments.map((a) => ({
      type: 'assessment' as const,
      id: a.id,
      title: FAMILY_ASSESSMENT_KINDS[a.kind],
      on: a.started_on,
      detail: FAMILY_ASSESSMENT_STATUSES[a.status],
    })),
    ...conferences.map((c) => ({
      type: 'conference' as const,
      id: c.id,
      title: MEETING_KINDS[`${c.kind}_conference`],
      on: c.held_on,
      detail: null,
    })),
  ];
}

/** The item, when it is about this child; otherwise NotFoundError. */
export async function aboutItemOf(
  db: Executor,
  childId: string,
  type: string,
  id: string,
  today: string,
): Promise<AboutItem> {
  if (!isAbout(type) || !UUID.test(id)) throw new NotFoundError();
  // Conferences can be responded to only before they are held; past ones are not in the list.
  const item = (await aboutItems(db, childId, today)).find((i) => i.type === type && i.id === id);
  if (!item) {
    // Held conferences, ended plans and so on: a view already given stays readable, but nothing new.
    throw new NotFoundError();
  }
  return item;
}

export type OwnView = {
  readonly id: string;
  readonly body: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly version: number;
};

export type OwnCorrection = {
  readonly id: string;
  readonly whatIsWrong: string | null;
  readonly comment: string;
  readonly status: CorrectionStatus;
  readonly statusLabel: string;
  readonly answer: string | null;
  readonly answeredAt: Date | null;
  readonly createdAt: Date;
};

export type FamilyViewsItem = AboutItem & {
  readonly views: readonly OwnView[];
  readonly corrections: readonly OwnCorrection[];
};

export type FamilyViewsPage = {
  readonly child: FamilyChild;
  readonly items: readonly FamilyViewsItem[];
  /**
   * What this account said about things no longer open to new views (an ended plan, a conference
   * that has been held): kept so the family still sees their words and the worker's answers.
   */
  readonly earlier: readonly {
    readonly aboutLabel: string;
    readonly views: readonly OwnView[];
    readonly corrections: readonly OwnCorrection[];
  }[];
};

function ownView(row: {
  id: string;
  body: string;
  created_at: Date;
  updated_at: Date;
  version: number;
}): OwnView {
  return {
    id: row.id,
    body: row.body,
    createdAt: asDate(row.created_at),
    updatedAt: asDate(row.updated_at),
    version: row.version,
  };
}

function ownCorrection(row: {
  id: string;
  what_is_wrong: string | null;
  comment: string;
  status: CorrectionStatus;
  answer: string | null;
  answered_at: Date | null;
  created_at: Date;
}): OwnCorrection {
  return {
    id: row.id,
    whatIsWrong: row.what_is_wrong,
    comment: row.comment,
    status: row.status,
    statusLabel: CORRECTION_STATUSES[row.status],
    answer: row.answer,
    answeredAt: row.answered_at ? asDate(row.answered_at) : null,
    createdAt: asDate(row.created_at),
  };
}

/** This account's views and corrections about this child. */
async function ownWords(db: Executor, actor: FamilyActor, childId: string) {
  const [views, corrections] = await Promise.all([
    db
      .selectFrom('family_contributions')
      .select(['id', 'about_type', 'about_id', 'body', 'created_at', 'updated_at', 'version'])
      .where('account_id', '=', actor.accountId)
      .where('child_id', '=', childId)
      .orderBy('created_at')
      .execute(),
    db
      .selectFrom('family_corrections')
      .select([
        'id',
        'about_type',
        'about_id',
        'what_is_wrong',
        'comment',
        'status',
        'answer',
        'answered_at',
        'created_at',
      ])
      .where('account_id', '=', actor.accountId)
      .where('child_id', '=', childId)
      .orderBy('created_at')
      .execute(),
  ]);
  return { views, corrections };
}

/**
 * What the family can give their view on, with this account's own views and corrections (section
 * 'views'). Audited as a family view.
 */
export async function familyViewsPage(
  deps: Deps,
  actor: FamilyActor,
  input: { childId: string } & PortalContext,
): Promise<FamilyViewsPage> {
  const child = await familyChild(deps.db, actor, input.childId, 'views');
  const today = londonDate(deps.clock.now());
  const [items, own] = await Promise.all([
    aboutItems(deps.db, child.id, today),
    ownWords(deps.db, actor, child.id),
  ]);
  await auditFamilyView(deps.db, actor, {
    childId: child.id,
    purpose: 'views',
    requestId: input.requestId,
    route: input.route ?? '/family/children/:childId/views',
  });
  return {
    child,
    items: items.map((item) => ({
      ...item,
      views: own.views.filter((v) => v.about_type === item.type && v.about_id === item.id).map(ownView),
      corrections: own.corrections
        .filter((c) => c.about_type === item.type && c.about_id === item.id)
        .map(ownCorrection),
    })),
    earlier: earlierWords(items, own),
  };
}

/** This account's words about things no longer listed, grouped by kind of thing. */
function earlierWords(items: readonly AboutItem[], own: Awaited<ReturnType<typeof ownWords>>) {
  const listed = new Set(items.map((i) => `${i.type}:${i.id}`));
  const unlisted = (r: { about_type: ContributionAbout; about_id: string }) =>
    !listed.has(`${r.about_type}:${r.about_id}`);
  return (Object.keys(ABOUT_LABELS) as ContributionAbout[]).flatMap((type) => {
    const views = own.views.filter((v) => v.about_type === type && unlisted(v)).map(ownView);
    const corrections = own.corrections
      .filter((c) => c.about_type === type && unlisted(c))
      .map(ownCorrection);
    return views.length + corrections.length === 0
      ? []
      : [{ aboutLabel: EARLIER_LABELS[type], views, corrections }];
  });
}

const EARLIER_LABELS: Readonly<Record<ContributionAbout, string>> = {
  plan: 'Plans that have ended',
  assessment: 'Assessments',
  plan_review: 'Reviews of plans that have ended',
  conference: 'Conferences that have happened',
};

/** One item with this account's own words about it: the page where the family adds a view or a correction. */
export async function familyItemPage(
  deps: Deps,
  actor: FamilyActor,
  input: { childId: string; aboutType: string; aboutId: string } & PortalContext,
): Promise<{ child: FamilyChild; item: FamilyViewsItem }> {
  const child = await familyChild(deps.db, actor, input.childId, 'views');
  const today = londonDate(deps.clock.now());
  const item = await aboutItemOf(deps.db, child.id, input.aboutType, input.aboutId, today);
  const own = await ownWords(deps.db, actor, child.id);
  await auditFamilyView(deps.db, actor, {
    childId: child.id,
    purpose: 'views',
    requestId: input.requestId,
    route: input.route ?? '/family/children/:childId/views/:type/:id',
  });
  return {
    child,
    item: {
      ...item,
      views: own.views.filter((v) => v.about_type === item.type && v.about_id === item.id).map(ownView),
      corrections: own.corrections
        .filter((c) => c.about_type === item.type && c.about_id === item.id)
        .map(ownCorrection),
    },
  };
}

function required(value: string, field: string, message: string, max: number, errors: FieldError[]): string {
  const text = plainText(value, max + 1);
  if (text === '') errors.push({ field, message });
  else if (text.length > max) errors.push({ field, message: `Use ${String(max)} characters or fewer` });
  return text;
}

/** The family adds their view on something written about the child. Returns the view's id. */
export async function addFamilyView(
  deps: Deps,
  actor: FamilyActor,
  input: { childId: string; aboutType: string; aboutId: string; body: string } & PortalContext,
): Promise<string> {
  return deps.db.transaction().execute(async (trx) => {
    const child = await familyChild(trx, actor, input.childId, 'views');
    const item = await aboutItemOf(
      trx,
      child.id,
      input.aboutType,
      input.aboutId,
      londonDate(deps.clock.now()),
    );
    const errors: FieldError[] = [];
    const body = required(input.body, 'body', 'Write your view', VIEW_MAX, errors);
    if (errors.length > 0) throw new InvalidInputError(errors);
    const now = deps.clock.now();
    const row = await trx
      .insertInto('family_contributions')
      .values({
        organisation_id: actor.organisationId,
        child_id: child.id,
        account_id: actor.accountId,
        author_kind: actor.kind,
        about_type: item.type,
        about_id: item.id,
        body,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await auditFamilyChange(trx, actor, {
      action: 'portal.view.add',
      entityType: 'family_contribution',
      entityId: row.id,
      childId: child.id,
      requestId: input.requestId,
      route: input.route ?? '/family/children/:childId/views/:type/:id',
    });
    return row.id;
  });
}

/**
 * The family changes their own view. Optimistic locking: the version the form was loaded with must
 * still be the saved one, or both texts are shown side by side.
 */
export async function editFamilyView(
  deps: Deps,
  actor: FamilyActor,
  input: {
    childId: string;
    aboutType: string;
    aboutId: string;
    viewId: string;
    body: string;
    version: number;
    backLink?: string;
  } & PortalContext,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const child = await familyChild(trx, actor, input.childId, 'views');
    const aboutType = input.aboutType;
    if (!UUID.test(input.viewId) || !UUID.test(input.aboutId) || !isAbout(aboutType))
      throw new NotFoundError();
    const saved = await trx
      .selectFrom('family_contributions')
      .select(['id', 'body', 'version'])
      .where('id', '=', input.viewId)
      .where('account_id', '=', actor.accountId)
      .where('child_id', '=', child.id)
      .where('about_type', '=', aboutType)
      .where('about_id', '=', input.aboutId)
      .forUpdate()
      .executeTakeFirst();
    if (!saved) throw new NotFoundError();
    const errors: FieldError[] = [];
    const body = required(input.body, 'body', 'Write your view', VIEW_MAX, errors);
    if (errors.length > 0) throw new InvalidInputError(errors);
    if (saved.version !== input.version) {
      throw new VersionConflictError(
        [{ label: 'Your view', saved: saved.body, yours: body }],
        input.backLink,
      );
    }
    await trx
      .updateTable('family_contributions')
      .set({ body, updated_at: deps.clock.now(), version: saved.version + 1 })
      .where('id', '=', saved.id)
      .execute();
    await auditFamilyChange(trx, actor, {
      action: 'portal.view.edit',
      entityType: 'family_contribution',
      entityId: saved.id,
      childId: child.id,
      requestId: input.requestId,
      route: input.route ?? '/family/children/:childId/views/:type/:id',
    });
  });
}

/** The family flags a factual error or comments on what is written: a task for the worker to answer. */
export async function raiseCorrection(
  deps: Deps,
  actor: FamilyActor,
  input: {
    childId: string;
    aboutType: string;
    aboutId: string;
    whatIsWrong: string;
    comment: string;
  } & PortalContext,
): Promise<string> {
  return deps.db.transaction().execute(async (trx) => {
    const child = await familyChild(trx, actor, input.childId, 'views');
    const now = deps.clock.now();
    const item = await aboutItemOf(trx, child.id, input.aboutType, input.aboutId, londonDate(now));
    const errors: FieldError[] = [];
    const whatIsWrong = plainText(input.whatIsWrong, WRONG_MAX + 1);
    if (whatIsWrong.length > WRONG_MAX)
      errors.push({ field: 'whatIsWrong', message: `Use ${String(WRONG_MAX)} characters or fewer` });
    const comment = required(
      input.comment,
      'comment',
      'Tell us what is wrong and what is right',
      CORRECTION_MAX,
      errors,
    );
    if (errors.length > 0) throw new InvalidInputError(errors);
    const row = await trx
      .insertInto('family_corrections')
      .values({
        organisation_id: actor.organisationId,
        child_id: child.id,
        account_id: actor.accountId,
        about_type: item.type,
        about_id: item.id,
        what_is_wrong: whatIsWrong === '' ? null : whatIsWrong,
        comment,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await openPortalTask(trx, {
      organisationId: actor.organisationId,
      childId: child.id,
      kind: 'family_correction',
      sourceType: 'family_correction',
      sourceId: row.id,
      at: now,
    });
    await auditFamilyChange(trx, actor, {
      action: 'portal.correction.raise',
      entityType: 'family_correction',
      entityId: row.id,
      childId: child.id,
      requestId: input.requestId,
      route: input.route ?? '/family/children/:childId/views/:type/:id',
    });
    return row.id;
  });
}

// ---------------------------------------------------------------------------------------------
// Staff
// ---------------------------------------------------------------------------------------------

export type StaffFamilyView = {
  readonly id: string;
  readonly authorName: string;
  readonly authorKind: string;
  readonly body: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly edited: boolean;
};

/**
 * The family's views on one thing, oldest first, for staff pages to show beside the professional
 * view (the caller has already checked the child is in the actor's scope).
 */
export async function familyViewsAbout(
  db: Executor,
  about: { type: ContributionAbout; id: string },
): Promise<StaffFamilyView[]> {
  const rows = await db
    .selectFrom('family_contributions')
    .select(['id', 'account_id', 'author_kind', 'body', 'created_at', 'updated_at', 'version'])
    .where('about_type', '=', about.type)
    .where('about_id', '=', about.id)
    .orderBy('created_at')
    .execute();
  const names = await familyAccountNames(
    db,
    rows.map((r) => r.account_id),
  );
  return rows.map((r) => ({
    id: r.id,
    authorName: names.get(r.account_id) ?? 'A family member',
    authorKind: AUTHOR_KINDS[r.author_kind],
    body: r.body,
    createdAt: asDate(r.created_at),
    updatedAt: asDate(r.updated_at),
    edited: r.version > 1,
  }));
}

export type StaffCorrection = {
  readonly id: string;
  readonly aboutLabel: string;
  readonly aboutType: ContributionAbout;
  readonly aboutId: string;
  readonly authorName: string;
  readonly whatIsWrong: string | null;
  readonly comment: string;
  readonly status: CorrectionStatus;
  readonly statusLabel: string;
  readonly answer: string | null;
  readonly answeredBy: string | null;
  readonly answeredAt: Date | null;
  readonly createdAt: Date;
  readonly version: number;
};

/** Every correction the family has raised about the child, open ones first. */
export async function correctionsFor(db: Executor, childId: string): Promise<StaffCorrection[]> {
  const rows = await db
    .selectFrom('family_corrections as c')
    .leftJoin('users', 'users.id', 'c.answered_by')
    .select([
      'c.id',
      'c.about_type',
      'c.about_id',
      'c.account_id',
      'c.what_is_wrong',
      'c.comment',
      'c.status',
      'c.answer',
      'c.answered_at',
      'c.created_at',
      'c.version',
      'users.display_name',
    ])
    .where('c.child_id', '=', childId)
    .orderBy('c.created_at', 'desc')
    .execute();
  const names = await familyAccountNames(
    db,
    rows.map((r) => r.account_id),
  );
  const list = rows.map((r) => ({
    id: r.id,
    aboutLabel: ABOUT_LABELS[r.about_type],
    aboutType: r.about_type,
    aboutId: r.about_id,
    authorName: names.get(r.account_id) ?? 'A family member',
    whatIsWrong: r.what_is_wrong,
    comment: r.comment,
    status: r.status,
    statusLabel: CORRECTION_STATUSES[r.status],
    answer: r.answer,
    answeredBy: r.display_name,
    answeredAt: r.answered_at ? asDate(r.answered_at) : null,
    createdAt: asDate(r.created_at),
    version: r.version,
  }));
  return [...list.filter((c) => c.status === 'open'), ...list.filter((c) => c.status !== 'open')];
}

/** Every view the family has given about the child, newest first. */
export async function allFamilyViewsFor(
  db: Executor,
  childId: string,
): Promise<(StaffFamilyView & { aboutLabel: string; aboutType: ContributionAbout; aboutId: string })[]> {
  const rows = await db
    .selectFrom('family_contributions')
    .select([
      'id',
      'account_id',
      'author_kind',
      'about_type',
      'about_id',
      'body',
      'created_at',
      'updated_at',
      'version',
    ])
    .where('child_id', '=', childId)
    .orderBy('created_at', 'desc')
    .execute();
  const names = await familyAccountNames(
    db,
    rows.map((r) => r.account_id),
  );
  return rows.map((r) => ({
    id: r.id,
    authorName: names.get(r.account_id) ?? 'A family member',
    authorKind: AUTHOR_KINDS[r.author_kind],
    aboutLabel: ABOUT_LABELS[r.about_type],
    aboutType: r.about_type,
    aboutId: r.about_id,
    body: r.body,
    createdAt: asDate(r.created_at),
    updatedAt: asDate(r.updated_at),
    edited: r.version > 1,
  }));
}

/**
 * The worker answers a correction: agreed (and corrected in the record) or not agreed, with the reason.
 * Completes the work-tray task. Answered once: a second answer loaded from an older version conflicts.
 */
export async function answerCorrection(
  deps: Deps,
  actor: Actor,
  input: {
    childId: string;
    correctionId: string;
    outcome: string;
    answer: string;
    version: number;
    backLink?: string;
  } & PortalContext,
): Promise<void> {
  requireHelpPermission(actor, 'write');
  await deps.db.transaction().execute(async (trx) => {
    const child = await childInHelpScope(trx, actor, deps.clock, input.childId, 'write');
    if (!UUID.test(input.correctionId)) throw new NotFoundError();
    const saved = await trx
      .selectFrom('family_corrections')
      .select(['id', 'status', 'answer', 'version'])
      .where('id', '=', input.correctionId)
      .where('child_id', '=', child.id)
      .forUpdate()
      .executeTakeFirst();
    if (!saved) throw new NotFoundError();
    const errors: FieldError[] = [];
    const outcome = input.outcome === 'agreed' || input.outcome === 'not_agreed' ? input.outcome : null;
    if (!outcome) errors.push({ field: 'outcome', message: 'Choose whether you agree' });
    const answer = required(
      input.answer,
      'answer',
      outcome === 'not_agreed' ? 'Give the reason you do not agree' : 'Say what you corrected',
      ANSWER_MAX,
      errors,
    );
    if (errors.length > 0 || !outcome) throw new InvalidInputError(errors);
    if (saved.version !== input.version || saved.status !== 'open') {
      throw new VersionConflictError(
        [
          { label: 'Answer', saved: saved.answer ?? '(blank)', yours: answer },
          { label: 'Outcome', saved: CORRECTION_STATUSES[saved.status], yours: CORRECTION_STATUSES[outcome] },
        ],
        input.backLink,
      );
    }
    const now = deps.clock.now();
    await trx
      .updateTable('family_corrections')
      .set({
        status: outcome,
        answer,
        answered_by: actor.userId,
        answered_at: now,
        updated_at: now,
        version: saved.version + 1,
      })
      .where('id', '=', saved.id)
      .execute();
    await completePortalTasks(trx, {
      sourceType: 'family_correction',
      sourceId: saved.id,
      byUserId: actor.userId,
      at: now,
    });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'portal.correction.answer',
      entityType: 'family_correction',
      entityId: saved.id,
      detail: { childId: child.id, outcome },
      requestId: input.requestId ?? null,
    });
  });
}

/**
 * The family's portal views on several things at once, keyed "type:id", for staff pages that show
 * them beside the professional view (plans and their reviews, assessments, conference papers). The
 * caller has already checked the child is in the actor's scope and audited the view of the page.
 */
export async function familyViewsByKey(
  db: Executor,
  about: readonly { type: ContributionAbout; id: string }[],
): Promise<Record<string, StaffFamilyView[]>> {
  const result: Record<string, StaffFamilyView[]> = {};
  for (const item of about) result[`${item.type}:${item.id}`] = await familyViewsAbout(db, item);
  return result;
}
