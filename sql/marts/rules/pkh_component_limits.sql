-- Rule 20 PKH_COMPONENT_LIMITS (WARN): the KOMPONEN list of a PKH row of the period claims
-- more early-childhood children than [pkh] max_early_childhood, more pregnancies than
-- max_pregnancies or more components than max_components, or, when the family is in the
-- register, more of a component than there are living members of a fitting age: BALITA
-- needs a child aged 0 to early_childhood_max_age, SD/SMP/SMA a member aged school_min_age to
-- school_max_age, LANSIA a member aged elderly_min_age or more, HAMIL a woman aged 10 to 55.
with

pkh_families as (
    select * from __rules_pkh_families
),

params as (
    select * from __rules_params
),

counted as (
    select
        pkh_families.*,
        len(list_filter(claimed, lambda c: c = 'BALITA')) as claimed_early_childhood,
        len(list_filter(claimed, lambda c: c = 'HAMIL')) as claimed_pregnancies,
        len(list_filter(claimed, lambda c: c in ('SD', 'SMP', 'SMA'))) as claimed_school,
        len(list_filter(claimed, lambda c: c = 'LANSIA')) as claimed_elderly
    from pkh_families
),

checked as (
    select
        counted.*,
        list_filter([
            case when claimed_early_childhood > params.pkh_max_early_childhood then printf(
                '%d early-childhood components (at most %d)',
                claimed_early_childhood, params.pkh_max_early_childhood
            ) end,
            case when claimed_pregnancies > params.pkh_max_pregnancies then printf(
                '%d pregnancy components (at most %d)',
                claimed_pregnancies, params.pkh_max_pregnancies
            ) end,
            case when len(claimed) > params.pkh_max_components then printf(
                '%d components (at most %d per family)', len(claimed), params.pkh_max_components
            ) end,
            case when has_register_family and claimed_early_childhood > early_childhood
                then printf(
                    'BALITA claimed %d times but the family has %d children aged 0-%d',
                    claimed_early_childhood, early_childhood, params.pkh_early_childhood_max_age
                ) end,
            case when has_register_family and claimed_school > school_age then printf(
                'school components claimed %d times but the family has %d members aged %d-%d',
                claimed_school, school_age, params.pkh_school_min_age, params.pkh_school_max_age
            ) end,
            case when has_register_family and claimed_elderly > elderly then printf(
                'LANSIA claimed %d times but the family has %d members aged %d or more',
                claimed_elderly, elderly, params.pkh_elderly_min_age
            ) end,
            case when has_register_family and claimed_pregnancies > women_10_55 then printf(
                'HAMIL claimed %d times but the family has %d women aged 10-55',
                claimed_pregnancies, women_10_55
            ) end
        ], lambda problem: problem is not null) as problems
    from counted
    cross join params
),

final as (
    select
        'PKH_COMPONENT_LIMITS' as rule_code,
        'WARN' as severity,
        'PKH' as programme,
        params.period_label as period,
        checked.record_id,
        null as detail_key,
        'PKH components: ' || array_to_string(problems, '; ') as evidence,
        json_object('claimed', claimed, 'problems', problems) as evidence_json,
        null::double as match_probability,
        1.0 as confidence
    from checked
    cross join params
    where len(problems) > 0
)

select * from final
