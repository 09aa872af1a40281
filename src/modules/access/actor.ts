import type { Scope } from './access.table.ts';

export type Permission = { readonly resource: string; readonly action: string; readonly scope: Scope };

/** The signed-in member of staff, loaded afresh on every request so changes apply at once. */
export type Actor = {
  readonly userId: string;
  readonly organisationId: string;
  readonly displayName: string;
  readonly teamIds: readonly string[];
  readonly localityIds: readonly string[];
  readonly roleIds: readonly string[];
  readonly permissions: readonly Permission[];
};

const SCOPE_ORDER: readonly Scope[] = ['own', 'team', 'locality', 'authority'];

/** The widest scope the actor holds for a resource and action, or undefined when they hold none. */
export function scopeFor(actor: Actor, resource: string, action: string): Scope | undefined {
  let best: Scope | undefined;
  for (const permission of actor.permissions) {
    if (permission.resource !== resource || permission.action !== action) continue;
    if (best === undefined || SCOPE_ORDER.indexOf(permission.scope) > SCOPE_ORDER.indexOf(best)) {
      best = permission.scope;
    }
  }
  return best;
}

export function can(actor: Actor, resource: string, action: string): boolean {
  return scopeFor(actor, resource, action) !== undefined;
}
