import { sql } from 'kysely';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Deps } from '../../platform/deps.ts';
import { ForbiddenError } from '../../platform/errors.ts';
import { scopeFor, type Actor } from '../access/actor.ts';
import { personInScope } from '../access/person-scope.ts';
import { isoToday } from './person-form.ts';
import { asFlag } from './person-write.ts';
import { restrictedFromViewer } from './restrictions.ts';

/** The columns of the people export, in order. Of a restricted record only the first two are filled. */
export const EXPORT_COLUMNS = [
  'First name',
  'Last name',
  'Child or adult',
  'Date of birth',
  'NHS number',
  'Council person ID',
  'Current address',
  'Postcode',
  'Team',
  'Worker',
] as const;

/**
 * One CSV cell: always quoted, quotes doubled, and a cell a spreadsheet would read as a formula
 * (starting with = + - @, or a tab or carriage return) prefixed with an apostrophe so it stays text.
 */
export function csvCell(value: string | null | undefined): string {
  let text = value ?? '';
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function csvRow(values: readonly (string | null | undefined)[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/**
 * An address that is not a placement's kept from the birth family: neither the child's own address at
 * the postcode of one of their hidden placements, nor anyone's (the carers') at a hidden placement's
 * postcode and street address.
 */
const hiddenPlacementAddress = sql<boolean>`NOT EXISTS (
  SELECT 1 FROM placements pl JOIN care_periods cp ON cp.id = pl.care_period_id
  WHERE pl.address_hidden_from_family
    AND upper(replace(pl.postcode, ' ', '')) = upper(replace(a.postcode, ' ', ''))
    AND (cp.person_id = a.person_id OR pl.carer_person_id = a.person_id
      OR lower(pl.address) LIKE lower(trim(a.line1)) || '%'))`;

/** Every grant has expired by the end of time: ordinary scope only, never break-glass. */
const END_OF_TIME = { now: () => new Date('9999-12-31T00:00:00Z') };

/**
 * The people this actor may see, as a CSV file (UTF-8 with a byte-order mark, so spreadsheets read
 * accents). Scope is applied in SQL, and only ordinary scope: break-glass opens one record for an
 * emergency, not a bulk download. A restricted person whose restriction does not name the actor
 * appears by name only: every other column is blanked in SQL, so nothing else leaves the database.
 * The download is one `people.export` audit row with the count, written in the read's transaction.
 */
export async function exportPeople(
  deps: Deps,
  actor: Actor,
  context: { readonly requestId: string },
): Promise<{ csv: string; count: number }> {
  if (scopeFor(actor, 'person', 'read') === undefined) throw new ForbiddenError();
  const today = isoToday(deps.clock.now());
  return deps.db.transaction().execute(async (trx) => {
    const visible = trx
      .selectFrom('people')
      .select([
        'people.id',
        'people.given_name',
        'people.family_name',
        'people.is_child',
        'people.date_of_birth',
        'people.expected_date_of_birth',
        'people.nhs_number',
        'people.council_person_id',
      ])
      .select((eb) => asFlag(eb, restrictedFromViewer(actor)(eb)).as('restricted'))
      .where('people.merged_into', 'is', null)
      .where(personInScope(actor, 'read', END_OF_TIME));
    const rows = await trx
      .selectFrom(visible.as('p'))
      // The current address: the latest one started and not ended by today.
      .leftJoinLateral(
        (eb) =>
          eb
            .selectFrom('person_addresses as a')
            .select([
              sql<string>`concat_ws(', ', a.line1, nullif(a.line2, ''), nullif(a.town, ''))`.as('line'),
              'a.postcode',
            ])
            .whereRef('a.person_id', '=', 'p.id')
            // Never an address kept from the birth family (a placement, a refuge), nor one at the
            // postcode of a placement whose address is kept from them.
            .where('a.hidden_from_family', '=', false)
            .where(hiddenPlacementAddress)
            .where('a.started_on', '<=', today)
            .where((w) => w.or([w('a.ended_on', 'is', null), w('a.ended_on', '>=', today)]))
            .orderBy('a.started_on', 'desc')
            .orderBy('a.created_at', 'desc')
            .limit(1)
            .as('addr'),
        (join) => join.onTrue(),
      )
      .select([
        'p.given_name',
        'p.family_name',
        sql<string | null>`CASE WHEN p.restricted THEN NULL
          WHEN NOT p.is_child THEN 'Adult'
          WHEN p.date_of_birth IS NULL AND p.expected_date_of_birth IS NOT NULL THEN 'Unborn child'
          ELSE 'Child' END`.as('kind'),
        sql<string | null>`CASE WHEN p.restricted THEN NULL
          ELSE coalesce(p.date_of_birth, p.expected_date_of_birth)::text END`.as('date_of_birth'),
        sql<string | null>`CASE WHEN p.restricted THEN NULL ELSE p.nhs_number END`.as('nhs_number'),
        sql<string | null>`CASE WHEN p.restricted THEN NULL ELSE p.council_person_id END`.as(
          'council_person_id',
        ),
        sql<string | null>`CASE WHEN p.restricted THEN NULL ELSE addr.line END`.as('address'),
        sql<string | null>`CASE WHEN p.restricted THEN NULL ELSE addr.postcode END`.as('postcode'),
        sql<string | null>`CASE WHEN p.restricted THEN NULL ELSE (
          SELECT string_agg(DISTINCT t.name, '; ')
          FROM allocations al JOIN teams t ON t.id = al.team_id
          WHERE al.person_id = p.id AND al.ended_at IS NULL) END`.as('teams'),
        sql<string | null>`CASE WHEN p.restricted THEN NULL ELSE (
          SELECT string_agg(DISTINCT u.display_name, '; ')
          FROM allocations al JOIN users u ON u.id = al.worker_user_id
          WHERE al.person_id = p.id AND al.ended_at IS NULL) END`.as('workers'),
      ])
      .orderBy('p.family_name')
      .orderBy('p.given_name')
      .orderBy('p.id')
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'people.export',
      entityType: 'person',
      detail: { count: rows.length, format: 'csv' },
      requestId: context.requestId,
    });
    const lines = [csvRow(EXPORT_COLUMNS)];
    for (const r of rows) {
      lines.push(
        csvRow([
          r.given_name,
          r.family_name,
          r.kind,
          r.date_of_birth,
          r.nhs_number,
          r.council_person_id,
          r.address,
          r.postcode,
          r.teams,
          r.workers,
        ]),
      );
    }
    return { csv: `\uFEFF${lines.join('')}`, count: rows.length };
  });
}
