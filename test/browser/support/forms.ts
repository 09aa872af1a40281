import type { HearthPage } from './hearth-page.ts';

/** A date as the GOV.UK date input takes it. */
export type DateParts = { day: string; month: string; year: string };

/** Today in England, as the GOV.UK date input's three fields. */
export function today(): DateParts {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    day: 'numeric',
    month: 'numeric',
    year: 'numeric',
  }).formatToParts(new Date());
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { day: part('day'), month: part('month'), year: part('year') };
}

/** Types into the field with this name. */
export async function fill(hearth: HearthPage, name: string, value: string): Promise<void> {
  await hearth.page.locator(`[name="${name}"]`).fill(value);
}

/** Chooses a radio button or ticks a checkbox by its name and value. */
export async function choose(hearth: HearthPage, name: string, value: string): Promise<void> {
  await hearth.page.locator(`input[name="${name}"][value="${value}"]`).check();
}

/** Fills a GOV.UK date input (`<name>-day`, `-month`, `-year`). */
export async function fillDate(hearth: HearthPage, name: string, date: DateParts): Promise<void> {
  await fill(hearth, `${name}-day`, date.day);
  await fill(hearth, `${name}-month`, date.month);
  await fill(hearth, `${name}-year`, date.year);
}

/** The text of the page's main element. */
export async function mainText(hearth: HearthPage): Promise<string> {
  return hearth.page.locator('main').innerText();
}

/** On the request page just sent: its path and the id of the child it is about. */
export async function sentRequest(hearth: HearthPage): Promise<{ requestPath: string; childId: string }> {
  const requestPath = hearth.path().split('?')[0] ?? '';
  const childHref = await hearth.page.locator(`main a[href^="/children/"]`).first().getAttribute('href');
  const childId = /\/children\/([0-9a-f-]{36})/.exec(childHref ?? '')?.[1] ?? '';
  if (childId === '') throw new Error(`the request page ${requestPath} links to no child`);
  return { requestPath, childId };
}

/** A manager opens a request for help and its decision form (both pages checked). */
export async function openDecision(hearth: HearthPage, requestPath: string): Promise<void> {
  await hearth.goto(requestPath);
  await hearth.verifyOnPage({ title: 'Request for help' });
  await hearth.clickButton('Decide on this request');
  await hearth.verifyOnPage({ title: 'Decide on a request for help' });
}
