import type { Deps } from '../../platform/deps.ts';
import type { Actor } from '../access/actor.ts';
import { loadActor } from '../access/access.repository.ts';
import { partsFromIso, EMPTY_DATE, type DateParts } from '../people/person-form.ts';
import { londonDate } from '../help/access.ts';
import { allocateChild } from '../help/allocation.service.ts';
import { emptyCircumstances, type AssessmentFormValues } from '../help/assessment-form.ts';
import { authoriseAssessment, saveAssessment, submitAssessment } from '../help/assessments.ts';
import { decideRequest, saveRequest } from '../help/front-door.ts';
import { EMPTY_REQUEST_FORM, type RequestFormValues } from '../help/front-door-form.ts';
import { createNote } from '../help/notes.ts';
import { addGoal, createPlan, recordReview, startPlan, updatePlan } from '../help/plans.ts';
import { recordPracticalHelp } from '../help/practical-help.ts';
import { recordVisit } from '../help/visits.ts';

/**
 * The demo children's help, written by driving the real services as the demo accounts with the clock
 * set back, so the demo shows a believable history ending today:
 *  - Amara Bennett: a school's request four months ago, a child and family assessment (the family's
 *    account beside the analysis, food and fuel needs) authorised by the manager, a child in need plan
 *    with goals in the family's words, visits every four weeks with Amara's words, and a review;
 *  - Leo Bennett: family help, with a family help plan and visits;
 *  - Maisie Clarke: family help decided this week, waiting for a lead practitioner;
 *  - Tyler Dawson (South): a child and family assessment under way after a police request;
 *  - Zara Hussain: a health visitor's request waiting at the front door for a decision.
 * The demo's front door is the North team (requests go to the sender's first team), so its manager,
 * Priya Shah, decides every request. Nothing here writes rows itself except the threshold guidance.
 */

export type DemoHelpIds = {
  readonly organisationId: string;
  /** By team name. */
  readonly teams: ReadonlyMap<string, string>;
  /** By email address. */
  readonly users: ReadonlyMap<string, string>;
  /** By the demo's key: amara, leo, maisie, tyler, zara, … */
  readonly people: ReadonlyMap<string, string>;
};

const REQUEST_ID = 'demo-seed';
const DAY_MS = 24 * 60 * 60 * 1000;

function must(map: ReadonlyMap<string, string>, key: string): string {
  const value = map.get(key);
  if (value === undefined) throw new Error(`demo help: no ${key}`);
  return value;
}

async function actorOf(deps: Deps, userId: string): Promise<Actor> {
  const actor = await loadActor(deps.db, userId);
  if (!actor) throw new Error('demo help: a demo account is missing');
  return actor;
}

/**
 * A moment `daysAgo` calendar days before today (moved back to the Friday when it falls at a weekend),
 * at `hour`:`minute` UTC, and never later than now.
 */
function momentAgo(now: Date, daysAgo: number, hour: number, minute = 0): Date {
  const today = londonDate(now);
  const day = new Date(`${today}T12:00:00Z`);
  day.setTime(day.getTime() - daysAgo * DAY_MS);
  while (day.getUTCDay() === 0 || day.getUTCDay() === 6) day.setTime(day.getTime() - DAY_MS);
  const at = new Date(`${day.toISOString().slice(0, 10)}T00:00:00Z`);
  at.setUTCHours(hour, minute);
  return at.getTime() > now.getTime() ? now : at;
}

function parts(at: Date): DateParts {
  return partsFromIso(londonDate(at));
}

/** Creates the demo council's threshold guidance and the demo children's help, once (after seedDemo). */
export async function seedDemoHelp(deps: Deps, ids: DemoHelpIds): Promise<void> {
  const now = deps.clock.now();
  /** deps with the clock at a moment in the story. */
  const when = (daysAgo: number, hour: number, minute = 0) => {
    const at = momentAgo(now, daysAgo, hour, minute);
    return { deps: { ...deps, clock: { now: () => at } }, at };
  };
  const sam = await actorOf(deps, must(ids.users, 'practitioner@demo.hearth.invalid'));
  const priya = await actorOf(deps, must(ids.users, 'manager@demo.hearth.invalid'));
  const alex = await actorOf(deps, must(ids.users, 'south.practitioner@demo.hearth.invalid'));
  const north = must(ids.teams, 'North family help team');
  const south = must(ids.teams, 'South family help team');
  const child = (key: string) => must(ids.people, key);

  // The demo's allocations were made "now" by seedDemo; the families have been known for longer.
  await deps.db
    .updateTable('allocations')
    .set({ started_at: new Date(now.getTime() - 400 * DAY_MS) })
    .where('person_id', 'in', [...ids.people.values()])
    .where('ended_at', 'is', null)
    .execute();

  const threshold = await deps.db
    .insertInto('threshold_guidance_versions')
    .values({
      organisation_id: ids.organisationId,
      version: '2025.1',
      title: 'Help for families in Demo Borough: when and how we help',
      published_on: '2025-04-01',
      url: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();

  /** A request for help, recorded and sent by Sam (the front door is the North team). */
  const request = async (daysAgo: number, hour: number, values: Partial<RequestFormValues>) => {
    const step = when(daysAgo, hour);
    const saved = await saveRequest(step.deps, sam, {
      id: null,
      version: null,
      values: { ...EMPTY_REQUEST_FORM, familyKnows: 'yes', familyConsents: 'yes', ...values },
      intent: 'send',
      duplicateChoice: '',
      requestId: REQUEST_ID,
    });
    if (saved.outcome !== 'saved') throw new Error('demo help: a request was not sent');
    return saved.id;
  };
  /** Priya's decision on a request. */
  const decide = async (
    daysAgo: number,
    hour: number,
    id: string,
    values: { decision: string; teamId: string; reason: string; feedback: string },
  ) => {
    await decideRequest(when(daysAgo, hour).deps, priya, id, {
      values: { decisionService: '', helpOfferedInstead: '', thresholdId: threshold.id, ...values },
      version: 1,
      requestId: REQUEST_ID,
    });
  };
  const allocateWorker = async (
    daysAgo: number,
    personId: string,
    teamId: string,
    worker: Actor,
    role: 'social_worker' | 'family_help_worker',
    note: string,
  ) => {
    const current = await deps.db
      .selectFrom('allocations')
      .select('id')
      .where('person_id', '=', personId)
      .where('ended_at', 'is', null)
      .executeTakeFirstOrThrow();
    await allocateChild(when(daysAgo, 11).deps, priya, {
      personId,
      values: {
        currentAllocationId: current.id,
        teamId,
        workerId: worker.userId,
        role,
        changeReason: '',
        changeNote: note,
      },
      confirmed: true,
      requestId: REQUEST_ID,
    });
  };
  const visit = async (
    daysAgo: number,
    worker: Actor,
    personId: string,
    values: { kind: string; statutory: boolean; alone: boolean; words: string; happened: string },
  ) => {
    const step = when(daysAgo, 16);
    await recordVisit(step.deps, worker, {
      personId,
      values: {
        visitedOn: parts(step.at),
        kind: values.kind,
        statutory: values.statutory ? 'yes' : 'no',
        childSeen: 'yes',
        childSeenAlone: values.alone ? 'yes' : 'no',
        bedroomSeen: values.kind === 'home' ? 'yes' : 'not_applicable',
        childsWords: values.words,
        whatHappened: values.happened,
        nextVisitDue: EMPTY_DATE,
      },
      requestId: REQUEST_ID,
    });
  };
  const planVersion = async (planId: string) =>
    (await deps.db.selectFrom('plans').select('version').where('id', '=', planId).executeTakeFirstOrThrow())
      .version;
  const planWithGoals = async (
    daysAgo: number,
    personId: string,
    kind: 'child_in_need' | 'family_help',
    words: { family: string; child: string },
    goals: readonly { goal: string; who: string; byWhenDaysAhead: number }[],
  ) => {
    const step = when(daysAgo, 14);
    const planId = await createPlan(step.deps, sam, { personId, kind, requestId: REQUEST_ID });
    await updatePlan(step.deps, sam, {
      personId,
      planId,
      version: 1,
      values: { familyWords: words.family, childWords: words.child, reviewIntervalDays: '91' },
      requestId: REQUEST_ID,
    });
    for (const goal of goals) {
      const by = new Date(step.at.getTime() + goal.byWhenDaysAhead * DAY_MS);
      await addGoal(step.deps, sam, {
        personId,
        planId,
        values: { goal: goal.goal, who: goal.who, byWhen: parts(by), progress: '' },
        requestId: REQUEST_ID,
      });
    }
    await startPlan(step.deps, sam, {
      personId,
      planId,
      version: await planVersion(planId),
      values: { startedOn: parts(step.at), referralSource: '', primaryNeed: '' },
      requestId: REQUEST_ID,
    });
    return planId;
  };

  // --- Amara Bennett: school request → assessment → child in need plan → visits → review ---------
  const amara = child('amara');
  const amaraRequest = await request(120, 9, {
    childId: amara,
    requesterKind: 'professional',
    requesterName: 'Hannah Price',
    requesterRole: 'Designated safeguarding lead',
    requesterOrganisation: 'Shephall Green Primary School',
    requesterContact: '01632 960 101',
    referralSource: '2A',
    worry:
      'Amara has come to school hungry most days this half term and has missed 9 days. She told her teacher the electricity ran out at home and her mum cries a lot. She is falling behind with reading.',
    familyView:
      'Jade (mum) agrees things are hard. She lost her job in the spring, is behind with the rent and has been struggling with low mood. She wants help but is worried the children will be taken away.',
    alreadyTried:
      'Breakfast club every day, a referral to the food bank, and a uniform grant. We talked with Jade about her GP.',
    willKeepDoing: 'Breakfast club, reading support twice a week, and a weekly check-in with Amara.',
    primaryNeed: 'N4',
  });
  await decide(119, 11, amaraRequest, {
    decision: 'assessment',
    teamId: north,
    reason:
      'Amara is often hungry and missing school, and her mum is struggling with her mental health and money. The school’s help has not been enough, so we need to understand what is happening at home with the family.',
    feedback:
      'Thank you. We will carry out a child and family assessment. Sam Okafor will be in touch with you this week.',
  });
  await allocateWorker(
    118,
    amara,
    north,
    sam,
    'social_worker',
    'Sam Okafor will do the assessment with Amara and her family.',
  );
  await recordPracticalHelp(when(112, 15).deps, sam, {
    personId: amara,
    values: {
      givenOn: parts(when(112, 15).at),
      kind: 'food',
      amount: '£40',
      description: 'Supermarket vouchers while Jade’s Universal Credit claim is sorted out.',
    },
    requestId: REQUEST_ID,
  });
  await visit(110, sam, amara, {
    kind: 'home',
    statutory: false,
    alone: true,
    words:
      'I like it when Nan picks us up. I don’t like it when the lights go off and Mum gets sad. I want to be good at reading like Leo is at drawing.',
    happened:
      'Home visit during the assessment. Met Jade, Amara and Leo. The flat was cold; the prepayment meter was on emergency credit. Amara showed me her room and her drawings. Jade talked openly about her low mood and the debts.',
  });
  await recordPracticalHelp(when(104, 15).deps, sam, {
    personId: amara,
    values: {
      givenOn: parts(when(104, 15).at),
      kind: 'fuel',
      amount: '£49',
      description: 'Top-up for the prepayment meter from the household support fund.',
    },
    requestId: REQUEST_ID,
  });
  const amaraAssessment = await deps.db
    .selectFrom('assessments')
    .select('id')
    .where('person_id', '=', amara)
    .executeTakeFirstOrThrow();
  const assessment: AssessmentFormValues = {
    familyAccount:
      'Jade says the last year has been the hardest of her life: she lost her job, the money stopped going far enough and she stopped sleeping. She says she loves her children and wants them to have what other children have. Marcus says he will help more with the school run. Amara says she wants the lights to stay on and to get better at reading.',
    professionalAnalysis:
      'Amara is loved and has strong relationships with her mum, her brother and her nan. The worries come from poverty and Jade’s untreated low mood: there is not always enough food or heating, and mornings are hard, so Amara misses school. Jade engages well and asks for help. With practical help with money, support for Jade’s mental health and a clear plan with school, Amara’s needs can be met at home.',
    childViews:
      'Amara said she feels safe at home. She worries about her mum and about the electricity. She would like help with reading and to go to the after-school art club.',
    childSeen: 'yes',
    factors: ['4B', '20'],
    circumstances: {
      ...emptyCircumstances(),
      income: {
        need: 'yes',
        detail: 'Help to make sure the family receive every benefit they are entitled to.',
      },
      debt: { need: 'yes', detail: 'Rent arrears of about £600: a referral to Citizens Advice.' },
      housing: { need: 'no', detail: '' },
      food: { need: 'yes', detail: 'Food vouchers until the benefit claim is settled; free school meals.' },
      fuel: {
        need: 'yes',
        detail: 'Prepayment meter top-ups and an application to the energy supplier’s fund.',
      },
      digital: { need: 'no', detail: '' },
    },
    outcome: 'child_in_need_plan',
    outcomeNote: 'A child in need plan, with the family, school and Jade’s GP.',
  };
  const saved = await saveAssessment(when(95, 15).deps, sam, {
    personId: amara,
    assessmentId: amaraAssessment.id,
    version: 1,
    values: assessment,
    requestId: REQUEST_ID,
  });
  await submitAssessment(when(91, 10).deps, sam, {
    personId: amara,
    assessmentId: amaraAssessment.id,
    version: saved.version,
    requestId: REQUEST_ID,
  });
  await authoriseAssessment(when(89, 14).deps, priya, {
    personId: amara,
    assessmentId: amaraAssessment.id,
    version: saved.version + 1,
    decision: 'authorise',
    comment: 'A clear assessment with the family’s voice throughout. Agree a child in need plan.',
    requestId: REQUEST_ID,
  });
  const amaraPlan = await planWithGoals(
    85,
    amara,
    'child_in_need',
    {
      family:
        'Jade: “I want the children to have a warm home and food in the cupboard, and I want to feel like myself again.”',
      child: 'Amara: “I want to go to school every day and get a sticker for reading.”',
    },
    [
      {
        goal: 'We will have enough money coming in for food and electricity every week',
        who: 'Jade will go to Citizens Advice with Sam; Sam will apply to the household support fund',
        byWhenDaysAhead: 42,
      },
      {
        goal: 'Amara gets to school on time every day',
        who: 'Nan will do the school run on Tuesdays and Thursdays; school will keep a breakfast place',
        byWhenDaysAhead: 60,
      },
      {
        goal: 'Mum feels better in herself',
        who: 'Jade will see her GP and the talking therapies service; Sam will go with her if she wants',
        byWhenDaysAhead: 90,
      },
    ],
  );
  for (const [daysAgo, words, happened] of [
    [
      80,
      'School is OK. I had breakfast club with my friend Ella. The lights stayed on all week!',
      'First visit under the plan. The meter has credit and there is food in. Jade has an appointment with Citizens Advice on Monday.',
    ],
    [
      52,
      'I got a reading sticker. I want to go to art club but it costs money.',
      'Amara seen alone in her room. Attendance is up to 94% this month. Jade has started talking therapy and says she is sleeping better.',
    ],
    [
      24,
      'I like my new shoes. Nan makes pancakes on Tuesdays. I am not worried about Mum as much.',
      'Amara seen alone. Universal Credit is now paid in full; the arrears plan is agreed. School report good progress in reading.',
    ],
  ] as const) {
    await visit(daysAgo, sam, amara, { kind: 'home', statutory: true, alone: true, words, happened });
  }
  const reviewStep = when(20, 13);
  await recordReview(reviewStep.deps, sam, {
    personId: amara,
    planId: amaraPlan,
    version: await planVersion(amaraPlan),
    values: {
      reviewedOn: parts(reviewStep.at),
      familyView:
        'Jade says things feel more under control: the money is sorted and she is getting help for herself. She would like the plan to carry on until the summer.',
      childView: 'Amara said she is happy, and asked if she could still go to art club.',
      progressSummary:
        'Income and food: done. School attendance: much better. Jade’s wellbeing: under way. Art club to be paid for from the plan.',
      decision: 'continue',
      nextReviewOn: parts(new Date(reviewStep.at.getTime() + 70 * DAY_MS)),
    },
    requestId: REQUEST_ID,
  });
  await createNote(when(19, 10).deps, sam, {
    personId: amara,
    values: {
      kind: 'phone_call',
      occurredOn: parts(when(19, 10).at),
      occurredTime: '10:00',
      title: 'Call with school about art club',
      body: 'Ms Price confirmed a place for Amara at the Wednesday art club; the fee will be paid from the plan.',
      addToChronology: 'yes',
    },
    requestId: REQUEST_ID,
  });

  // --- Leo Bennett: family help, with a family help plan --------------------------------------------
  const leo = child('leo');
  const leoRequest = await request(60, 9, {
    childId: leo,
    requesterKind: 'professional',
    requesterName: 'Nina Osei',
    requesterRole: 'School nurse',
    requesterOrganisation: 'Hertfordshire school nursing service',
    requesterContact: '01632 960 103',
    referralSource: '3C',
    worry:
      'Leo is wetting the bed again and is very anxious at school. His sister already has a social worker; mum asked for help for Leo too.',
    familyView: 'Jade asked for this herself and would like help with Leo’s sleep and worries.',
    alreadyTried: 'Two sessions with Leo about bedtime routines, and advice for Jade.',
    willKeepDoing: 'A school nurse drop-in for Leo every fortnight.',
    primaryNeed: 'N4',
  });
  await decide(59, 14, leoRequest, {
    decision: 'family_help',
    teamId: north,
    reason:
      'Leo’s needs can be met with family help alongside the help his sister already has. No assessment by children’s social care is needed.',
    feedback:
      'Thank you. Leo will have family help from the North team; Sam Okafor will work with the family.',
  });
  await allocateWorker(57, leo, north, sam, 'family_help_worker', 'Sam already knows the family well.');
  await planWithGoals(
    50,
    leo,
    'family_help',
    {
      family: 'Jade: “I want bedtime to be calm, and for Leo to stop worrying about everything.”',
      child: 'Leo: “I want to sleep in my own bed and not be scared.”',
    },
    [
      {
        goal: 'Bedtime is calm and the same every night',
        who: 'Jade will use the bedtime chart; Sam will bring a night light and visit at bedtime once',
        byWhenDaysAhead: 28,
      },
      {
        goal: 'Leo has someone to talk to at school when he is worried',
        who: 'School will give Leo a worry box and a named adult',
        byWhenDaysAhead: 21,
      },
    ],
  );
  await visit(30, sam, leo, {
    kind: 'home',
    statutory: false,
    alone: false,
    words: 'I had three dry nights! I put a sticker on my chart.',
    happened: 'Bedtime visit with Jade and Leo. The routine is working most nights.',
  });
  await visit(5, sam, leo, {
    kind: 'school',
    statutory: false,
    alone: true,
    words: 'Ms Price lets me post my worries in the box. I don’t have many now.',
    happened: 'Saw Leo at school with his named adult. He is more settled and joins in at playtime.',
  });

  // --- Tyler Dawson (South): a police request, an assessment under way ---------------------------
  const tyler = child('tyler');
  const tylerRequest = await request(20, 10, {
    childId: tyler,
    requesterKind: 'professional',
    requesterName: 'PC Dan Hughes',
    requesterRole: 'Police officer',
    requesterOrganisation: 'Hertfordshire Constabulary',
    requesterContact: '01632 960 200',
    referralSource: '6',
    worry:
      'Tyler (16) was found late at night in a car with older young people who had drugs and a lot of cash. He has been missing from home twice this month.',
    familyView:
      'Nicole (mum) is very worried and says she cannot stop him going out. Tyler says the older boys are his mates.',
    alreadyTried: 'A safe and well check and a return home interview.',
    willKeepDoing: 'Sharing any further missing episodes or sightings straight away.',
    primaryNeed: 'N6',
  });
  await decide(19, 11, tylerRequest, {
    decision: 'assessment',
    teamId: south,
    reason:
      'Tyler may be being exploited by older young people. We need a child and family assessment with Tyler, his mum and the youth service.',
    feedback: 'Thank you. The South team will carry out a child and family assessment.',
  });
  await visit(12, alex, tyler, {
    kind: 'other',
    statutory: false,
    alone: true,
    words: 'I’m not being used. They buy me food and that. Mum just shouts.',
    happened:
      'Met Tyler at the youth centre with Kemi. He was guarded but agreed to meet again. He said he does not feel listened to at home.',
  });
  const tylerAssessment = await deps.db
    .selectFrom('assessments')
    .select('id')
    .where('person_id', '=', tyler)
    .executeTakeFirstOrThrow();
  await saveAssessment(when(8, 15).deps, alex, {
    personId: tyler,
    assessmentId: tylerAssessment.id,
    version: 1,
    values: {
      familyAccount:
        'Nicole says Tyler changed after he left football last year. Craig and Tyler argue a lot. Nicole wants Tyler home by 10pm and back at college.',
      professionalAnalysis: '',
      childViews: 'Tyler says he wants to earn his own money and that nobody at home listens to him.',
      childSeen: 'yes',
      factors: ['10A', '24A'],
      circumstances: emptyCircumstances(),
      outcome: '',
      outcomeNote: '',
    },
    requestId: REQUEST_ID,
  });

  // --- Maisie Clarke: family help decided, waiting for a lead practitioner -------------------------
  const maisie = child('maisie');
  const maisieRequest = await request(6, 10, {
    childId: maisie,
    requesterKind: 'professional',
    requesterName: 'Tom Barker',
    requesterRole: 'Mental health practitioner',
    requesterOrganisation: 'Hertfordshire CAMHS',
    requesterContact: '01632 960 104',
    referralSource: '3F',
    worry:
      'Maisie (autistic) is finding secondary school overwhelming and has stopped going on Mondays. Her aunt Lisa, who cares for her, is exhausted and asked for support.',
    familyView: 'Lisa and Maisie both want help: a plan with school and a break for Lisa.',
    alreadyTried: 'Fortnightly CAMHS sessions and a sensory plan shared with school.',
    willKeepDoing: 'CAMHS sessions will carry on.',
    primaryNeed: 'N2',
  });
  await decide(5, 14, maisieRequest, {
    decision: 'family_help',
    teamId: north,
    reason:
      'Maisie and her aunt need practical support with school and a short break. Family help from the North team fits what they have asked for.',
    feedback: 'Thank you. Maisie will have family help from the North team; we will name her worker shortly.',
  });

  // --- Zara Hussain: a health visitor's request waiting at the front door ---------------------------
  await request(1, 15, {
    childId: child('zara'),
    requesterKind: 'professional',
    requesterName: 'Rachel Green',
    requesterRole: 'Health visitor',
    requesterOrganisation: 'Hertfordshire community health',
    requesterContact: '01632 960 300',
    referralSource: '3B',
    worry:
      'Zara has lost weight since her last check and Aisha (mum) is finding it hard to get to appointments since Imran started night shifts. Aisha speaks limited English and Zara’s nan usually interprets.',
    familyView: 'Aisha would like help with Zara’s eating and getting to appointments (spoken with in Urdu).',
    alreadyTried: 'Two home visits with an interpreter, a weight plan and a referral to the dietitian.',
    willKeepDoing: 'Weighing Zara every two weeks and seeing the family at home.',
    primaryNeed: 'N2',
  });
}
