/**
 * Writes one child of a past return into Hearth's tables, inside the import's transaction. Every
 * row is matched by its natural key (the child by `people.council_person_id` in the organisation; a
 * referral by its date; a plan by its kind and start; a period of care, legal status or placement by
 * its start; …) and created, updated or left unchanged, so importing the same files again changes
 * nothing, and a later year's file extends the history an earlier one started.
 */
import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from '../../../db/database.ts';
import { addMonths } from '../../care/rules.ts';
import { addWorkingDays } from '../../../platform/working-days.ts';
import type { FileReport } from './model.ts';
import type { Child903Facts, CinChildFacts, CinReferralFacts, EpisodeFacts, PersonFacts } from './parse.ts';

type Value = string | number | boolean | null | readonly string[];
/** An end date (and the columns that go with it) that a file of an earlier year must not reopen. */
type Keep = { end: string; with?: string[] } | { end: string; with?: string[] }[];
const EPISODE_END: Keep = { end: 'closed_on', with: ['status', 'status_since', 'closure_reason'] };
const PLAN_END: Keep = { end: 'ended_on', with: ['status'] };
type Row = Record<string, unknown>;

/** Tables whose rows carry `version` and `updated_at` (bumped when the import changes a row). */
const VERSIONED = new Set([
  'people',
  'help_episodes',
  'assessments',
  'plans',
  'section47_enquiries',
  'care_periods',
  'care_leavers',
]);

function arrayLiteral(items: readonly string[]): string {
  return `{${items.map((i) => `"${i.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
}

function param(value: Value): RawBuilder<unknown> {
  if (Array.isArray(value)) return sql`${arrayLiteral(value as readonly string[])}::text[]`;
  return sql`${value}`;
}

function same(existing: unknown, wanted: Value): boolean {
  if (wanted === null) return existing === null || existing === undefined;
  if (Array.isArray(wanted))
    return Array.isArray(existing) && JSON.stringify(existing) === JSON.stringify(wanted);
  if (existing instanceof Date) return existing.toISOString().slice(0, 10) === wanted;
  if (typeof existing === 'string' || typeof existing === 'number' || typeof existing === 'boolean')
    return String(existing) === String(wanted);
  return false;
}

/** Drops undefined values (undefined = "the return does not say": leave the record as it is). */
function defined(values: Record<string, Value | undefined>): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined) out[k] = v;
  return out;
}

const LOOKED_AFTER_END_TO_CLOSURE: Readonly<Record<string, string>> = {
  E11: 'RC1',
  E12: 'RC1',
  E2: 'RC2',
  E41: 'RC3',
  E45: 'RC4',
  E46: 'RC4',
  E47: 'RC4',
  E48: 'RC4',
};

const PLACEMENT_CHANGES = new Set(['P', 'T', 'B', 'U']);

export class Writer {
  readonly trx: Transaction<Database>;
  readonly organisationId: string;
  /** The account imported assessments are authorised by (they were authorised outside Hearth). */
  readonly importUserId: string;
  report: FileReport | undefined;
  /** 31 March of the year of the file being imported (ISO). */
  yearEnd = '9999-12-31';

  constructor(trx: Transaction<Database>, organisationId: string, importUserId: string) {
    this.trx = trx;
    this.organisationId = organisationId;
    this.importUserId = importUserId;
  }

  private count(table: string, what: 'created' | 'updated' | 'unchanged'): void {
    if (!this.report) return;
    const c = (this.report.tables[table] ??= { created: 0, updated: 0, unchanged: 0 });
    c[what] += 1;
  }

  skip(what: string, n = 1): void {
    if (!this.report || n === 0) return;
    this.report.skipped[what] = (this.report.skipped[what] ?? 0) + n;
  }

  private where(key: Record<string, Value>): RawBuilder<unknown> {
    return sql.join(
      Object.entries(key).map(([k, v]) =>
        v === null ? sql`${sql.ref(k)} IS NULL` : sql`${sql.ref(k)} = ${param(v)}`,
      ),
      sql` AND `,
    );
  }

  /**
   * The row of `table` matching `key`: created with `values` (and `insertOnly`) when there is none,
   * else updated where `values` differ. Returns its id.
   */
  async upsert(
    table: string,
    key: Record<string, Value>,
    values: Record<string, Value | undefined>,
    insertOnly: Record<string, Value> = {},
    keep?: Keep,
  ): Promise<string> {
    const wanted = defined(values);
    const cols = Object.keys(wanted);
    const select = cols.length ? sql`, ${sql.join(cols.map((c) => sql.ref(c)))}` : sql``;
    const found =
      await sql<Row>`SELECT id${select} FROM ${sql.table(table)} WHERE ${this.where(key)} ORDER BY id LIMIT 1`.execute(
        this.trx,
      );
    const existing = found.rows[0];
    if (!existing) {
      const all = { ...key, ...insertOnly, ...wanted };
      const names = Object.keys(all);
      const inserted = await sql<{ id: string }>`INSERT INTO ${sql.table(table)} (${sql.join(
        names.map((n) => sql.ref(n)),
      )}) VALUES (${sql.join(names.map((n) => param(all[n] ?? null)))}) RETURNING id`.execute(this.trx);
      this.count(table, 'created');
      return inserted.rows[0]?.id ?? '';
    }
    const id = String(existing['id']);
    // A file says a row is open at the end of its year: a later end already recorded stands.
    const kept = new Set<string>();
    for (const k of keep === undefined ? [] : Array.isArray(keep) ? keep : [keep]) {
      const recorded = existing[k.end];
      if (wanted[k.end] === null && typeof recorded === 'string' && recorded > this.yearEnd)
        for (const c of [k.end, ...(k.with ?? [])]) kept.add(c);
    }
    const changed = cols.filter((c) => !kept.has(c) && !same(existing[c], wanted[c] ?? null));
    if (changed.length === 0) {
      this.count(table, 'unchanged');
      return id;
    }
    const sets = changed.map((c) => sql`${sql.ref(c)} = ${param(wanted[c] ?? null)}`);
    if (VERSIONED.has(table)) sets.push(sql`version = version + 1`, sql`updated_at = now()`);
    await sql`UPDATE ${sql.table(table)} SET ${sql.join(sets)} WHERE id = ${id}`.execute(this.trx);
    this.count(table, 'updated');
    return id;
  }

  // -----------------------------------------------------------------------------------------------
  // People

  async person(facts: PersonFacts): Promise<{ id: string; dateOfBirth: string | null }> {
    const upn =
      facts.upn !== undefined
        ? { upn: facts.upn, upn_unknown_reason: null }
        : facts.upnUnknown !== undefined
          ? { upn: null, upn_unknown_reason: facts.upnUnknown }
          : {};
    const birth =
      facts.dateOfBirth !== undefined
        ? { date_of_birth: facts.dateOfBirth, expected_date_of_birth: null }
        : facts.expectedDateOfBirth !== undefined
          ? { date_of_birth: null, expected_date_of_birth: facts.expectedDateOfBirth }
          : {};
    const id = await this.upsert(
      'people',
      { organisation_id: this.organisationId, council_person_id: facts.childId, merged_into: null },
      {
        ...upn,
        ...birth,
        sex: facts.sex,
        date_of_death: facts.dateOfDeath,
        ethnicity: facts.ethnicity,
        disabilities: facts.disabilities,
        uasc: facts.uasc,
        uasc_ceased_on: facts.uascCeasedOn,
      },
      // Returns carry no names: the record is named by the return's child id until the council adds them.
      { given_name: 'Child', family_name: facts.childId, is_child: true },
    );
    const row = await this.trx
      .selectFrom('people')
      .select('date_of_birth')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return { id, dateOfBirth: row.date_of_birth };
  }

  // -----------------------------------------------------------------------------------------------
  // CIN census

  async cinChild(child: CinChildFacts): Promise<void> {
    const person = await this.person(child.person);
    for (const referral of child.referrals) await this.referral(person.id, referral);
  }

  private async referral(personId: string, r: CinReferralFacts): Promise<void> {
    const existing = await this.trx
      .selectFrom('cin_referrals as r')
      .innerJoin('help_episodes as e', 'e.id', 'r.episode_id')
      .select(['r.episode_id', 'e.started_on'])
      .where('e.person_id', '=', personId)
      .where('r.referral_date', '=', r.referralDate)
      .executeTakeFirst();
    const openPlan = (plans: readonly { endedOn: string | undefined }[]) =>
      plans.some((p) => p.endedOn === undefined);
    const status =
      r.closedOn !== undefined
        ? 'closed'
        : openPlan(r.protectionPlans)
          ? 'child_protection'
          : openPlan(r.cinPlans)
            ? 'child_in_need'
            : 'assessment';
    const episodeValues = {
      status,
      status_since: r.closedOn ?? r.referralDate,
      closed_on: r.closedOn ?? null,
      closure_reason: r.closureReason ?? null,
    };
    let episodeId: string;
    if (existing) {
      episodeId = existing.episode_id;
      // The episode made for this referral follows it; an episode it joined is left as it is.
      if (existing.started_on === r.referralDate)
        await this.upsert('help_episodes', { id: episodeId }, episodeValues, {}, EPISODE_END);
    } else {
      const open =
        r.closedOn === undefined
          ? await this.trx
              .selectFrom('help_episodes')
              .select('id')
              .where('person_id', '=', personId)
              .where('closed_on', 'is', null)
              .executeTakeFirst()
          : undefined;
      episodeId =
        open?.id ??
        (await this.upsert(
          'help_episodes',
          { person_id: personId, started_on: r.referralDate },
          episodeValues,
          { organisation_id: this.organisationId },
          EPISODE_END,
        ));
    }
    const referralId = await this.upsert(
      'cin_referrals',
      { episode_id: episodeId, referral_date: r.referralDate },
      {
        referral_source: r.source,
        primary_need: r.need,
        referral_nfa: r.nfa,
        closed_on: r.closedOn ?? null,
        closure_reason: r.closureReason ?? null,
      },
      {},
      { end: 'closed_on', with: ['closure_reason'] },
    );
    const link = { episode_id: episodeId, cin_referral_id: referralId };

    for (const a of r.assessments) {
      const authorised = a.authorisedOn !== undefined;
      const assessmentId = await this.upsert(
        'assessments',
        { person_id: personId, kind: 'child_and_family', started_on: a.startedOn },
        {
          ...link,
          internal_review_on: a.internalReviewOn ?? null,
          authorised_on: a.authorisedOn ?? null,
          authorised_by: authorised ? this.importUserId : null,
          status: authorised ? 'authorised' : 'in_progress',
          completed_on: a.authorisedOn ?? null,
        },
        { due_on: addWorkingDays(a.startedOn, 45) },
        [
          { end: 'authorised_on', with: ['authorised_by', 'status', 'completed_on'] },
          { end: 'internal_review_on' },
        ],
      );
      const have = (
        await this.trx
          .selectFrom('assessment_factors')
          .select('factor')
          .where('assessment_id', '=', assessmentId)
          .execute()
      ).map((f) => f.factor);
      for (const factor of a.factors) {
        if (have.includes(factor)) {
          this.count('assessment_factors', 'unchanged');
          continue;
        }
        await this.trx
          .insertInto('assessment_factors')
          .values({ assessment_id: assessmentId, factor })
          .execute();
        this.count('assessment_factors', 'created');
      }
    }

    for (const p of r.cinPlans)
      await this.upsert(
        'plans',
        { person_id: personId, kind: 'child_in_need', started_on: p.startedOn },
        { ...link, status: p.endedOn ? 'ended' : 'active', ended_on: p.endedOn ?? null },
        {},
        PLAN_END,
      );

    for (const s of r.enquiries) {
      const enquiryId = await this.upsert(
        'section47_enquiries',
        { person_id: personId, started_on: s.startedOn },
        {
          ...link,
          icpc_target_on: s.icpcTargetOn ?? null,
          icpc_not_required: s.icpcNotRequired ?? null,
          completed_on: s.icpcOn,
          outcome: s.icpcOn !== undefined ? 'initial_conference' : undefined,
        },
      );
      if (s.icpcOn !== undefined)
        await this.upsert(
          'conferences',
          { person_id: personId, kind: 'initial', held_on: s.icpcOn },
          { episode_id: episodeId, section47_id: enquiryId, status: 'held' },
        );
    }
    if (r.initialConferenceOn !== undefined)
      await this.upsert(
        'conferences',
        { person_id: personId, kind: 'initial', held_on: r.initialConferenceOn },
        { episode_id: episodeId, status: 'held' },
      );

    for (const p of r.protectionPlans) {
      const planId = await this.upsert(
        'plans',
        { person_id: personId, kind: 'child_protection', started_on: p.startedOn },
        {
          ...link,
          status: p.endedOn ? 'ended' : 'active',
          ended_on: p.endedOn ?? null,
          initial_category: p.initialCategory,
          latest_category: p.latestCategory ?? p.initialCategory,
        },
        {},
        PLAN_END,
      );
      for (const on of p.reviews)
        await this.upsert(
          'conferences',
          { person_id: personId, kind: 'review', held_on: on },
          { episode_id: episodeId, plan_id: planId, status: 'held' },
        );
    }
  }

  // -----------------------------------------------------------------------------------------------
  // SSDA903

  async child903(child: Child903Facts, year: number): Promise<void> {
    const person = await this.person(child.person);
    const personId = person.id;
    for (const run of periodRuns(child.episodes)) await this.periodOfCare(personId, run);

    for (const r of child.reviews) {
      const period = await this.trx
        .selectFrom('care_periods')
        .select(['id', 'episode_id', 'started_on', 'ended_on', 'care_plan_id'])
        .where('person_id', '=', personId)
        .where('started_on', '<=', r.on)
        .orderBy('started_on', 'desc')
        .executeTakeFirst();
      if (!period)
        throw new RowProblem(r.where, 'REVIEW', `no period of care of the child had started by ${r.on}`);
      const planId = await this.upsert(
        'plans',
        { person_id: personId, kind: 'care', started_on: period.started_on },
        {
          episode_id: period.episode_id,
          status: period.ended_on ? 'ended' : 'active',
          ended_on: period.ended_on,
        },
        {},
        PLAN_END,
      );
      if (period.care_plan_id !== planId)
        await this.trx
          .updateTable('care_periods')
          .set({ care_plan_id: planId })
          .where('id', '=', period.id)
          .execute();
      await this.upsert(
        'plan_reviews',
        { plan_id: planId, reviewed_on: r.on },
        { participation: r.participation ?? null },
        { family_view: 'Not recorded: imported from a past SSDA903 return', decision: 'continue' },
      );
    }

    const yearEnd = `${String(year)}-03-31`;
    const yearStart = `${String(year - 1)}-04-01`;
    if (child.outcomes) {
      const o = child.outcomes;
      for (const kind of o.kinds)
        await this.upsert(
          'health_checks',
          { person_id: personId, kind, on_date: yearEnd },
          kind === 'sdq' ? { sdq_score: o.sdqScore ?? null, sdq_reason: o.sdqReason ?? null } : {},
        );
    }

    if (child.leaver) {
      await this.upsert('care_leavers', { person_id: personId }, {}, { eligibility: 'former_relevant' });
      const dob = person.dateOfBirth;
      const birthday =
        dob === null
          ? undefined
          : [17, 18, 19, 20, 21]
              .map((age) => addMonths(dob, age * 12))
              .find((d) => d >= yearStart && d <= yearEnd);
      await this.upsert(
        'care_leaver_contacts',
        { person_id: personId, contacted_on: birthday ?? yearEnd },
        {
          in_touch: child.leaver.inTouch,
          activity: child.leaver.activity ?? null,
          accommodation: child.leaver.accommodation ?? null,
        },
      );
    }

    if (child.adoption) {
      const a = child.adoption;
      await this.upsert(
        'permanence_decisions',
        { person_id: personId, decision_on: a.decisionOn },
        {
          matched_on: a.matchedOn ?? null,
          adopted_by_foster_carer: a.fosterCarer ?? null,
          number_of_adopters: a.adopters ?? null,
          adopter_sex: a.adopterSex ?? null,
          adopter_legal_status: a.adopterLegalStatus ?? null,
        },
      );
    }
    for (const p of child.placedForAdoption)
      await this.upsert(
        'permanence_decisions',
        { person_id: personId, decision_on: p.decisionOn },
        { ceased_on: p.ceasedOn ?? null, ceased_reason: p.ceasedReason ?? null },
        {},
        { end: 'ceased_on', with: ['ceased_reason'] },
      );

    if (child.previousPermanence) {
      const p = child.previousPermanence;
      const period =
        (await this.trx
          .selectFrom('care_periods')
          .select('id')
          .where('person_id', '=', personId)
          .where('started_on', '>=', yearStart)
          .where('started_on', '<=', yearEnd)
          .orderBy('started_on', 'desc')
          .executeTakeFirst()) ??
        (await this.trx
          .selectFrom('care_periods')
          .select('id')
          .where('person_id', '=', personId)
          .where('started_on', '<=', yearEnd)
          .orderBy('started_on', 'desc')
          .executeTakeFirst());
      if (!period) throw new RowProblem(p.where, 'PREV_PERM', 'the child has no period of care to hold it');
      await this.upsert(
        'care_periods',
        { id: period.id },
        {
          previous_permanence: p.code,
          previous_permanence_la: p.la ?? null,
          previous_permanence_on: p.on ?? null,
        },
      );
    }

    for (const m of child.missing) {
      const period = await this.trx
        .selectFrom('care_periods')
        .select('id')
        .where('person_id', '=', personId)
        .where('started_on', '<=', m.startedOn)
        .where((eb) => eb.or([eb('ended_on', 'is', null), eb('ended_on', '>=', m.startedOn)]))
        .executeTakeFirst();
      await this.upsert(
        'missing_episodes',
        { person_id: personId, kind: m.kind, started_on: m.startedOn },
        { ended_on: m.endedOn ?? null, care_period_id: period?.id },
        {},
        { end: 'ended_on' },
      );
    }

    for (const l of child.liberty)
      await this.upsert(
        'liberty_orders',
        { person_id: personId, started_on: l.startedOn },
        { ended_on: l.endedOn ?? null },
        {},
        { end: 'ended_on' },
      );

    this.skip('SWEpisodes', child.socialWorkerEpisodes);
  }

  /** One period of care from its run of episodes (each starting the day the one before ended, X1). */
  private async periodOfCare(personId: string, run: readonly EpisodeFacts[]): Promise<void> {
    const first = run[0];
    const last = run[run.length - 1];
    if (!first || !last) return;
    const ended = last.endedOn !== undefined && last.reasonEnded !== 'X1';
    const endedOn = ended ? (last.endedOn ?? null) : null;
    const reasonCeased = ended ? (last.reasonEnded ?? null) : null;

    // The period the run belongs to: the one starting on its first day (S), else the one it continues.
    let query = this.trx
      .selectFrom('care_periods')
      .select(['id', 'episode_id', 'started_on'])
      .where('person_id', '=', personId);
    query =
      first.reasonNew === 'S'
        ? query.where('started_on', '=', first.startedOn)
        : query
            .where('started_on', '<=', first.startedOn)
            .where((eb) => eb.or([eb('ended_on', 'is', null), eb('ended_on', '>=', first.startedOn)]));
    const existing = await query.orderBy('started_on', 'desc').executeTakeFirst();
    const startedOn = existing?.started_on ?? first.startedOn;

    // The episode of help the period is part of: the one open on its first day, else a new one.
    const episodeValues = {
      status: ended ? 'closed' : 'looked_after',
      status_since: endedOn ?? startedOn,
      closed_on: endedOn,
      closure_reason: ended ? (LOOKED_AFTER_END_TO_CLOSURE[reasonCeased ?? ''] ?? 'RC7') : null,
    };
    let episodeId = existing?.episode_id;
    if (episodeId === undefined) {
      const covering = await this.trx
        .selectFrom('help_episodes')
        .select('id')
        .where('person_id', '=', personId)
        .where('started_on', '<=', startedOn)
        .where((eb) => eb.or([eb('closed_on', 'is', null), eb('closed_on', '>=', startedOn)]))
        .orderBy('started_on', 'desc')
        .executeTakeFirst();
      const open =
        covering ??
        (ended
          ? undefined
          : await this.trx
              .selectFrom('help_episodes')
              .select('id')
              .where('person_id', '=', personId)
              .where('closed_on', 'is', null)
              .executeTakeFirst());
      episodeId =
        open?.id ??
        (await this.upsert(
          'help_episodes',
          { person_id: personId, started_on: startedOn },
          episodeValues,
          { organisation_id: this.organisationId },
          EPISODE_END,
        ));
    } else {
      const episode = await this.trx
        .selectFrom('help_episodes')
        .select('started_on')
        .where('id', '=', episodeId)
        .executeTakeFirstOrThrow();
      // The episode made for this period ends with it.
      if (episode.started_on === startedOn) {
        const hasReferral = await this.trx
          .selectFrom('cin_referrals')
          .select('id')
          .where('episode_id', '=', episodeId)
          .executeTakeFirst();
        if (!hasReferral)
          await this.upsert('help_episodes', { id: episodeId }, episodeValues, {}, EPISODE_END);
      }
    }

    const startsPeriod = existing === undefined || first.reasonNew === 'S';
    const periodId = await this.upsert(
      'care_periods',
      { person_id: personId, started_on: startedOn },
      {
        episode_id: episodeId,
        ...(ended || existing === undefined ? { ended_on: endedOn, reason_ceased: reasonCeased } : {}),
        ...(startsPeriod
          ? { category_of_need: first.categoryOfNeed, home_postcode: first.homePostcode ?? null }
          : {}),
      },
      startsPeriod ? {} : { category_of_need: first.categoryOfNeed },
      { end: 'ended_on', with: ['reason_ceased'] },
    );

    // Legal statuses and placements: a new one whenever the episode changes it.
    const inForce = async (table: 'legal_statuses' | 'placements') =>
      sql<Row>`SELECT * FROM ${sql.table(table)} WHERE care_period_id = ${periodId} AND started_on <= ${first.startedOn}
        ORDER BY started_on DESC LIMIT 1`
        .execute(this.trx)
        .then((r) => r.rows[0]);
    type Status = { startedOn: string; code: string; endedOn: string | null };
    type Place = {
      startedOn: string;
      type: string;
      provider: string | null;
      postcode: string | null;
      urn: string | null;
      sameCarer: boolean | undefined;
      changeReason: string | null | undefined;
      endedOn: string | null;
    };
    const statuses: Status[] = [];
    const places: Place[] = [];
    if (first.reasonNew !== 'S') {
      const s = await inForce('legal_statuses');
      if (s && s['code'] === first.legalStatus && !['L', 'T', 'B'].includes(first.reasonNew))
        statuses.push({ startedOn: String(s['started_on']), code: first.legalStatus, endedOn: null });
      const p = await inForce('placements');
      if (
        p &&
        !PLACEMENT_CHANGES.has(first.reasonNew) &&
        p['placement_type'] === first.placement &&
        (p['provider'] ?? undefined) === first.provider &&
        (p['postcode'] ?? undefined) === first.placementPostcode
      )
        places.push({
          startedOn: String(p['started_on']),
          type: first.placement,
          provider: first.provider ?? null,
          postcode: first.placementPostcode ?? null,
          urn: first.urn ?? null,
          sameCarer: undefined,
          changeReason: undefined,
          endedOn: null,
        });
    }
    let previous: EpisodeFacts | undefined;
    for (const e of run) {
      const status = statuses[statuses.length - 1];
      if (!status || status.code !== e.legalStatus) {
        if (status) status.endedOn = e.startedOn;
        statuses.push({ startedOn: e.startedOn, code: e.legalStatus, endedOn: null });
      }
      const place = places[places.length - 1];
      const moved =
        !place ||
        (previous !== undefined && PLACEMENT_CHANGES.has(e.reasonNew)) ||
        place.type !== e.placement ||
        place.provider !== (e.provider ?? null) ||
        place.postcode !== (e.placementPostcode ?? null);
      if (moved) {
        if (place) {
          place.endedOn = e.startedOn;
          place.changeReason = previous?.placeChange ?? null;
        }
        places.push({
          startedOn: e.startedOn,
          type: e.placement,
          provider: e.provider ?? null,
          postcode: e.placementPostcode ?? null,
          urn: e.urn ?? null,
          sameCarer: e.reasonNew === 'B' || e.reasonNew === 'U',
          changeReason: null,
          endedOn: null,
        });
      }
      previous = e;
    }
    const lastStatus = statuses[statuses.length - 1];
    if (lastStatus) lastStatus.endedOn = last.endedOn ?? null;
    const lastPlace = places[places.length - 1];
    if (lastPlace) {
      lastPlace.endedOn = last.endedOn ?? null;
      lastPlace.changeReason = last.placeChange ?? null;
    }
    for (const s of statuses)
      await this.upsert(
        'legal_statuses',
        { care_period_id: periodId, started_on: s.startedOn },
        { code: s.code, ended_on: s.endedOn },
        {},
        { end: 'ended_on' },
      );
    for (const p of places)
      await this.upsert(
        'placements',
        { care_period_id: periodId, started_on: p.startedOn },
        {
          placement_type: p.type,
          provider: p.provider,
          postcode: p.postcode,
          urn: p.urn,
          ended_on: p.endedOn,
          change_reason: p.changeReason,
          same_carer_as_previous: p.sameCarer,
        },
        {},
        { end: 'ended_on', with: ['change_reason'] },
      );
  }
}

/** A problem found while writing a row (reported by file, row and field like a problem of the file). */
export class RowProblem extends Error {
  readonly where: { file: string; row: number | undefined };
  readonly field: string;
  constructor(where: { file: string; row: number | undefined }, field: string, message: string) {
    super(message);
    this.where = where;
    this.field = field;
  }
}

/**
 * The child's episodes split into periods of care: a period starts with RNE S, or when an episode
 * does not start the day the one before ended with X1.
 */
export function periodRuns(episodes: readonly EpisodeFacts[]): EpisodeFacts[][] {
  const runs: EpisodeFacts[][] = [];
  let current: EpisodeFacts[] | undefined;
  let previous: EpisodeFacts | undefined;
  for (const e of episodes) {
    const continues =
      current !== undefined &&
      previous !== undefined &&
      e.reasonNew !== 'S' &&
      (previous.endedOn === undefined || (previous.reasonEnded === 'X1' && previous.endedOn === e.startedOn));
    if (!continues || !current) {
      current = [];
      runs.push(current);
    }
    current.push(e);
    previous = e;
  }
  return runs;
}
