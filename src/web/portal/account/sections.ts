import type { PortalSection } from '../../../modules/portal/family-actor.ts';

/** What each section is called in the portal (plain words, for parents and young people). */
export const SECTION_TITLES: Readonly<Record<PortalSection, string>> = {
  plan: 'The plan',
  meetings: 'Meetings',
  reports: 'Reports for meetings',
  views: 'Your views',
  messages: 'Messages',
  records: 'Ask for your records',
  seen: 'Who has looked at the record',
};

/**
 * Where each section's page lives, as a route pattern under /family. The home page links to a
 * section once a route with exactly this pattern exists, so pages added later appear by themselves.
 */
export const SECTION_PAGES: Readonly<Record<PortalSection, string>> = {
  plan: '/family/children/:childId/plan',
  meetings: '/family/children/:childId/meetings',
  reports: '/family/children/:childId/reports',
  views: '/family/children/:childId/views',
  messages: '/family/children/:childId/messages',
  records: '/family/children/:childId/records',
  seen: '/family/children/:childId/who-has-looked',
};
