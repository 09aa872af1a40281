import { londonDate } from '../../../platform/clock.ts';
import type { Deps } from '../../../platform/deps.ts';
import type { PlanKind } from '../../help/help.table.ts';
import type { FamilyActor } from '../family-actor.ts';
import {
  auditFamilyView,
  familyChild,
  hiddenFromFamily,
  withhold,
  type FamilyChild,
  type PortalContext,
} from './common.ts';
import { FAMILY_GOAL_PROGRESS, FAMILY_PLAN_KINDS, FAMILY_REVIEW_DECISIONS } from './words.ts';

/**
 * The child's plan as the family sees it: the goals (who does what, by when, how it is going), the
 * family's and (for the young person) the child's own words, the reviews with the family's view at
 * each, and the next review. Built field by field from an allow-list: staff-only fields (categories
 * of abuse, who recorded what, reasons for ending) are never read.
 */

export type FamilyGoal = {
  readonly goal: string;
  readonly who: string;
  readonly byWhen: string | null;
  readonly progress: string | null;
};

export type FamilyReview = {
  readonly id: string;
  readonly reviewedOn: string;
  readonly decision: string;
  readonly familyView: string;
  readonly childView: string | null;
  readonly nextReviewOn: string | null;
};

export type FamilyPlan = {
  readonly id: string;
  readonly kind: PlanKind;
  readonly title: string;
  readonly startedOn: string | null;
  readonly nextReviewOn: string | null;
  readonly reviewOverdue: boolean;
  readonly familyWords: string | null;
  readonly childWords: string | null;
  readonly goals: readonly FamilyGoal[];
  readonly reviews: readonly FamilyReview[];
};

export type FamilyPlanPage = { readonly child: FamilyChild; readonly plans: readonly FamilyPlan[] };

/** The child's active plans, for the family (section 'plan'). Audited as a family view. */
export async function familyPlans(
  deps: Deps,
  actor: FamilyActor,
  input: { childId: string } & PortalContext,
): Promise<FamilyPlanPage> {
  const child = await familyChild(deps.db, actor, input.childId, 'plan');
  const plans = await deps.db
    .selectFrom('plans')
    .select(['id', 'kind', 'started_on', 'next_review_on', 'family_words', 'child_words'])
    .where('person_id', '=', child.id)
    .where('status', '=', 'active')
    .orderBy('started_on', 'desc')
    .execute();
  const planIds = plans.map((p) => p.id);
  const [goals, reviews, hidden] = await Promise.all([
    planIds.length === 0
      ? []
      : deps.db
          .selectFrom('plan_goals')
          .select(['plan_id', 'goal', 'who', 'by_when', 'progress'])
          .where('plan_id', 'in', planIds)
          .orderBy('position')
          .orderBy('created_at')
          .execute(),
    planIds.length === 0
      ? []
      : deps.db
          .selectFrom('plan_reviews')
          .select(['id', 'plan_id', 'reviewed_on', 'decision', 'family_view', 'child_view', 'next_review_on'])
          .where('plan_id', 'in', planIds)
          .orderBy('reviewed_on', 'desc')
          .execute(),
    hiddenFromFamily(deps.db, child.id),
  ]);
  await auditFamilyView(deps.db, actor, {
    childId: child.id,
    purpose: 'plan',
    requestId: input.requestId,
    route: input.route ?? '/family/children/:childId/plan',
  });
  const today = londonDate(deps.clock.now());
  // The child's own words are the young person's to see; a parent sees the plan's family words.
  const seesChildWords = actor.kind === 'young_person';
  return {
    child,
    plans: plans.map((plan) => ({
      id: plan.id,
      kind: plan.kind,
      title: FAMILY_PLAN_KINDS[plan.kind],
      startedOn: plan.started_on,
      nextReviewOn: plan.next_review_on,
      reviewOverdue: plan.next_review_on !== null && plan.next_review_on < today,
      familyWords: withhold(plan.family_words, hidden),
      childWords: seesChildWords ? withhold(plan.child_words, hidden) : null,
      goals: goals
        .filter((g) => g.plan_id === plan.id)
        .map((g) => ({
          goal: withhold(g.goal, hidden),
          who: withhold(g.who, hidden),
          byWhen: g.by_when,
          progress: g.progress ? FAMILY_GOAL_PROGRESS[g.progress] : null,
        })),
      reviews: reviews
        .filter((r) => r.plan_id === plan.id)
        .map((r) => ({
          id: r.id,
          reviewedOn: r.reviewed_on,
          decision: FAMILY_REVIEW_DECISIONS[r.decision],
          familyView: withhold(r.family_view, hidden),
          childView: seesChildWords ? withhold(r.child_view, hidden) : null,
          nextReviewOn: r.next_review_on,
        })),
    })),
  };
}
