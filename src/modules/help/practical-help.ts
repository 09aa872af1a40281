import { recordAudit } from '../../platform/audit/audit.ts';
import type { Deps } from '../../platform/deps.ts';
import type { Actor } from '../access/actor.ts';
import {
  EMPTY_DATE,
  ErrorList,
  parseDate,
  readDateParts,
  type DateParts,
  type FormSource,
} from '../people/person-form.ts';
import { auditChildView, childInHelpScope, londonDate, requireHelpPermission } from './access.ts';
import { addAutomaticEntry } from './chronology.ts';
import type { PracticalHelpKind } from './help.table.ts';
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
  readonly givenOn: string;
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
      .orderBy('practical_help.given_on', 'desc')
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
