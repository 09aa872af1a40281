import { can, type Actor } from '../../modules/access/actor.ts';

export type NavItem = { readonly text: string; readonly href: string; readonly active: boolean };

/** The service navigation, showing only what this member of staff may use. */
export function navigationFor(actor: Actor | undefined, url: string): NavItem[] {
  if (!actor) return [];
  const path = url.split('?')[0] ?? '/';
  const items: { text: string; href: string; show: boolean }[] = [
    { text: 'Home', href: '/', show: true },
    { text: 'Children', href: '/children', show: can(actor, 'person', 'read') },
    { text: 'Children you work with', href: '/partner/children', show: can(actor, 'partner_record', 'read') },
    { text: 'Find a person', href: '/search', show: can(actor, 'person', 'read') },
    {
      text: 'Front door',
      href: '/front-door',
      show: can(actor, 'help', 'decide') || can(actor, 'help', 'request'),
    },
    { text: 'Work tray', href: '/work-tray', show: can(actor, 'help', 'read') },
    {
      text: 'Local services',
      href: '/directory',
      show: can(actor, 'help', 'read') || can(actor, 'person', 'read'),
    },
    { text: 'Service referrals', href: '/referrals', show: can(actor, 'help', 'read') },
    { text: 'Records requests', href: '/records-requests', show: can(actor, 'records_request', 'prepare') },
    { text: 'Duplicates', href: '/duplicates', show: can(actor, 'person', 'merge') },
    { text: 'Break-glass review', href: '/manage/break-glass', show: can(actor, 'break_glass', 'review') },
    {
      text: 'Returns',
      href: '/returns',
      show: can(actor, 'returns', 'produce') || can(actor, 'returns', 'validate'),
    },
    { text: 'Insight', href: '/insight', show: can(actor, 'insight', 'read') },
    { text: 'Family reports', href: '/reports/family', show: can(actor, 'insight', 'read') },
    { text: 'Staff accounts', href: '/admin/users', show: can(actor, 'user', 'admin') },
    { text: 'Partners and teams', href: '/admin/partners', show: can(actor, 'user', 'admin') },
  ];
  return items
    .filter((item) => item.show)
    .map((item) => ({
      text: item.text,
      href: item.href,
      active: item.href === '/' ? path === '/' : path === item.href || path.startsWith(`${item.href}/`),
    }));
}
