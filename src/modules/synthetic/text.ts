/**
 * Short plain-English phrases for the text fields of synthetic records: what the worry is, what the
 * family thinks, the reasons for decisions, plan goals in the family's words. Pooled and reused, so
 * the records read naturally without bloating the database.
 */

export const WORRIES: Readonly<Record<string, readonly string[]>> = {
  N1: [
    'The child has unexplained bruising and gave different accounts of how it happened.',
    'The child often arrives at school hungry, in unwashed clothes, and falls asleep in lessons.',
    'Police attended a domestic incident at the home; the children were present.',
    'The child said they are scared to go home because of shouting and hitting.',
    'Neighbours report the children are often left alone in the evening.',
    'Health visitor is worried that the baby is not gaining weight and appointments are missed.',
    'The child disclosed that an adult in the household touched them inappropriately.',
    'The home conditions are very poor and there is little food in the house.',
  ],
  N2: [
    'The family are struggling to meet the child’s complex care needs and are exhausted.',
    'The child’s disability means they need support the family cannot give without help.',
    'School reports the child’s needs have increased and the family are asking for short breaks.',
  ],
  N3: [
    'The parent has been admitted to hospital and there is no one to look after the children.',
    'The parent’s mental health has deteriorated and they are finding it hard to care for the children.',
    'The parent’s illness means the child is doing most of the caring at home.',
  ],
  N4: [
    'The family have been evicted and are staying with friends; the children have missed school.',
    'The family are in debt, the electricity has been cut off and there is no food.',
    'A bereavement has left the family in crisis and the parent is not coping.',
  ],
  N5: [
    'There is constant conflict between the parents and the children are caught in the middle.',
    'The relationship between the young person and their parent has broken down.',
    'The young person has been told to leave home after repeated arguments.',
  ],
  N6: [
    'The young person has been arrested twice in a month and is missing from home overnight.',
    'School is worried the young person is being drawn into selling drugs.',
    'The young person’s behaviour at home has become violent towards their parent.',
  ],
  N7: [
    'The family cannot afford food or heating and the children are going without.',
    'The family’s benefits have stopped and they have no income at all.',
  ],
  N8: [
    'The child has arrived in the country alone with no parent or carer.',
    'The child’s parent has left the country and there is no one with parental responsibility.',
  ],
  N9: [
    'A request for a report for court about the child’s circumstances.',
    'Another authority asked for checks on the family who have moved into the area.',
  ],
};

export const FAMILY_VIEWS: readonly string[] = [
  'Mum agrees things have been hard lately and wants help with routines.',
  'The parents do not agree there is a problem but will meet a worker.',
  'Dad is worried too and asked for support.',
  'The family are angry about the request but want to keep the children safe.',
  'The young person wants things to change at home.',
  'Mum says she feels alone and would welcome help.',
  'The family have not been told yet because of the risk to the child.',
  'Grandmother says she can help more if the family are supported.',
];

export const ALREADY_TRIED: readonly string[] = [
  'School has offered breakfast club and a pastoral mentor.',
  'The health visitor has made extra visits and referred to the children’s centre.',
  'We have talked with the family several times and agreed a plan in school.',
  'Police have given safety advice and made a referral to the domestic abuse service.',
  'The GP has referred the parent to talking therapies.',
  'Nothing yet: this is the first time we have been worried.',
];

export const WILL_KEEP_DOING: readonly string[] = [
  'School will keep checking in with the child every morning.',
  'The health visitor will keep visiting every two weeks.',
  'We will keep offering the family support and share any new worries.',
  'The GP will review the parent’s medication next month.',
  'We will stay involved and come to any meetings.',
];

export const DECISION_REASONS: Readonly<Record<string, readonly string[]>> = {
  information_advice: [
    'The family are managing with advice; the requester was given information on local support.',
    'No further help is needed from us now; advice given to the family and the requester.',
  ],
  community_service: [
    'A community service can meet this need with the family’s agreement.',
    'Universal services are the right help; the family have agreed to a referral.',
  ],
  family_help: [
    'The family need help beyond universal services and have agreed to family help.',
    'Several worries together: a family help worker will support the family.',
  ],
  assessment: [
    'The child may be in need: a child and family assessment is needed.',
    'The worries meet the threshold for an assessment by a social worker.',
  ],
  strategy_discussion: [
    'There is reasonable cause to suspect significant harm: a strategy discussion is needed today.',
    'The child may be at risk of significant harm; police and health to join a strategy discussion.',
  ],
};

export const COMMUNITY_SERVICES: readonly string[] = [
  'Children’s centre: stay and play',
  'Parenting programme',
  'Young carers’ service',
  'School nursing service',
  'Food bank and holiday activities',
  'Domestic abuse support service',
  'Youth service',
  'Debt and benefits advice',
  'Housing options team',
];

export const HELP_INSTEAD: readonly string[] = [
  'Information about the local family hub and how to ask for help again.',
  'Referral to a community service agreed with the family.',
  'Advice to the requester and a letter to the family about support available.',
];

export const FEEDBACK: readonly string[] = [
  'Thank you for asking for help for this child. We have decided the next step and will keep you informed.',
  'We have looked at your request and agreed help with the family. Please keep sharing any new worries.',
  'Your request has been considered; the family have been offered support. Contact us again if things change.',
];

export const GOALS: readonly (readonly [goal: string, who: string])[] = [
  ['The children get to school on time every day.', 'Mum, with help from the school'],
  ['We have enough food and the bills are paid.', 'Family help worker and Mum'],
  ['There is no shouting or fighting at home.', 'Mum and Dad'],
  ['I feel safe at home and know who to tell if I am worried.', 'The child, with their social worker'],
  ['Mum gets support for her mental health.', 'Mum and her GP'],
  ['The house is clean and safe for the baby.', 'Parents, with the family help worker'],
  ['We have a routine for bedtime and mornings.', 'Parents'],
  ['I stay away from people who put me at risk.', 'The young person, with the youth worker'],
  ['Grandma helps after school three days a week.', 'Grandmother'],
  ['Dad goes to the domestic abuse programme every week.', 'Dad'],
  ['We move to a home with enough bedrooms.', 'Mum, with the housing officer'],
  ['I see my brothers and sisters every week.', 'Social worker and carers'],
];

export const REVIEW_FAMILY_VIEWS: readonly string[] = [
  'Things are better at home and we want to keep going with the plan.',
  'We feel the plan is working but still need help with money.',
  'We do not agree with all of the plan but are trying.',
  'Mum says the support has helped and she feels more confident.',
  'The family would like the plan to end soon.',
  'Dad feels he is not listened to at meetings.',
];

export const REVIEW_CHILD_VIEWS: readonly string[] = [
  'I like it better at home now.',
  'I want to see my mum more.',
  'I am happy where I live.',
  'I want people to stop asking me questions.',
  'I feel safer now.',
  'I want to stay at my school.',
];

export const PROGRESS: readonly string[] = [
  'Good progress on most goals.',
  'Some progress; two goals still to work on.',
  'Little progress; the plan has been changed.',
  'Goals achieved.',
];

export const FAMILY_ACCOUNTS: readonly string[] = [
  'We have been through a hard time and did not know where to turn.',
  'We do not think there is a problem but we want to work with you.',
  'Money has been very tight and it has affected everything.',
  'We love our children and want them to stay with us.',
];

export const ANALYSES: readonly string[] = [
  'The child’s needs are being met with support; the family are engaging well.',
  'Cumulative neglect over time: the child needs a plan to make sure things change.',
  'Domestic abuse is affecting the children’s emotional wellbeing.',
  'The parent’s mental health is the main worry; with support the children are safe.',
  'No evidence that the child is in need; the family have support from universal services.',
];

export const CHILD_WORDS: readonly string[] = [
  'I want everyone to stop arguing.',
  'I like my school and my friends.',
  'I want to live with my mum.',
  'I am worried about my little sister.',
  'I do not want to talk about it.',
];

export const STRATEGY_AGENCIES: readonly (readonly string[])[] = [
  ['children’s social care', 'police', 'health'],
  ['children’s social care', 'police', 'health', 'education'],
  ['children’s social care', 'police'],
];

export const PRIVATE_PROVIDERS: readonly string[] = [
  'Oakleaf Fostering',
  'Brightpath Care',
  'Harbour Children’s Services',
  'Meadowview Homes',
  'Compass Point Fostering',
  'Riverside Residential Care',
  'Northstar Supported Living',
  'Willowbank Care Group',
];

export const VOLUNTARY_PROVIDERS: readonly string[] = [
  'Family Futures Fostering',
  'Hope House Trust',
  'St Anne’s Children’s Charity',
  'Pathways Adoption',
];

// ---------------------------------------------------------------------------------------------
// Child protection (0008): strategy discussions, conferences, core groups, family network meetings

/** Who speaks for each agency at a strategy discussion, and what they might say. */
export const STRATEGY_VOICES: Readonly<
  Record<
    'police' | 'health' | 'education' | 'childrens_social_care',
    { organisation: string; role: string; said: readonly string[] }
  >
> = {
  police: {
    organisation: 'Police',
    role: 'Detective constable, child abuse investigation team',
    said: [
      'Police were called to the home twice this year; both times the children were present.',
      'There are no police records for the adults in the household.',
      'Dad has a caution for assault from four years ago.',
      'Police will speak to the child with a social worker, by video interview if they agree.',
      'A neighbour reported shouting and a child crying late at night last week.',
    ],
  },
  health: {
    organisation: 'Community health services',
    role: 'Named nurse for safeguarding',
    said: [
      'The child has missed their last two health appointments.',
      'The health visitor saw the baby last month and had no worries about weight or care.',
      'The GP has seen Mum about her low mood; she is on a waiting list for talking therapy.',
      'A medical will be arranged to look at the bruising.',
      'The child’s immunisations are up to date.',
    ],
  },
  education: {
    organisation: 'School',
    role: 'Designated safeguarding lead',
    said: [
      'Attendance has dropped to 78% this term, with several late arrivals.',
      'The child told their teacher they did not want to go home.',
      'The child has come to school hungry most mornings this month.',
      'School have no worries about how the child presents; they are settled in class.',
      'The child was withdrawn and tearful in class this week.',
    ],
  },
  childrens_social_care: {
    organisation: 'Children’s social care',
    role: 'Social worker',
    said: [
      'The family have had family help before; it ended when things improved.',
      'I visited today and saw the child alone; they said they felt safe at home.',
      'Mum agreed the children can stay with their grandmother while we find out more.',
      'This is the first time the family have come to our attention.',
      'The child has a previous child protection plan for neglect.',
    ],
  },
};

export const REPORT_SHARED_NOTES: readonly string[] = [
  'Read through with Mum at home; she asked for some words to be changed.',
  'Dad asked for a copy in large print.',
  'An interpreter helped read it through.',
  'Sent by email as the parents asked.',
];

export const CONFERENCE_REASONS: Readonly<Record<'plan' | 'no_plan' | 'continue', readonly string[]>> = {
  plan: [
    'The child is likely to suffer significant harm without a plan; the family agree they need help to keep the child safe.',
    'Repeated incidents at home have harmed the child and the worries are not yet reduced.',
    'The child’s basic needs are not being met and earlier help has not changed things.',
  ],
  no_plan: [
    'The family have acted to keep the child safe; help can continue as a child in need.',
    'The worries were not borne out by the enquiry; the family will get support if they want it.',
    'The risk is reduced now the adult of concern has left the home.',
  ],
  continue: [
    'Some progress, but the worries that led to the plan are still there.',
    'The family are working with the plan; more time is needed to be sure changes last.',
    'Things have improved but there was another incident this month.',
  ],
};

export const ADVOCATE_NOTES: Readonly<Record<'taken_up' | 'declined', readonly string[]>> = {
  taken_up: [
    'An advocate from the family rights service came with the parents.',
    'Mum’s advocate helped her write down what she wanted to say.',
  ],
  declined: [
    'Mum wanted her sister to come with her instead.',
    'Dad said he would think about it.',
    'The parents said they would rather speak for themselves.',
  ],
};

export const CORE_GROUP_PROGRESS: readonly string[] = [
  'The children are going to school every day and the home is tidier.',
  'Mum has started the parenting course and went to every session so far.',
  'No new incidents since the last meeting.',
  'Appointments are being kept; the baby is gaining weight.',
  'Some things have slipped: two missed visits and attendance down again.',
  'Dad has moved out and has supervised contact at the family centre.',
];

export const FAMILY_MEETING_DECLINED: readonly string[] = [
  'The family did not want wider family to know about the worries.',
  'Mum said there is no one in the family she could ask.',
  'The parents said they would rather work with the social worker only.',
];

export const FAMILY_PLANS: readonly string[] = [
  'Grandma will have the children two nights a week and take them to school.',
  'Aunt will be there at bedtimes while Mum is unwell, and the family will meet again in a month.',
  'Uncle will drive the children to school and the family will check in every Sunday.',
  'The children’s grandparents will be the first people Mum calls if things get difficult.',
];

// ---------------------------------------------------------------------------------------------
// Children in care (0009): reviews, returning home, education, placements

export const RETURN_HOME_STEPS: Readonly<Record<'considered' | 'not_considered', readonly string[]>> = {
  considered: [
    'Mum to finish the parenting programme; overnight stays at home to build up over the next month.',
    'Contact to move to weekends at home; a family help worker to visit after the child returns.',
    'Dad to keep working with the drug service and show three months of clear tests.',
  ],
  not_considered: [
    'The court has decided the child will not return home; the plan is long-term fostering.',
    'The plan is adoption; contact with the birth family continues by letter.',
    'The child is settled with their carers and says they want to stay.',
    'The worries at home have not changed; this will be looked at again at the next review.',
  ],
};

export const RETURN_HOME_FAMILY_VIEWS: readonly string[] = [
  'Mum wants the child home as soon as possible and agrees with the steps.',
  'The parents think the child should be home now and do not agree with the plan.',
  'Dad agrees the child is settled where they are and wants more contact.',
  'The family did not come to the review; the social worker will share the plan with them.',
];

export const PEP_NOTES: readonly string[] = [
  'Settled in class; extra reading support agreed from the pupil premium plus.',
  'Attendance 96% this term; the child wants to join the football club.',
  'Struggling with maths; one-to-one tutoring to start next half-term.',
  'Moved school after the placement change; a buddy arranged for the first weeks.',
  'Targets met; the child is proud of their science project.',
  'Exam year: revision sessions and a careers interview arranged.',
];

export const CHILDRENS_HOMES: readonly string[] = [
  'Larch House',
  'The Willows',
  'Beacon View',
  'Hawthorn Lodge',
  'Maple Court',
  'Riverside House',
];

/** Why a child moved, beside the SSDA903 reason for the change of placement. */
export const PLACEMENT_CHANGE_NOTES: Readonly<Record<string, string>> = {
  CARPL: 'Moved to the placement in the care plan.',
  OTHER: 'Moved for another reason agreed with the child.',
  CREQB: 'The carers asked for the child to move because of the child’s behaviour.',
  CREQO: 'The carers asked for the child to move for reasons of their own.',
  CHILD: 'The child asked to move.',
  LAREQ: 'The council decided the child should move.',
  CLOSE: 'The home closed.',
  STAND: 'The placement was no longer up to standard.',
  ALLEG: 'The child moved while an allegation against the carers was looked into.',
  APPRR: 'The carers’ approval was reviewed.',
};

export const S47_FINDINGS: readonly string[] = [
  'The child was seen alone and said they felt safe; the injury has an innocent explanation.',
  'The worries were confirmed: the child has been left alone at night and there is little food at home.',
  'The child described shouting and hitting at home; Mum agrees things must change.',
  'Medical found the bruising consistent with the account given; the family need help with routines.',
  'The home conditions are very poor; the parents want help and have started to make changes.',
];
