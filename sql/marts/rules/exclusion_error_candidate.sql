-- Rule 27 EXCLUSION_ERROR_CANDIDATE (INFO): an usulan baru candidate, on the KK
-- head's register row. (a) A register family that receives none of PKH, BPNT
-- and PBI in the period although its desil is at or below the highest programme
-- threshold, every member is padan and active, no member is on an exclusion
-- list and a member is alive: programme ALL. (b) A family that receives BPNT or
-- PBI but not PKH although it is eligible for PKH (desil within the PKH
-- threshold and a member qualifying for a component): programme PKH, unless
-- [exclusion] include_missing_pkh_candidates is false. A PKH
-- family missing BPNT or PBI is rule 28.
with

eligibility as (
    select * from __rules_family_eligibility
),

params as (
    select * from __rules_params
),

families as (
    select
        family_id,
        any_value(head_record_id) as head_record_id,
        any_value(desil) as desil,
        max(desil_threshold) as highest_threshold,
        any_value(pkh_components) as pkh_components,
        any_value(living_members) as living_members,
        bool_or(is_receiving) as is_receiving_any,
        bool_or(is_receiving) filter (where programme = 'PKH') as is_receiving_pkh,
        bool_or(is_eligible) filter (where programme = 'PKH') as is_eligible_pkh,
        any_value(
            is_all_padan and is_all_active and excluded_members = 0 and living_members > 0
        ) as is_clear
    from eligibility
    group by family_id
),

candidates as (
    select *, 'ALL' as programme
    from families
    where not is_receiving_any and is_clear and desil <= highest_threshold
    union all
    select families.*, 'PKH'
    from families
    cross join params
    where families.is_receiving_any
        and not families.is_receiving_pkh
        and families.is_eligible_pkh
        and params.include_missing_pkh_candidates
),

final as (
    select
        'EXCLUSION_ERROR_CANDIDATE' as rule_code,
        'INFO' as severity,
        candidates.programme,
        params.period_label as period,
        candidates.head_record_id as record_id,
        candidates.family_id as detail_key,
        case
            when candidates.programme = 'ALL' then printf(
                'Family in DTSEN desil %d receives no PKH, BPNT or PBI: usulan baru candidate',
                candidates.desil
            )
            else printf(
                'Family in DTSEN desil %d does not receive PKH although %d members qualify for '
                || 'a component: usulan baru candidate',
                candidates.desil, candidates.pkh_components
            )
        end as evidence,
        case
            when candidates.programme = 'ALL' then printf(
                'Keluarga di desil %d DTSEN tidak menerima PKH, BPNT maupun PBI: calon usulan baru',
                candidates.desil
            )
            else printf(
                'Keluarga di desil %d DTSEN tidak menerima PKH padahal %d anggotanya memenuhi '
                || 'syarat komponen: calon usulan baru',
                candidates.desil, candidates.pkh_components
            )
        end as evidence_id,
        json_object(
            'family_id', candidates.family_id,
            'desil', candidates.desil,
            'pkh_components', candidates.pkh_components,
            'living_members', candidates.living_members
        ) as evidence_json,
        null::double as match_probability,
        1.0 as confidence
    from candidates
    cross join params
)

select * from final
