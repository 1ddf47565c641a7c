-- One row per complaint with the person it links to in the register and the
-- rosters, and their desil, programmes and findings. A pre-verified status and
-- the next step are given in Indonesian and English (texts from __rules_texts),
-- with whether the response is overdue on overdue_reference_date, a date that
-- pipelines/rules/params.py chooses. Roster rows that do not count as
-- received in the audited period (inactive, another tahap or segment, see
-- roster_records) are named in the status, never counted as received.
with

records as (
    select * from __rules_records
),

complaints as (
    select * from __rules_in_complaints
),

person_register as (
    select * from __rules_person_register
),

recipients as (
    select * from __rules_recipients
),

roster_records as (
    select * from roster_records
),

eligibility as (
    select * from __rules_family_eligibility
),

rosters as (
    select * from __rules_rosters
),

findings as (
    select * from fct_findings
),

texts as (
    select * from __rules_texts
),

params as (
    select * from __rules_params
),

quarantined_register_niks as (
    select * from __rules_quarantined_register_niks
),

quarantined_register_persons as (
    select * from __rules_quarantined_register_persons
),

-- The complainants. The per-person and per-family lists below are built for
-- them only: over every recipient, finding and roster row they cost about 1.5
-- CPU seconds at batang size, for about 1,500 complaints.
complainants as (
    select distinct records.person_id, person_register.family_id
    from records
    inner join complaints on records.record_id = complaints.record_id
    left join person_register on records.person_id = person_register.person_id
),

received_by_person as (
    select person_id, list(distinct programme order by programme) as programmes
    from recipients
    where person_id in (select person_id from complainants)
    group by person_id
),

-- The roster rows of each person that are not received, once per programme,
-- period, active state and segment.
not_received_entries as (
    select distinct
        person_id,
        programme,
        period,
        is_active,
        case when programme = 'PBI' and segment not like 'PBI%' then segment end as segment
    from roster_records
    where not is_received
        and person_id in (select person_id from complainants)
),

flags_by_person as (
    select person_id, list(distinct rule_code order by rule_code) as flags
    from findings
    where severity = 'FLAG'
        and person_id in (select person_id from complainants)
    group by person_id
),

-- The person's earliest recorded death (empty without a death register). Its date
-- is null when no death row of the person has a readable date.
complainant_deaths as (
    select person_id, death_date
    from __rules_deaths
    where person_id in (select person_id from complainants)
),

linked_roster as (
    select person_id, min(record_id) as roster_record_id
    from records
    where kind in ('pkh', 'bpnt', 'pbi')
        and person_id in (select person_id from complainants)
    group by person_id
),

complaint_rows as (
    select
        records.record_id,
        records.person_id,
        records.nik,
        records.nik_key,
        coalesce(records.name, records.name_raw) as name,
        records.kecamatan_code,
        records.desa_code,
        records.source_file,
        records.source_sheet,
        records.source_row,
        complaints.complaint_id,
        complaints.complaint_date,
        complaints.channel,
        lower(complaints.complaint_type) as complaint_type,
        complaints.programme_requested,
        complaints.reason,
        complaints.complaint_status,
        case
            when upper(complaints.programme_requested) in ('PKH', 'BPNT', 'PBI')
                then upper(complaints.programme_requested)
            when upper(complaints.programme_requested) in ('SEMBAKO', 'BPNT/SEMBAKO')
                then 'BPNT'
            when upper(complaints.programme_requested) like 'PBI%' then 'PBI'
        end as programme_requested_code,
        case
            when lower(complaints.complaint_type) = 'sanggahan' then params.sanggahan_response_days
            else params.field_check_response_days
        end as response_days
    from records
    inner join complaints on records.record_id = complaints.record_id
    cross join params
),

with_register as (
    select
        complaint_rows.*,
        person_register.record_id as register_record_id,
        person_register.family_id,
        person_register.effective_desil as desil,
        person_register.is_padan_dukcapil,
        person_register.is_register_active,
        linked_roster.roster_record_id,
        coalesce(received_by_person.programmes, []) as programmes_received,
        complaint_rows.person_id in (select person_id from not_received_entries)
            as has_roster_not_received,
        complaint_rows.person_id in (
            select person_id from not_received_entries
            where programme = 'PBI' and not is_active
        ) as has_inactive_pbi,
        flags_by_person.flags,
        complainant_deaths.death_date,
        complainant_deaths.person_id is not null as has_death_row,
        complaint_rows.nik in (select nik from quarantined_register_niks)
            or complaint_rows.person_id in (select person_id from quarantined_register_persons)
            as is_in_quarantined_register_row
    from complaint_rows
    left join person_register on complaint_rows.person_id = person_register.person_id
    left join complainant_deaths on complaint_rows.person_id = complainant_deaths.person_id
    left join linked_roster on complaint_rows.person_id = linked_roster.person_id
    left join received_by_person on complaint_rows.person_id = received_by_person.person_id
    left join flags_by_person on complaint_rows.person_id = flags_by_person.person_id
),

family_target as (
    -- Without a recognised programme request, the programme to discuss is the
    -- first the family is eligible for and lacks, else the first it receives,
    -- else PKH. Programmes whose roster is not in the run are left out.
    select
        family_id,
        arg_min(
            programme,
            case
                when is_eligible and not is_receiving then 0
                when is_receiving then 1
                else 2
            end * 10 + __rules_programme_rank(programme)
        ) as programme
    from eligibility
    where family_id in (select family_id from complainants)
        and is_roster_in_run
    group by family_id
),

targeted as (
    select
        with_register.*,
        coalesce(
            with_register.programme_requested_code,
            family_target.programme,
            with_register.programmes_received[1],
            'PKH'
        ) as programme
    from with_register
    left join family_target on with_register.family_id = family_target.family_id
),

with_eligibility as (
    select
        targeted.*,
        eligibility.desil_threshold,
        -- PBI covers each member on their own, so a person whose own membership is
        -- inactive does not receive PBI because other members of the family do.
        case
            when targeted.programme = 'PBI'
                then list_contains(targeted.programmes_received, 'PBI')
            else coalesce(
                eligibility.is_receiving,
                list_contains(targeted.programmes_received, targeted.programme)
            )
        end as is_receiving,
        eligibility.excluded_members,
        eligibility.pkh_components,
        eligibility.pregnant,
        eligibility.early_childhood,
        eligibility.in_school,
        eligibility.severe_disability,
        eligibility.elderly,
        coalesce(upper(targeted.complaint_status), '') not in (
            select unnest(params.closed_complaint_statuses)
        )
        and targeted.complaint_date + to_days(targeted.response_days)
            < params.complaints_reference_date as is_overdue,
        coalesce(rosters.is_roster_in_run, false) as is_roster_in_run,
        __rules_link_probability(
            targeted.record_id,
            coalesce(targeted.register_record_id, targeted.roster_record_id),
            targeted.nik_key,
            null
        ) as match_probability
    from targeted
    cross join params
    left join eligibility
        on targeted.family_id = eligibility.family_id
        and targeted.programme = eligibility.programme
    left join rosters on targeted.programme = rosters.programme
),

statused as (
    select
        *,
        case
            -- Without the programme's roster the run cannot tell whether the person
            -- receives it. An objection then gets ROSTER_NOT_IN_RUN first, and a
            -- request gets it once the person is found in DTSEN.
            when complaint_type = 'sanggahan' then case
                when not is_roster_in_run then 'ROSTER_NOT_IN_RUN'
                -- The person named may be on a register row the run could not load, so
                -- asking the complainant for their NIK again would not help.
                when register_record_id is null and roster_record_id is null
                    and is_in_quarantined_register_row then 'REGISTER_ROW_QUARANTINED'
                when register_record_id is null and roster_record_id is null
                    then 'NOT_LINKED_SANGGAHAN'
                -- An objection to a named programme that neither the person nor the
                -- family receives in the period.
                when programme_requested_code is not null and not is_receiving
                    then 'SANGGAHAN_NOT_RECIPIENT'
                when flags is not null then 'SANGGAHAN_SUPPORTED'
                -- A recipient outside the loaded register has no desil to judge. When a
                -- quarantined register row contains the NIK, that row decides.
                when register_record_id is null and is_in_quarantined_register_row
                    then 'REGISTER_ROW_QUARANTINED'
                else 'SANGGAHAN_NOT_SUPPORTED'
            end
            -- Aid cannot be proposed for a person whom the death register lists, whatever
            -- DTSEN records about them.
            when death_date is not null then 'DECEASED'
            when has_death_row then 'DECEASED_UNDATED'
            -- Outside the loaded register, but a register row the run could not load
            -- contains the NIK: whether the person is in DTSEN is unknown.
            when register_record_id is null and is_in_quarantined_register_row
                then 'REGISTER_ROW_QUARANTINED'
            when register_record_id is null and len(programmes_received) > 0
                then 'IN_ROSTER_NOT_REGISTER'
            when register_record_id is null and has_roster_not_received
                then 'ROSTER_NOT_RECEIVED_NOT_REGISTER'
            when register_record_id is null then 'NOT_LINKED'
            when not is_roster_in_run then 'ROSTER_NOT_IN_RUN'
            when is_receiving then 'ALREADY_RECEIVING'
            when excluded_members > 0 then 'EXCLUDED_BY_LIST'
            when not coalesce(is_padan_dukcapil, false) then 'NOT_PADAN'
            when not coalesce(is_register_active, true) then 'REGISTER_INACTIVE'
            when desil is null then 'DESIL_MISSING'
            when desil > desil_threshold then 'DESIL_ABOVE_THRESHOLD'
            when programme = 'PKH' and coalesce(pkh_components, 0) = 0 then 'NO_PKH_COMPONENT'
            when programme = 'PKH' then 'ELIGIBLE_NOT_RECEIVING'
            -- An eligible person whose own PBI JK membership was deactivated.
            when programme = 'PBI' and has_inactive_pbi then 'PBI_INACTIVE'
            else 'ELIGIBLE_NOT_RECEIVING_PLAIN'
        end as status_code
    from with_eligibility
),

stepped as (
    select
        *,
        case status_code
            when 'NOT_LINKED' then 'REGISTER_DTSEN'
            when 'DECEASED' then 'UPDATE_DTSEN'
            when 'DECEASED_UNDATED' then 'CHECK_DEATH_DATE'
            when 'NOT_LINKED_SANGGAHAN' then 'CHECK_IDENTITY'
            when 'IN_ROSTER_NOT_REGISTER' then 'UPDATE_DTSEN'
            when 'ROSTER_NOT_RECEIVED_NOT_REGISTER' then 'REGISTER_DTSEN'
            when 'ALREADY_RECEIVING' then 'CHECK_DISBURSEMENT'
            when 'EXCLUDED_BY_LIST' then 'EXPLAIN_INELIGIBLE'
            when 'NOT_PADAN' then 'CHECK_DUKCAPIL'
            when 'REGISTER_INACTIVE' then 'UPDATE_DTSEN'
            when 'DESIL_MISSING' then 'UPDATE_DTSEN'
            when 'DESIL_ABOVE_THRESHOLD' then 'UPDATE_DTSEN'
            when 'NO_PKH_COMPONENT' then 'PROPOSE_OTHER'
            when 'SANGGAHAN_SUPPORTED' then 'FIELD_VERIFY'
            when 'SANGGAHAN_NOT_SUPPORTED' then 'FIELD_CHECK'
            when 'SANGGAHAN_NOT_RECIPIENT' then 'FIELD_CHECK'
            when 'ROSTER_NOT_IN_RUN' then 'RUN_WITH_ROSTER'
            when 'REGISTER_ROW_QUARANTINED' then 'FIX_REGISTER_ROW'
            when 'PBI_INACTIVE' then 'REACTIVATE_PBI'
            else 'PROPOSE_SIKS'
        end as next_step_code
    from statused
),

languages as (
    select 'en' as language
    union all
    select 'id'
),

template_rows as (
    select
        languages.language,
        texts.code,
        case languages.language when 'en' then texts.text_en else texts.text_id end as template
    from texts
    cross join languages
),

templates as (
    select language, map_from_entries(list((code, template))) as by_code
    from template_rows
    group by language
),

-- Per person and language, the roster rows not received, such as
-- "PBI inactive, BPNT period 2026-T3", each with its programme so that the
-- status text can leave out the programmes it counts as received.
roster_notes as (
    select
        not_received_entries.person_id,
        templates.language,
        list(
            {
                'programme': not_received_entries.programme,
                'text': trim(not_received_entries.programme || ' ' || concat_ws(
                    ' ',
                    case
                        when not_received_entries.programme = 'PBI' then null
                        when not_received_entries.period is null
                            then templates.by_code['ENTRY_NO_PERIOD']
                        when not_received_entries.period <> params.period_label then replace(
                            templates.by_code['ENTRY_PERIOD'], '{period}',
                            not_received_entries.period
                        )
                    end,
                    case when not not_received_entries.is_active
                        then templates.by_code['ENTRY_INACTIVE'] end,
                    case when not_received_entries.segment is not null then replace(
                        templates.by_code['ENTRY_SEGMENT'], '{segment}',
                        not_received_entries.segment
                    ) end
                ))
            }
            order by
                not_received_entries.programme,
                not_received_entries.period,
                not_received_entries.is_active desc
        ) as entries
    from not_received_entries
    cross join templates
    cross join params
    group by not_received_entries.person_id, templates.language
),

rendered as (
    select
        stepped.*,
        templates.language,
        -- A programme that the status counts as received (the person's own, or the
        -- family's for the programme discussed) is not also listed as not received.
        nullif(array_to_string(list_transform(
            list_filter(
                roster_notes.entries,
                lambda entry: not list_contains(stepped.programmes_received, entry.programme)
                    and not (
                        coalesce(stepped.is_receiving, false)
                        and entry.programme = stepped.programme
                    )
            ),
            lambda entry: entry.text
        ), ', '), '') as roster_entries_text,
        array_to_string(list_filter([
            case when stepped.pregnant > 0 then replace(
                templates.by_code['COMPONENT_PREGNANT'], '{n}', cast(stepped.pregnant as varchar)
            ) end,
            case when stepped.early_childhood > 0 then replace(
                templates.by_code['COMPONENT_EARLY_CHILDHOOD'], '{n}',
                cast(stepped.early_childhood as varchar)
            ) end,
            case when stepped.in_school > 0 then replace(
                templates.by_code['COMPONENT_SCHOOL'], '{n}', cast(stepped.in_school as varchar)
            ) end,
            case when stepped.severe_disability > 0 then replace(
                templates.by_code['COMPONENT_DISABILITY'], '{n}',
                cast(stepped.severe_disability as varchar)
            ) end,
            case when stepped.elderly > 0 then replace(
                templates.by_code['COMPONENT_ELDERLY'], '{n}', cast(stepped.elderly as varchar)
            ) end
        ], lambda part: part is not null), ', ') as components_text,
        templates.by_code[stepped.status_code] as status_template,
        templates.by_code[stepped.next_step_code] as next_step_text,
        templates.by_code['OVERDUE'] as overdue_template,
        templates.by_code['ROSTER_NOT_RECEIVED'] as roster_note_template
    from stepped
    cross join templates
    left join roster_notes
        on stepped.person_id = roster_notes.person_id
        and templates.language = roster_notes.language
),

filled as (
    select
        rendered.*,
        replace(replace(replace(replace(replace(replace(replace(replace(replace(
            status_template,
            '{death_date}', coalesce(strftime(death_date, '%d-%m-%Y'), '-')),
            '{desil}', coalesce(cast(desil as varchar), '-')),
            '{programme}', programme),
            '{threshold}', coalesce(cast(desil_threshold as varchar), '-')),
            '{components}', coalesce(components_text, '')),
            '{flags}', coalesce(array_to_string(flags, ', '), '')),
            '{received}', array_to_string(programmes_received, ', ')),
            '{period}', params.period_label),
            '{entries}', coalesce(roster_entries_text, '')
        )
        -- ROSTER_NOT_RECEIVED_NOT_REGISTER names the entries in its own text. Other
        -- statuses get them appended in brackets.
        || case
            when roster_entries_text is not null
                and status_code <> 'ROSTER_NOT_RECEIVED_NOT_REGISTER'
                then ' (' || replace(replace(
                    roster_note_template, '{period}', params.period_label),
                    '{entries}', roster_entries_text
                ) || ')'
            else ''
        end
        || ': ' || next_step_text
        || case
            when is_overdue then ' (' || replace(replace(
                overdue_template, '{days}', cast(response_days as varchar)),
                '{date}', strftime(params.complaints_reference_date, '%d-%m-%Y')
            ) || ')'
            else ''
        end as status_text
    from rendered
    cross join params
),

final as (
    select
        params.run_id,
        en.complaint_id,
        en.complaint_date,
        en.channel,
        en.complaint_type,
        en.programme_requested,
        en.programme,
        en.complaint_status,
        en.reason,
        en.record_id,
        en.person_id,
        en.family_id,
        en.nik,
        en.name,
        en.kecamatan_code,
        en.desa_code,
        en.register_record_id,
        en.register_record_id is not null as is_in_register,
        en.desil,
        en.desil_threshold,
        en.programmes_received,
        coalesce(en.flags, []) as flag_rule_codes,
        en.pkh_components,
        en.is_overdue,
        params.complaints_reference_date as overdue_reference_date,
        en.response_days,
        en.match_probability,
        en.status_code,
        id.status_text as status_text_id,
        en.status_text as status_text_en,
        en.next_step_code,
        id.next_step_text as next_step_id,
        en.next_step_text as next_step_en,
        en.source_file,
        en.source_sheet,
        en.source_row
    from filled as en
    inner join filled as id on en.record_id = id.record_id and id.language = 'id'
    cross join params
    where en.language = 'en'
)

select * from final
