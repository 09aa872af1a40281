import { recordAudit } from '../../platform/audit/audit.ts';
import { londonDate } from '../../platform/clock.ts';
import type { Deps } from '../../platform/deps.ts';
import { InvalidInputError } from '../../platform/errors.ts';
import { can, type Actor } from '../access/actor.ts';
import { UUID } from '../help/access.ts';
import { ErrorList, parseDate, type DateParts } from '../people/person-form.ts';
import { childInScope, viewChild, type ChildRow } from './access.ts';
import { LAWFUL_BASES, SHARING_DECISIONS, isCode, label } from './codes.ts';
import { consentIsLive, consentsOf, organisationChoices, type ConsentView } from './consent.ts';
import type { LawfulBasis, SharingDecision } from './partners.table.ts';

/**
 * Decisions to share, or not to share, information about a child: with whom, what, why, on what
 * lawful basis, who decided and when. A decision not to share always carries its reason; a share
 * relying on consent is refused unless that consent is in force and covers the recipient.
 */

type Context = { readonly requestId?: string | null | undefined; readonly route?: string };

export type SharingValues = {
  readonly decision: string;
  readonly recipientOrganisationId: string;
  readonly recipientName: string;
  readonly what: string;
  readonly why: string;
  readonly lawfulBasis: string;
  readonly basisDetail: string;
  readonly consentId: string;
  readonly reasonNotShared: string;
  readonly decidedOn: DateParts;
};

export type SharingDecisionView = {
  readonly id: string;
  readonly decision: SharingDecision;
  readonly decisionLabel: string;
  readonly recipient: string;
  readonly recipientOrganisation: string | null;
  readonly what: string;
  readonly why: string;
  readonly lawfulBasis: string;
  readonly basisDetail: string | null;
  readonly reasonNotShared: string | null;
  readonly decidedBy: string;
  readonly decidedOn: string;
};

const TEXT_MAX = 3000;

export type InformationSharingPage = {
  readonly child: ChildRow;
  readonly decisions: readonly SharingDecisionView[];
  readonly consents: readonly ConsentView[];
  readonly canWrite: boolean;
};

/** The child's information sharing record: every decision and every consent (audited as a view). */
export async function informationSharingPage(
  deps: Deps,
  actor: Actor,
  input: { childId: string } & Context,
): Promise<InformationSharingPage> {
  const child = await viewChild(deps.db, actor, deps.clock, {
    childId: input.childId,
    resource: 'information_sharing',
    action: 'read',
    route: input.route ?? '/children/:id/information-sharing',
    purpose: 'information_sharing',
    requestId: input.requestId,
  });
  const today = londonDate(deps.clock.now());
  const [rows, consents, canWrite] = await Promise.all([
    deps.db
      .selectFrom('information_sharing_decisions as d')
      .innerJoin('users', 'users.id', 'd.decided_by')
      .leftJoin('organisations', 'organisations.id', 'd.recipient_organisation_id')
      .selectAll('d')
      .select(['users.display_name', 'organisations.name as organisation_name'])
      .where('d.child_id', '=', child.id)
      .orderBy('d.decided_on', 'desc')
      .orderBy('d.recorded_at', 'desc')
      .execute(),
    consentsOf(deps.db, child.id, today),
    mayWrite(deps, actor, child.id),
  ]);
  return {
    child,
    consents,
    canWrite,
    decisions: rows.map((r) => ({
      id: r.id,
      decision: r.decision,
      decisionLabel: r.decision === 'share' ? 'Shared' : 'Not shared',
      recipient: r.recipient_name,
      recipientOrganisation: r.organisation_name,
      what: r.what,
      why: r.why,
      lawfulBasis: label(LAWFUL_BASES, r.lawful_basis),
      basisDetail: r.basis_detail,
      reasonNotShared: r.reason_not_shared,
      decidedBy: r.display_name,
      decidedOn: r.decided_on,
    })),
  };
}

async function mayWrite(deps: Deps, actor: Actor, childId: string): Promise<boolean> {
  if (!can(actor, 'information_sharing', 'write')) return false;
  try {
    await childInScope(deps.db, actor, deps.clock, childId, 'information_sharing', 'write');
    return true;
  } catch {
    return false;
  }
}

/** What the decision form offers: organisations and the consents in force today. */
export async function sharingFormChoices(
  deps: Deps,
  actor: Actor,
  input: { childId: string } & Context,
): Promise<{
  child: ChildRow;
  organisations: { id: string; name: string }[];
  consents: ConsentView[];
}> {
  const child = await viewChild(deps.db, actor, deps.clock, {
    childId: input.childId,
    resource: 'information_sharing',
    action: 'write',
    route: input.route ?? '/children/:id/information-sharing/decisions/new',
    purpose: 'information_sharing',
    requestId: input.requestId,
  });
  const today = londonDate(deps.clock.now());
  const [organisations, consents] = await Promise.all([
    organisationChoices(deps.db),
    consentsOf(deps.db, child.id, today),
  ]);
  return { child, organisations, consents: consents.filter((c) => c.state === 'live') };
}

/** Records a decision to share or not to share. */
export async function recordSharingDecision(
  deps: Deps,
  actor: Actor,
  input: { childId: string; values: SharingValues } & Context,
): Promise<string> {
  return deps.db.transaction().execute(async (trx) => {
    const child = await childInScope(trx, actor, deps.clock, input.childId, 'information_sharing', 'write');
    const v = input.values;
    const errors = new ErrorList();
    const decision: SharingDecision | undefined = isCode(SHARING_DECISIONS, v.decision)
      ? v.decision
      : undefined;
    if (!decision) errors.add('decision', 'Select whether you decided to share the information');
    let recipientOrganisationId: string | null = null;
    if (v.recipientOrganisationId !== '') {
      const org = UUID.test(v.recipientOrganisationId)
        ? await trx
            .selectFrom('organisations')
            .select(['id', 'name'])
            .where('id', '=', v.recipientOrganisationId)
            .executeTakeFirst()
        : undefined;
      if (!org) errors.add('recipientOrganisationId', 'Select an organisation from the list');
      else recipientOrganisationId = org.id;
    }
    const recipientName = v.recipientName.trim();
    if (recipientName === '')
      errors.add('recipientName', 'Enter who the information is, or would be, shared with');
    else if (recipientName.length > 300) errors.add('recipientName', 'Who must be 300 characters or fewer');
    const what = v.what.trim();
    if (what === '') errors.add('what', 'Enter what information the decision is about');
    else if (what.length > TEXT_MAX) errors.add('what', `What must be ${TEXT_MAX} characters or fewer`);
    const why = v.why.trim();
    if (why === '') errors.add('why', 'Enter why the information was asked for or offered');
    else if (why.length > TEXT_MAX) errors.add('why', `Why must be ${TEXT_MAX} characters or fewer`);
    const decidedOn = parseDate(errors, 'decidedOn', 'Date of the decision', v.decidedOn, {
      required: 'Enter the date of the decision',
    });
    const today = londonDate(deps.clock.now());
    if (decidedOn && decidedOn > today)
      errors.addDate('decidedOn', 'Date of the decision must be today or in the past', [
        'day',
        'month',
        'year',
      ]);

    let lawfulBasis: LawfulBasis | null = null;
    let consentId: string | null = null;
    const basisDetail = v.basisDetail.trim();
    const reason = v.reasonNotShared.trim();
    if (decision === 'not_share') {
      if (reason === '') errors.add('reasonNotShared', 'Enter the reason for not sharing the information');
      else if (reason.length > TEXT_MAX)
        errors.add('reasonNotShared', `The reason must be ${TEXT_MAX} characters or fewer`);
    }
    if (decision === 'share') {
      if (!isCode(LAWFUL_BASES, v.lawfulBasis))
        errors.add('lawfulBasis', 'Select the lawful basis for sharing');
      else lawfulBasis = v.lawfulBasis;
      if (lawfulBasis === 'other' && basisDetail === '')
        errors.add('basisDetail', 'Enter the lawful basis for sharing');
      if (lawfulBasis === 'consent') {
        if (v.consentId === '') errors.add('consentId', 'Select the consent the share relies on');
        else if (
          !(await consentIsLive(trx, {
            consentId: v.consentId,
            childId: child.id,
            day: today,
            organisationId: recipientOrganisationId,
          })) ||
          (decidedOn !== undefined &&
            decidedOn !== null &&
            !(await consentIsLive(trx, {
              consentId: v.consentId,
              childId: child.id,
              day: decidedOn,
              organisationId: recipientOrganisationId,
            })))
        )
          errors.add(
            'consentId',
            'The consent is not in force (it was withdrawn, has expired or does not cover this organisation): you cannot share relying on it',
          );
        else consentId = v.consentId;
      }
    }
    if (basisDetail.length > TEXT_MAX)
      errors.add('basisDetail', `The lawful basis must be ${TEXT_MAX} characters or fewer`);
    errors.throwIfAny();
    if (!decision || !decidedOn) throw new InvalidInputError([]);
    const row = await trx
      .insertInto('information_sharing_decisions')
      .values({
        organisation_id: child.organisation_id,
        child_id: child.id,
        decision,
        recipient_organisation_id: recipientOrganisationId,
        recipient_name: recipientName,
        what,
        why,
        lawful_basis: decision === 'share' ? lawfulBasis : null,
        basis_detail: decision === 'share' && basisDetail !== '' ? basisDetail : null,
        consent_id: decision === 'share' ? consentId : null,
        reason_not_shared: decision === 'not_share' ? reason : null,
        decided_by: actor.userId,
        decided_on: decidedOn,
        recorded_at: deps.clock.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'information_sharing.record',
      entityType: 'information_sharing_decision',
      entityId: row.id,
      detail: { personId: child.id, decision, lawfulBasis: decision === 'share' ? lawfulBasis : null },
      requestId: input.requestId ?? null,
    });
    return row.id;
  });
}
