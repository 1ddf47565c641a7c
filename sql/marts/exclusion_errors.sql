-- One row per register family and programme where the family is eligible (desil
-- at or below the threshold, KK head padan and active, no member on an
-- exclusion list, PKH also needing a member who qualifies for a component) but
-- does not receive the programme in the period. A programme whose roster is
-- not in the run has no rows: whether the family receives it is unknown.
-- head_nik_raw is the head's NIK cell as read, because head_nik is NULL when
-- that cell contains no valid NIK.
with

eligibility as (
    select * from __rules_family_eligibility
),

records as (
    select * from __rules_records
),

params as (
    select * from __rules_params
),

received as (
    -- In the report's programme order, so the reason reads "PKH+BPNT".
    select
        family_id,
        list(programme order by __rules_programme_rank(programme)) as programmes_received
    from eligibility
    where is_receiving
    group by family_id
),

final as (
    select
        params.run_id,
        eligibility.programme,
        params.period_label as period,
        eligibility.family_id,
        eligibility.no_kk,
        eligibility.head_person_id,
        eligibility.head_record_id,
        records.nik as head_nik,
        records.nik_raw as head_nik_raw,
        coalesce(records.name, records.name_raw) as head_name,
        eligibility.kecamatan_code,
        eligibility.desa_code,
        eligibility.desil,
        eligibility.desil_threshold,
        eligibility.living_members,
        eligibility.pkh_components,
        eligibility.pregnant,
        eligibility.early_childhood,
        eligibility.in_school,
        eligibility.severe_disability,
        eligibility.elderly,
        coalesce(received.programmes_received, []) as programmes_received,
        eligibility.benefit_idr_per_month,
        records.source_file,
        records.source_sheet,
        records.source_row
    from eligibility
    inner join records on eligibility.head_record_id = records.record_id
    left join received on eligibility.family_id = received.family_id
    cross join params
    where eligibility.is_eligible
        and not eligibility.is_receiving
        and eligibility.is_roster_in_run
)

select * from final
