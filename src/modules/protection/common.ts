import type { Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Deps } from '../../platform/deps.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { can, type Actor } from '../access/actor.ts';
import { ErrorList, parseDate, type DateParts } from '../people/person-form.ts';
import { auditChildView, requireHelpPermission, type Executor } from '../help/access.ts';
import { longDate } from '../help/dates.ts';
import { findHelpChild, requireHelpChild } from '../help/episode.service.ts';

/** Pieces shared by the protection services. */

export type Context = { readonly requestId?: string | null | undefined; readonly route?: string };

export type ChildRef = { readonly id: string; readonly name: string };

export type Trx = Transaction<Database>;

/**
 * A page of the child's protection record: the child must be readable by the actor (else 404); `load`
 * reads what the page shows (on deps.db, outside any transaction, so the audit chain's lock is not
 * held across the reads), then the view is audited and committed (recordView) before the page is
 * returned. A page that fails to load (a record not found, a conflict) is not audited as a view.
 */
export async function viewChildPage<T>(
  deps: Deps,
  actor: Actor,
  personId: string,
  context: Context & { route: string; purpose: string },
  load: (child: ChildRef) => Promise<T>,
): Promise<T> {
  requireHelpPermission(actor, 'read');
  const found = await requireHelpChild(deps.db, actor, deps.clock, personId, 'read');
  const page = await load({ id: found.id, name: `${found.givenName} ${found.familyName}` });
  await auditChildView(deps.db, actor, {
    personId: found.id,
    requestId: context.requestId,
    route: context.route,
    purpose: context.purpose,
  });
  return page;
}

/** The child, writable by the actor (else 404; 403 without the permission at all). */
export async function writeChild(
  db: Executor,
  deps: Deps,
  actor: Actor,
  personId: string,
): Promise<ChildRef> {
  requireHelpPermission(actor, 'write');
  const child = await requireHelpChild(db, actor, deps.clock, personId, 'write');
  return { id: child.id, name: `${child.givenName} ${child.familyName}` };
}

export async function mayWrite(db: Executor, deps: Deps, actor: Actor, personId: string): Promise<boolean> {
  if (!can(actor, 'help', 'write')) return false;
  return (await findHelpChild(db, actor, deps.clock, personId, 'write')) !== undefined;
}

/** Trimmed text; '' is null unless `required` (the message) is given. */
export function text(
  errors: ErrorList,
  field: string,
  label: string,
  value: string,
  options: { required?: string; max?: number } = {},
): string | null {
  const max = options.max ?? 10_000;
  const trimmed = value.trim();
  if (trimmed === '') {
    if (options.required) errors.add(field, options.required);
    return null;
  }
  if (trimmed.length > max)
    errors.add(field, `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`);
  return trimmed;
}

/** A date typed in a GOV.UK date input, checked against the earliest and latest it may be. */
export function checkedDate(
  errors: ErrorList,
  field: string,
  label: string,
  parts: DateParts,
  options: { required?: string; notAfter?: string; notBefore?: { on: string; why: string } },
): string | null | undefined {
  const iso = parseDate(errors, field, label, parts, options.required ? { required: options.required } : {});
  if (!iso) return iso;
  if (options.notAfter && iso > options.notAfter) {
    errors.addDate(field, `${label} must be today or in the past`, ['day', 'month', 'year']);
    return undefined;
  }
  if (options.notBefore && iso < options.notBefore.on) {
    errors.addDate(
      field,
      `${label} must be on or after ${longDate(options.notBefore.on)}, ${options.notBefore.why}`,
      ['day', 'month', 'year'],
    );
    return undefined;
  }
  return iso;
}

export function yesNo(value: string): boolean | null {
  if (value === 'yes') return true;
  if (value === 'no') return false;
  return null;
}

export async function audit(
  trx: Executor,
  actor: Actor,
  input: { action: string; entityType: string; entityId: string; detail: Record<string, unknown> } & Context,
): Promise<void> {
  await recordAudit(trx, {
    actorUserId: actor.userId,
    action: input.action,
    entityType: input.entityType,
    entityId: input.entityId,
    detail: input.detail,
    requestId: input.requestId ?? null,
  });
}

export function requireFound<T>(row: T | undefined): T {
  if (row === undefined) throw new NotFoundError();
  return row;
}
