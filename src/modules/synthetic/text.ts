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
