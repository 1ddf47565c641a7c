-- Rule 19 PKH_NO_COMPONENT (FLAG): an active PKH family of the period in which
-- no living register member qualifies at the period start: nobody pregnant, no
-- child aged 0 to [pkh] early_childhood_max_age, no child aged school_min_age
-- to school_max_age in school, no severe disability, nobody aged
-- elderly_min_age or more. Families not found in the register are rule 10.
with

pkh_families as (
    select * from __rules_pkh_families
),

params as (
    select * from __rules_params
),

without_component as (
    select *
    from pkh_families
    where has_register_family
        and pregnant + early_childhood + in_school + severe_disability + elderly = 0
),

final as (
    select
        'PKH_NO_COMPONENT' as rule_code,
        'FLAG' as severity,
        'PKH' as programme,
        params.period_label as period,
        without_component.record_id,
        null as detail_key,
        printf(
            'None of the %d register members of this PKH family qualifies for a component '
            || '(claimed: %s)',
            without_component.members,
            coalesce(nullif(without_component.components, ''), 'none')
        ) as evidence,
        printf(
            'Tidak satu pun dari %d anggota keluarga PKH ini di DTSEN memenuhi syarat komponen '
            || '(komponen yang diklaim: %s)',
            without_component.members,
            coalesce(nullif(without_component.components, ''), 'tidak ada')
        ) as evidence_id,
        json_object(
            'members', without_component.members,
            'claimed', without_component.claimed,
            'school_age_not_in_school', without_component.school_age
        ) as evidence_json,
        null::double as match_probability,
        1.0 as confidence
    from without_component
    cross join params
)

select * from final
