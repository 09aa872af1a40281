import { recordAudit } from '../../platform/audit/audit.ts';
import type { Deps } from '../../platform/deps.ts';
import { ConflictError, NotFoundError, VersionConflictError } from '../../platform/errors.ts';
import { can, type Actor } from '../access/actor.ts';
import {
  EMPTY_DATE,
  ErrorList,
  parseDate,
  readDateParts,
  type DateParts,
  type FormSource,
} from '../people/person-form.ts';
import {
  UUID,
  auditChildView,
  childInHelpScope,
  londonDate,
  requireHelpPermission,
  type Executor,
} from './access.ts';
import { addAutomaticEntry } from './chronology.ts';
import type { PracticalHelpKind } from './help.table.ts';
import type {
  PracticalHelpCategory,
  PracticalHelpStatus,
  WelfareOutcome,
} from '../protection/family-network.table.ts';
import { currentEpisode } from './episodes.ts';
import { mayWriteHelp, requireOpenEpisode, type Child } from './visits.ts';

/**
 * Practical and financial help given or arranged for the family: counted, so the help a family had
 * is visible beside the worries about them (poverty-aware practice). Amounts are stored in pence.
 */

export const PRACTICAL_HELP_KINDS: Readonly<Record<PracticalHelpKind, string>> = {
  cash: 'Cash or a grant',
  food: 'Food or food vouchers',
  fuel: 'Fuel (gas, electricity, heating)',
  housing: 'Housing',
  furniture: 'Furniture or white goods',
  clothing: 'Clothing or school uniform',
  travel: 'Travel',
  childcare: 'Childcare',
  digital: 'Digital (a device, data or broadband)',
  debt_advice: 'Debt advice',
  benefits_advice: 'Benefits advice',
  other: 'Something else',
};

export const HELP_CATEGORIES: Readonly<Record<PracticalHelpCategory, string>> = {
  section17: 'Section 17 payment',
  in_kind: 'Help in kind',
  welfare_rights: 'Welfare-rights referral',
};

export const HELP_STATUSES: Readonly<Record<PracticalHelpStatus, string>> = {
  requested: 'Waiting for a decision',
  granted: 'Granted, not yet paid or given',
  refused: 'Refused',
  given: 'Paid or given',
};

export const WELFARE_OUTCOMES: Readonly<Record<WelfareOutcome, string>> = {
  income_gained: 'Income gained',
  no_entitlement: 'No further entitlement found',
  not_taken_up: 'The family did not take it up',
  ongoing: 'Still being worked on',
};

/** Help recorded as given straight away: the category its kind belongs to. */
export function categoryOfKind(kind: PracticalHelpKind): PracticalHelpCategory {
  if (kind === 'cash') return 'section17';
  if (kind === 'debt_advice' || kind === 'benefits_advice') return 'welfare_rights';
  return 'in_kind';
}

/** Whole days from one ISO date to another (null when either is missing). */
export function daysBetween(from: string | null, to: string | null): number | null {
  if (!from || !to) return null;
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The largest single amount taken: £100,000 (a typing slip beyond that is more likely than a grant). */
const MAX_PENCE = 100_000_00;

/**
 * Money as people type it: "30", "30.5", "£30.50", "£1,250", " £ 12.05 ". Returns pence, or
 * undefined when it is not an amount of money in pounds and pence.
 */
export function parsePounds(value: string): number | undefined {
  const text = value.trim().replace(/^£\s*/, '').trim();
  if (!/^(\d{1,3}(,\d{3})+|\d+)?(\.\d{1,2})?$/.test(text) || text === '' || text === '.') return undefined;
  const [pounds = '', pence = ''] = text.replace(/,/g, '').split('.');
  const whole = pounds === '' ? 0 : Number(pounds);
  const part = pence === '' ? 0 : Number(pence.padEnd(2, '0'));
  const total = whole * 100 + part;
  return Number.isSafeInteger(total) ? total : undefined;
}

/** "£1,250.00" */
export function poundsLabel(pence: number): string {
  return new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' }).format(pence / 100);
}

export type PracticalHelpFormValues = {
  readonly givenOn: DateParts;
  readonly kind: string;
  readonly amount: string;
  readonly description: string;
};

export const EMPTY_PRACTICAL_HELP_FORM: PracticalHelpFormValues = {
  givenOn: EMPTY_DATE,
  kind: '',
  amount: '',
  description: '',
};

export function readPracticalHelpForm(source: FormSource): PracticalHelpFormValues {
  return {
    givenOn: readDateParts(source, 'givenOn'),
    kind: source.get('kind'),
    amount: source.get('amount').slice(0, 40),
    description: source.get('description'),
  };
}

function isKind(value: string): value is PracticalHelpKind {
  return Object.hasOwn(PRACTICAL_HELP_KINDS, value);
}

export function checkPracticalHelpForm(
  values: PracticalHelpFormValues,
  today: string,
): { givenOn: string; kind: PracticalHelpKind; amountPence: number | null; description: string } {
  const errors = new ErrorList();
  const givenOn = parseDate(errors, 'givenOn', 'Date', values.givenOn, {
    required: 'Enter the date the help was given',
  });
  if (givenOn && givenOn > today) {
    errors.addDate('givenOn', 'Date must be today or in the past', ['day', 'month', 'year']);
  }
  if (!isKind(values.kind)) errors.add('kind', 'Select what kind of help was given');
  let amountPence: number | null = null;
  if (values.amount.trim() !== '') {
    const pence = parsePounds(values.amount);
    if (pence === undefined) errors.add('amount', 'Enter the amount in pounds and pence, like £30.50');
    else if (pence > MAX_PENCE) errors.add('amount', 'Amount must be £100,000 or less');
    else amountPence = pence;
  }
  const description = values.description.trim();
  if (description === '') errors.add('description', 'Enter what was given or arranged');
  else if (description.length > 2000)
    errors.add('description', 'Description must be 2,000 characters or fewer');
  errors.throwIfAny();
  return { givenOn: givenOn ?? '', kind: values.kind as PracticalHelpKind, amountPence, description };
}

export type PracticalHelpItem = {
  readonly id: string;
  readonly givenOn: string | null;
  readonly requestedOn: string | null;
  readonly status: PracticalHelpStatus;
  readonly statusLabel: string;
  readonly category: PracticalHelpCategory;
  readonly categoryLabel: string;
  readonly refusalReason: string | null;
  readonly daysToPayment: number | null;
  readonly incomeGained: string | null;
  readonly kind: PracticalHelpKind;
  readonly kindLabel: string;
  readonly amount: string | null;
  readonly description: string;
  readonly recordedBy: string | null;
};

export type PracticalHelpTotal = {
  readonly kind: PracticalHelpKind;
  readonly kindLabel: string;
  readonly times: number;
  readonly amountPence: number;
  readonly amount: string;
};

/** The help given, newest first, with totals per kind (a view of the child: audited). */
export async function listPracticalHelp(
  deps: Deps,
  actor: Actor,
  input: { personId: string; requestId?: string | null },
): Promise<{
  child: Child;
  hasOpenEpisode: boolean;
  mayWrite: boolean;
  items: PracticalHelpItem[];
  totals: PracticalHelpTotal[];
  grandTotal: { times: number; amountPence: number; amount: string };
}> {
  const child = await childInHelpScope(deps.db, actor, deps.clock, input.personId, 'read');
  const [episode, rows, sums, mayWrite] = await Promise.all([
    currentEpisode(deps.db, child.id),
    deps.db
      .selectFrom('practical_help')
      .leftJoin('users', 'users.id', 'practical_help.recorded_by')
      .selectAll('practical_help')
      .select('users.display_name')
      .where('practical_help.person_id', '=', child.id)
      .orderBy((eb) => eb.fn.coalesce('practical_help.given_on', 'practical_help.requested_on'), 'desc')
      .orderBy('practical_help.created_at', 'desc')
      .execute(),
    deps.db
      .selectFrom('practical_help')
      .select((eb) => [
        'kind',
        eb.fn.countAll<number>().as('times'),
        eb.fn.coalesce(eb.fn.sum<number>('amount_pence'), eb.lit(0)).as('pence'),
      ])
      .where('person_id', '=', child.id)
      .where('status', 'in', ['given', 'granted'])
      .groupBy('kind')
      .execute(),
    mayWriteHelp(deps, actor, child.id),
  ]);
  await auditChildView(deps.db, actor, {
    personId: child.id,
    route: '/children/:id/practical-help',
    purpose: 'practical_help',
    requestId: input.requestId ?? null,
  });
  const order = Object.keys(PRACTICAL_HELP_KINDS);
  const totals = sums
    .map((s) => ({
      kind: s.kind,
      kindLabel: PRACTICAL_HELP_KINDS[s.kind],
      times: s.times,
      amountPence: s.pence,
      amount: poundsLabel(s.pence),
    }))
    .sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  const grandPence = totals.reduce((sum, t) => sum + t.amountPence, 0);
  return {
    child,
    hasOpenEpisode: episode !== undefined,
    mayWrite,
    items: rows.map((r) => ({
      id: r.id,
      givenOn: r.given_on,
      requestedOn: r.requested_on,
      status: r.status,
      statusLabel: HELP_STATUSES[r.status],
      category: r.category,
      categoryLabel: HELP_CATEGORIES[r.category],
      refusalReason: r.refusal_reason,
      daysToPayment: daysBetween(r.requested_on, r.category === 'welfare_rights' ? null : r.given_on),
      incomeGained: r.income_gained_pence === null ? null : poundsLabel(r.income_gained_pence),
      kind: r.kind,
      kindLabel: PRACTICAL_HELP_KINDS[r.kind],
      amount: r.amount_pence === null ? null : poundsLabel(r.amount_pence),
      description: r.description,
      recordedBy: r.display_name,
    })),
    totals,
    grandTotal: {
      times: totals.reduce((sum, t) => sum + t.times, 0),
      amountPence: grandPence,
      amount: poundsLabel(grandPence),
    },
  };
}

/** Records help given in the child's open episode, with a chronology entry and an audit row. */
export async function recordPracticalHelp(
  deps: Deps,
  actor: Actor,
  input: { personId: string; values: PracticalHelpFormValues; requestId?: string | null },
): Promise<string> {
  requireHelpPermission(actor, 'write');
  const checked = checkPracticalHelpForm(input.values, londonDate(deps.clock.now()));
  return deps.db.transaction().execute(async (trx) => {
    const child = await childInHelpScope(trx, actor, deps.clock, input.personId, 'write');
    const episode = await requireOpenEpisode(trx, child.id);
    const row = await trx
      .insertInto('practical_help')
      .values({
        episode_id: episode.id,
        person_id: child.id,
        given_on: checked.givenOn,
        kind: checked.kind,
        category: categoryOfKind(checked.kind),
        amount_pence: checked.amountPence,
        description: checked.description,
        recorded_by: actor.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const amount = checked.amountPence === null ? '' : `, ${poundsLabel(checked.amountPence)}`;
    const words =
      checked.description.length > 200 ? `${checked.description.slice(0, 199)}…` : checked.description;
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: episode.id,
      occurredOn: checked.givenOn,
      event: 'practical_help.given',
      summary: `Practical help: ${PRACTICAL_HELP_KINDS[checked.kind].toLowerCase()}${amount}. ${words}`,
      sourceType: 'practical_help',
      sourceId: row.id,
      actorUserId: actor.userId,
    });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'practical_help.record',
      entityType: 'practical_help',
      entityId: row.id,
      detail: {
        personId: child.id,
        episodeId: episode.id,
        kind: checked.kind,
        amountPence: checked.amountPence,
      },
      requestId: input.requestId ?? null,
    });
    return row.id;
  });
}

/** The child, for the add form shown again with errors. */
export async function childForPracticalHelpForm(deps: Deps, actor: Actor, personId: string): Promise<Child> {
  requireHelpPermission(actor, 'write');
  return childInHelpScope(deps.db, actor, deps.clock, personId, 'write');
}

// Requests for help, with a decision -----------------------------------------------------------------

/**
 * Section 17 payments and help in kind are asked for, decided by a manager (granted, or refused with
 * the reason) and then paid or given: the days from the request to payment are counted. A
 * welfare-rights referral is made, then its outcome comes back, with the income gained a year.
 */

export type HelpRequestValues = {
  readonly requestedOn: DateParts;
  readonly category: string;
  readonly kind: string;
  readonly amount: string;
  readonly description: string;
};

export const EMPTY_HELP_REQUEST: HelpRequestValues = {
  requestedOn: EMPTY_DATE,
  category: '',
  kind: '',
  amount: '',
  description: '',
};

export function readHelpRequest(source: FormSource): HelpRequestValues {
  return {
    requestedOn: readDateParts(source, 'requestedOn'),
    category: source.get('category'),
    kind: source.get('requestKind'),
    amount: source.get('requestAmount').slice(0, 40),
    description: source.get('requestDescription'),
  };
}

export type HelpDecisionValues = {
  readonly decision: string;
  readonly decidedOn: DateParts;
  readonly refusalReason: string;
  readonly givenOn: DateParts;
  readonly outcome: string;
  readonly incomeGained: string;
};

export const EMPTY_HELP_DECISION: HelpDecisionValues = {
  decision: '',
  decidedOn: EMPTY_DATE,
  refusalReason: '',
  givenOn: EMPTY_DATE,
  outcome: '',
  incomeGained: '',
};

export function readHelpDecision(source: FormSource): HelpDecisionValues {
  return {
    decision: source.get('decision'),
    decidedOn: readDateParts(source, 'decidedOn'),
    refusalReason: source.get('refusalReason'),
    givenOn: readDateParts(source, 'givenOn'),
    outcome: source.get('outcome'),
    incomeGained: source.get('incomeGained').slice(0, 40),
  };
}

function isCategory(value: string): value is PracticalHelpCategory {
  return Object.hasOwn(HELP_CATEGORIES, value);
}

function isOutcome(value: string): value is WelfareOutcome {
  return Object.hasOwn(WELFARE_OUTCOMES, value);
}

function amountOf(errors: ErrorList, field: string, value: string, label = 'amount'): number | null {
  if (value.trim() === '') return null;
  const pence = parsePounds(value);
  if (pence === undefined) {
    errors.add(field, `Enter the ${label} in pounds and pence, like £30.50`);
    return null;
  }
  if (pence > MAX_PENCE) {
    errors.add(field, `The ${label} must be £100,000 or less`);
    return null;
  }
  return pence;
}

function dateNotAfter(
  errors: ErrorList,
  field: string,
  label: string,
  parts: DateParts,
  required: string,
  today: string,
  notBefore?: { on: string; what: string },
): string | undefined {
  const iso = parseDate(errors, field, label, parts, { required });
  if (!iso) return undefined;
  if (iso > today) {
    errors.addDate(field, `${label} must be today or in the past`, ['day', 'month', 'year']);
    return undefined;
  }
  if (notBefore && iso < notBefore.on) {
    errors.addDate(field, `${label} must be on or after ${notBefore.what}`, ['day', 'month', 'year']);
    return undefined;
  }
  return iso;
}

/** Records a request for help (or a welfare-rights referral) in the child's open episode. */
export async function requestPracticalHelp(
  deps: Deps,
  actor: Actor,
  input: { personId: string; values: HelpRequestValues; requestId?: string | null },
): Promise<string> {
  requireHelpPermission(actor, 'write');
  const v = input.values;
  const today = londonDate(deps.clock.now());
  const errors = new ErrorList();
  const requestedOn = dateNotAfter(
    errors,
    'requestedOn',
    'Date',
    v.requestedOn,
    'Enter the date the help was asked for or the referral made',
    today,
  );
  if (!isCategory(v.category))
    errors.add(
      'category',
      'Select whether it is a section 17 payment, help in kind or a welfare-rights referral',
    );
  if (!isKind(v.kind)) errors.add('requestKind', 'Select what kind of help it is');
  const amountPence = amountOf(errors, 'requestAmount', v.amount);
  const description = v.description.trim();
  if (description === '') errors.add('requestDescription', 'Enter what was asked for');
  else if (description.length > 2000)
    errors.add('requestDescription', 'Description must be 2,000 characters or fewer');
  errors.throwIfAny();
  if (!requestedOn || !isCategory(v.category) || !isKind(v.kind))
    throw new Error('unreachable: validated above');
  const category = v.category;
  const kind = v.kind;
  return deps.db.transaction().execute(async (trx) => {
    const child = await childInHelpScope(trx, actor, deps.clock, input.personId, 'write');
    const episode = await requireOpenEpisode(trx, child.id);
    const row = await trx
      .insertInto('practical_help')
      .values({
        episode_id: episode.id,
        person_id: child.id,
        status: 'requested',
        category,
        kind,
        requested_on: requestedOn,
        given_on: null,
        amount_pence: amountPence,
        description,
        recorded_by: actor.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const amount = amountPence === null ? '' : ` (${poundsLabel(amountPence)})`;
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: episode.id,
      occurredOn: requestedOn,
      event: category === 'welfare_rights' ? 'practical_help.referred' : 'practical_help.requested',
      summary:
        category === 'welfare_rights'
          ? `Referred for welfare-rights advice: ${PRACTICAL_HELP_KINDS[kind].toLowerCase()}.`
          : `${HELP_CATEGORIES[category]} asked for: ${PRACTICAL_HELP_KINDS[kind].toLowerCase()}${amount}.`,
      sourceType: 'practical_help',
      sourceId: row.id,
      actorUserId: actor.userId,
    });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'practical_help.request',
      entityType: 'practical_help',
      entityId: row.id,
      detail: { personId: child.id, episodeId: episode.id, category, kind, amountPence },
      requestId: input.requestId ?? null,
    });
    return row.id;
  });
}

export type HelpItemPage = {
  readonly child: Child;
  readonly item: PracticalHelpItem;
  readonly version: number;
  readonly amountPence: number | null;
  readonly welfareOutcome: string | null;
  readonly decidedOn: string | null;
  /** What can be recorded next: a decision, the payment, the referral's outcome, or nothing. */
  readonly next: 'decision' | 'payment' | 'outcome' | null;
  /** Whether this member of staff may record it (a decision needs a manager). */
  readonly mayAct: boolean;
};

async function loadHelp(db: Executor, personId: string, id: string) {
  if (!UUID.test(id)) throw new NotFoundError();
  const row = await db
    .selectFrom('practical_help')
    .leftJoin('users', 'users.id', 'practical_help.recorded_by')
    .selectAll('practical_help')
    .select('users.display_name')
    .where('practical_help.id', '=', id)
    .where('practical_help.person_id', '=', personId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return row;
}

function nextStep(row: {
  status: PracticalHelpStatus;
  category: PracticalHelpCategory;
  welfare_outcome: string | null;
}) {
  if (row.category === 'welfare_rights')
    return row.status === 'requested' || row.welfare_outcome === 'ongoing' ? ('outcome' as const) : null;
  if (row.status === 'requested') return 'decision' as const;
  if (row.status === 'granted') return 'payment' as const;
  return null;
}

/** One request for help: what was asked, the decision, the payment (a view of the child: audited). */
export async function practicalHelpItemPage(
  deps: Deps,
  actor: Actor,
  input: { personId: string; helpId: string; requestId?: string | null },
): Promise<HelpItemPage> {
  const child = await childInHelpScope(deps.db, actor, deps.clock, input.personId, 'read');
  const row = await loadHelp(deps.db, child.id, input.helpId);
  const next = nextStep(row);
  let mayAct = false;
  if (next !== null && (await mayWriteHelp(deps, actor, child.id))) {
    mayAct =
      next !== 'decision' ||
      (can(actor, 'help', 'authorise') &&
        (await childInHelpScope(deps.db, actor, deps.clock, child.id, 'authorise').then(
          () => true,
          () => false,
        )));
  }
  await auditChildView(deps.db, actor, {
    personId: child.id,
    route: '/children/:id/practical-help/:help',
    purpose: 'practical_help',
    requestId: input.requestId ?? null,
  });
  return {
    child,
    item: {
      id: row.id,
      givenOn: row.given_on,
      requestedOn: row.requested_on,
      status: row.status,
      statusLabel: HELP_STATUSES[row.status],
      category: row.category,
      categoryLabel: HELP_CATEGORIES[row.category],
      refusalReason: row.refusal_reason,
      daysToPayment: daysBetween(row.requested_on, row.category === 'welfare_rights' ? null : row.given_on),
      incomeGained: row.income_gained_pence === null ? null : poundsLabel(row.income_gained_pence),
      kind: row.kind,
      kindLabel: PRACTICAL_HELP_KINDS[row.kind],
      amount: row.amount_pence === null ? null : poundsLabel(row.amount_pence),
      description: row.description,
      recordedBy: row.display_name,
    },
    version: row.version,
    amountPence: row.amount_pence,
    welfareOutcome: row.welfare_outcome === null ? null : WELFARE_OUTCOMES[row.welfare_outcome],
    decidedOn: row.decided_on,
    next,
    mayAct,
  };
}

/**
 * Records the next step of a request: the decision (a manager: granted, or refused with the reason),
 * the date it was paid or given, or a welfare-rights referral's outcome and the income gained a year.
 * Saved against the version the form was opened at.
 */
export async function progressPracticalHelp(
  deps: Deps,
  actor: Actor,
  input: {
    personId: string;
    helpId: string;
    version: number;
    values: HelpDecisionValues;
    requestId?: string | null;
  },
): Promise<void> {
  requireHelpPermission(actor, 'write');
  const today = londonDate(deps.clock.now());
  const v = input.values;
  await deps.db.transaction().execute(async (trx) => {
    const child = await childInHelpScope(trx, actor, deps.clock, input.personId, 'write');
    const row = await loadHelp(trx, child.id, input.helpId);
    const back = `/children/${child.id}/practical-help/${row.id}`;
    if (row.version !== input.version) throw new VersionConflictError([], back);
    const next = nextStep(row);
    if (next === null) throw new ConflictError('Nothing more can be recorded for this help');
    const errors = new ErrorList();
    const requested = row.requested_on
      ? { on: row.requested_on, what: 'the date it was asked for' }
      : undefined;
    let change: {
      status: PracticalHelpStatus;
      decided_on?: string;
      decided_by?: string;
      refusal_reason?: string | null;
      given_on?: string;
      welfare_outcome?: WelfareOutcome;
      income_gained_pence?: number | null;
    };
    let event: string;
    let summary: string;
    let occurredOn: string;
    if (next === 'decision') {
      requireHelpPermission(actor, 'authorise');
      await childInHelpScope(trx, actor, deps.clock, child.id, 'authorise');
      const decision = v.decision === 'granted' || v.decision === 'refused' ? v.decision : undefined;
      if (!decision) errors.add('decision', 'Select whether the help was granted or refused');
      const decidedOn = dateNotAfter(
        errors,
        'decidedOn',
        'Date of the decision',
        v.decidedOn,
        'Enter the date of the decision',
        today,
        requested,
      );
      const reason = v.refusalReason.trim();
      if (decision === 'refused' && reason === '')
        errors.add('refusalReason', 'Enter why the help was refused');
      else if (reason.length > 2000)
        errors.add('refusalReason', 'The reason must be 2,000 characters or fewer');
      errors.throwIfAny();
      if (!decision || !decidedOn) throw new Error('unreachable: validated above');
      change = {
        status: decision,
        decided_on: decidedOn,
        decided_by: actor.userId,
        refusal_reason: decision === 'refused' ? reason : null,
      };
      event = `practical_help.${decision}`;
      summary =
        decision === 'granted'
          ? `${HELP_CATEGORIES[row.category]} granted: ${PRACTICAL_HELP_KINDS[row.kind].toLowerCase()}.`
          : `${HELP_CATEGORIES[row.category]} refused: ${PRACTICAL_HELP_KINDS[row.kind].toLowerCase()}. ${reason}`;
      occurredOn = decidedOn;
    } else if (next === 'payment') {
      const givenOn = dateNotAfter(
        errors,
        'givenOn',
        'Date paid or given',
        v.givenOn,
        'Enter the date it was paid or given',
        today,
        row.decided_on ? { on: row.decided_on, what: 'the date of the decision' } : requested,
      );
      errors.throwIfAny();
      if (!givenOn) throw new Error('unreachable: validated above');
      change = { status: 'given', given_on: givenOn };
      event = 'practical_help.given';
      const days = daysBetween(row.requested_on, givenOn);
      summary = `${HELP_CATEGORIES[row.category]} paid or given: ${PRACTICAL_HELP_KINDS[row.kind].toLowerCase()}${row.amount_pence === null ? '' : `, ${poundsLabel(row.amount_pence)}`}${days === null ? '' : `, ${String(days)} days after it was asked for`}.`;
      occurredOn = givenOn;
    } else {
      const outcome = isOutcome(v.outcome) ? v.outcome : undefined;
      if (!outcome) errors.add('outcome', 'Select the outcome of the referral');
      const givenOn = dateNotAfter(
        errors,
        'givenOn',
        'Date of the outcome',
        v.givenOn,
        'Enter the date of the outcome',
        today,
        requested,
      );
      const income = amountOf(errors, 'incomeGained', v.incomeGained, 'income gained');
      if (outcome === 'income_gained' && income === null && !errors.has('incomeGained'))
        errors.add('incomeGained', 'Enter the income gained a year, in pounds');
      errors.throwIfAny();
      if (!outcome || !givenOn) throw new Error('unreachable: validated above');
      change = {
        status: outcome === 'ongoing' ? 'requested' : 'given',
        welfare_outcome: outcome,
        income_gained_pence: outcome === 'income_gained' ? income : null,
        ...(outcome === 'ongoing' ? {} : { given_on: givenOn }),
      };
      event = 'practical_help.outcome';
      summary = `Welfare-rights referral: ${WELFARE_OUTCOMES[outcome].toLowerCase()}${outcome === 'income_gained' && income !== null ? `, ${poundsLabel(income)} a year` : ''}.`;
      occurredOn = givenOn;
    }
    const updated = await trx
      .updateTable('practical_help')
      .set((eb) => ({ ...change, updated_at: deps.clock.now(), version: eb('version', '+', 1) }))
      .where('id', '=', row.id)
      .where('version', '=', input.version)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw new VersionConflictError([], back);
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: row.episode_id,
      occurredOn,
      event,
      summary,
      sourceType: 'practical_help',
      sourceId: row.id,
      actorUserId: actor.userId,
    });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: `practical_help.${next}`,
      entityType: 'practical_help',
      entityId: row.id,
      detail: { personId: child.id, status: change.status },
      requestId: input.requestId ?? null,
    });
  });
}
