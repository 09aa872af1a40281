import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { signedInAs } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { familySignedIn, makeFamily } from '../support/portal-family.ts';
import { readability, syllables, visibleText } from '../support/readability.ts';
import { Browser, testApp } from '../support/web.ts';
import { makeWorld, testClock, testDeps } from '../support/world.ts';

let handle: DbHandle;
let app: FastifyInstance;
let deps: Deps;
let world: Awaited<ReturnType<typeof makeWorld>>;

beforeAll(async () => {
  handle = await openTestDb();
  deps = testDeps(handle, { clock: testClock(new Date('2026-11-25T10:00:00Z')) });
  world = await makeWorld(deps);
  app = await testApp(deps);
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

describe('the portal’s own pages are in plain English', () => {
  it('estimates syllables well enough to be trusted', () => {
    expect(['code', 'sign', 'worker', 'family', 'advocate', 'understand'].map(syllables)).toEqual([
      1, 1, 2, 3, 3, 3,
    ]);
    expect(readability('The cat sat on the mat. It was warm.').fleschReadingEase).toBeGreaterThan(100);
    expect(
      readability(
        'Notwithstanding the aforementioned considerations, authorisation necessitates comprehensive documentation demonstrating organisational accountability.',
      ).fleschReadingEase,
    ).toBeLessThan(0);
  });

  it('every page of the core portal reads easily: short sentences, everyday words', async () => {
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const family = await makeFamily(deps, world, { teamId: world.teamA, workerId: worker.id });
    await (await signedInAs(app, deps, worker.id)).get(`/children/${family.childId}`);
    const parent = await familySignedIn(app, deps, family.accountId);
    const anonymous = new Browser(app);
    await anonymous.post(
      '/family/sign-in',
      { contact: 'nobody@example.com' },
      { tokenFrom: '/family/sign-in' },
    );
    const pages = {
      'sign in': await new Browser(app).get('/family/sign-in'),
      'enter code': await anonymous.get('/family/sign-in/code'),
      home: await parent.get('/family'),
      'who has looked': await parent.get(`/family/children/${family.childId}/who-has-looked`),
      help: await parent.get('/family/help'),
      supporter: await parent.get('/family/supporter'),
      'signed out': await new Browser(app).get('/family/signed-out'),
      'not found': await parent.get('/family/no-such-page'),
    };
    for (const [name, response] of Object.entries(pages)) {
      expect(response.statusCode === 200 || response.statusCode === 404, name).toBe(true);
      const score = readability(visibleText(response.body));
      expect(score.words, name).toBeGreaterThan(20);
      expect(score.fleschReadingEase, `${name}: ${JSON.stringify(score)}`).toBeGreaterThanOrEqual(70);
      expect(score.averageSentenceWords, name).toBeLessThanOrEqual(15);
      expect(score.longestSentenceWords, name).toBeLessThanOrEqual(25);
    }
  });
});
