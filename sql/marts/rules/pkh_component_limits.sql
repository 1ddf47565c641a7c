-- Rule 20 PKH_COMPONENT_LIMITS (WARN): the KOMPONEN list of a PKH row of the
-- period (items counted with repeats) claims more BALITA than [pkh]
-- max_early_childhood, more HAMIL than max_pregnancies or more items than
-- max_components, or, when the family is in the register, claims a component
-- more times than the family has living members qualifying for it: BALITA a
-- child aged 0 to early_childhood_max_age, HAMIL a pregnant member, SD/SMP/SMA
-- a member of school age in school at that level, DISABILITAS a member with
-- severe disability, LANSIA a member aged elderly_min_age or more.
with

pkh_families as (
    select * from __rules_pkh_families
),

params as (
    select * from __rules_params
),

component_checks as (
    select
        pkh_families.*,
        [
            {'component': 'BALITA', 'qualifying': early_childhood},
            {'component': 'HAMIL', 'qualifying': pregnant},
            {'component': 'SD', 'qualifying': in_school_sd},
            {'component': 'SMP', 'qualifying': in_school_smp},
            {'component': 'SMA', 'qualifying': in_school_sma},
            {'component': 'DISABILITAS', 'qualifying': severe_disability},
            {'component': 'LANSIA', 'qualifying': elderly}
        ] as qualifying_members
    from pkh_families
),

counted as (
    select
        component_checks.*,
        list_transform(
            qualifying_members,
            lambda q: {
                'component': q.component,
                'claimed': len(list_filter(claimed, lambda c: c = q.component)),
                'qualifying': q.qualifying
            }
        ) as component_counts
    from component_checks
),

checked as (
    select
        counted.*,
        -- Each problem in English and Indonesian, so both sentences rest on one condition.
        list_concat(
            list_filter([
                case when len(list_filter(claimed, lambda c: c = 'BALITA'))
                    > params.pkh_max_early_childhood then {
                        'en': printf(
                            '%d early-childhood components (at most %d)',
                            len(list_filter(claimed, lambda c: c = 'BALITA')),
                            params.pkh_max_early_childhood
                        ),
                        'id': printf(
                            '%d komponen anak usia dini (paling banyak %d)',
                            len(list_filter(claimed, lambda c: c = 'BALITA')),
                            params.pkh_max_early_childhood
                        )
                    } end,
                case when len(list_filter(claimed, lambda c: c = 'HAMIL'))
                    > params.pkh_max_pregnancies then {
                        'en': printf(
                            '%d pregnancy components (at most %d)',
                            len(list_filter(claimed, lambda c: c = 'HAMIL')),
                            params.pkh_max_pregnancies
                        ),
                        'id': printf(
                            '%d komponen ibu hamil (paling banyak %d)',
                            len(list_filter(claimed, lambda c: c = 'HAMIL')),
                            params.pkh_max_pregnancies
                        )
                    } end,
                case when len(claimed) > params.pkh_max_components then {
                    'en': printf(
                        '%d components (at most %d per family)',
                        len(claimed), params.pkh_max_components
                    ),
                    'id': printf(
                        '%d komponen (paling banyak %d per keluarga)',
                        len(claimed), params.pkh_max_components
                    )
                } end
            ], lambda problem: problem is not null),
            case when has_register_family then list_transform(
                list_filter(component_counts, lambda c: c.claimed > c.qualifying),
                lambda c: {
                    'en': printf(
                        '%s claimed %d times but %d family members qualify',
                        c.component, c.claimed, c.qualifying
                    ),
                    'id': printf(
                        '%s diklaim %d kali, sedangkan anggota keluarga yang memenuhi syarat '
                        || '%d orang',
                        c.component, c.claimed, c.qualifying
                    )
                }
            ) else [] end
        ) as problem_texts,
        list_transform(problem_texts, lambda problem: problem.en) as problems,
        list_transform(problem_texts, lambda problem: problem.id) as problems_id
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
        'Komponen PKH: ' || array_to_string(problems_id, '; ') as evidence_id,
        json_object('claimed', claimed, 'problems', problems) as evidence_json,
        null::double as match_probability,
        1.0 as confidence
    from checked
    cross join params
    where len(problems) > 0
)

select * from final
