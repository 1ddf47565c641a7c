-- Rule 27 EXCLUSION_ERROR_CANDIDATE (INFO): a register family eligible for a programme (desil
-- at or below its threshold, KK head padan and active, no member on an exclusion list, PKH
-- also needing a qualifying member) that does not receive it in the period. One finding per
-- family and programme, on the KK head's register row: an usulan baru candidate for the desa.
-- A PKH family missing Sembako or PBI is rule 28 instead.
with

eligibility as (
    select * from __rules_family_eligibility
),

params as (
    select * from __rules_params
),

pkh_families as (
    select family_id
    from eligibility
    where programme = 'PKH' and is_receiving
),

candidates as (
    select *
    from eligibility
    where is_eligible
        and not is_receiving
        and family_id not in (select family_id from pkh_families)
),

final as (
    select
        'EXCLUSION_ERROR_CANDIDATE' as rule_code,
        'INFO' as severity,
        candidates.programme,
        params.period_label as period,
        candidates.head_record_id as record_id,
        candidates.family_id as detail_key,
        printf(
            'Family in DTSEN desil %d (threshold %d) does not receive %s%s: usulan baru candidate',
            candidates.desil,
            candidates.desil_threshold,
            candidates.programme,
            case
                when candidates.programme = 'PKH' then printf(
                    ' although %d members qualify for a component', candidates.pkh_components
                )
                else ''
            end
        ) as evidence,
        json_object(
            'family_id', candidates.family_id,
            'desil', candidates.desil,
            'threshold', candidates.desil_threshold,
            'pkh_components', candidates.pkh_components,
            'living_members', candidates.living_members
        ) as evidence_json,
        null::double as match_probability,
        1.0 as confidence
    from candidates
    cross join params
)

select * from final
