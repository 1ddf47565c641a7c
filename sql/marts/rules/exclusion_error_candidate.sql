-- Rule 27 EXCLUSION_ERROR_CANDIDATE (INFO): an usulan baru candidate, on the KK
-- head's register row. (a) A register family that receives none of PKH, BPNT
-- and PBI in the period although its desil is at or below the highest programme
-- threshold, every member is padan and active, no member is on an exclusion
-- list and a member is alive: programme ALL. (b) A family that receives BPNT or
-- PBI but not PKH although it is eligible for PKH (desil within the PKH
-- threshold and a member qualifying for a component): programme PKH, unless
-- [exclusion] include_missing_pkh_candidates is false. A PKH
-- family missing BPNT or PBI is rule 28. A programme whose roster is not in
-- the run is left out: (a) then means none of the programmes read, within the
-- highest of their thresholds, and (b) needs the PKH roster.
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
        max(desil_threshold) filter (where is_roster_in_run) as highest_threshold,
        list(programme order by __rules_programme_rank(programme))
            filter (where is_roster_in_run) as programmes_checked,
        list(programme order by __rules_programme_rank(programme))
            filter (where not is_roster_in_run) as programmes_not_checked,
        bool_or(is_roster_in_run) filter (where programme = 'PKH') as is_pkh_roster_in_run,
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
        and families.is_pkh_roster_in_run
        and not families.is_receiving_pkh
        and families.is_eligible_pkh
        and params.include_missing_pkh_candidates
),

-- The programmes of (a) as text: "PKH, BPNT or PBI", fewer when a roster is
-- not in the run, which the evidence then names.
worded as (
    select
        *,
        case
            when len(programmes_checked) = 1 then programmes_checked[1]
            else array_to_string(list_slice(programmes_checked, 1, len(programmes_checked) - 1), ', ')
                || ' or ' || programmes_checked[len(programmes_checked)]
        end as checked_en,
        case
            when len(programmes_checked) = 1 then programmes_checked[1]
            else array_to_string(list_slice(programmes_checked, 1, len(programmes_checked) - 1), ', ')
                || ' maupun ' || programmes_checked[len(programmes_checked)]
        end as checked_id,
        array_to_string(programmes_not_checked, ', ') as not_checked
    from candidates
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
                'Family in DTSEN desil %d receives no %s: usulan baru candidate',
                candidates.desil, candidates.checked_en
            ) || coalesce(printf(' (%s not checked: roster not in this run)', candidates.not_checked), '')
            else printf(
                'Family in DTSEN desil %d does not receive PKH although %d members qualify for '
                || 'a component: usulan baru candidate',
                candidates.desil, candidates.pkh_components
            )
        end as evidence,
        case
            when candidates.programme = 'ALL' then printf(
                'Keluarga di desil %d DTSEN tidak menerima %s: calon usulan baru',
                candidates.desil, candidates.checked_id
            ) || coalesce(printf(
                ' (%s tidak diperiksa: daftarnya tidak ada di run ini)', candidates.not_checked
            ), '')
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
    from worded as candidates
    cross join params
)

select * from final
