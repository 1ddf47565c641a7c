-- Rule 21 AGE_IMPLAUSIBLE (WARN): a birth date after the period start, an age
-- above [age] max_age (default 110) at the period start, a PKH pengurus younger
-- than [pkh] pengurus_min_age (the PKH roster has no birth date, so the
-- pengurus's register birth date is used), a register KK head younger than
-- [age] kk_head_min_age (default 15), or a register pregnancy flag on a man
-- (the sex column or the NIK says male) or on a woman outside 10-55.
with

records as (
    select * from __rules_records
),

register as (
    select record_id, relationship, is_pregnant from __rules_in_register
),

person_register as (
    select person_id, birth_date as register_birth_date from __rules_person_register
),

params as (
    select * from __rules_params
),

aged as (
    select
        records.*,
        register.relationship,
        register.is_pregnant,
        coalesce(records.birth_date, person_register.register_birth_date) as effective_birth_date,
        __rules_age(
            coalesce(records.birth_date, person_register.register_birth_date),
            params.period_start_date
        ) as age,
        case
            when regexp_full_match(records.nik_digits, '[0-9]{16}')
                then case
                    when try_cast(substr(records.nik_digits, 7, 2) as integer) > 40 then 'P'
                    else 'L'
                end
        end as nik_sex
    from records
    cross join params
    left join register on records.record_id = register.record_id
    left join person_register
        on records.kind = 'pkh' and records.person_id = person_register.person_id
    where coalesce(records.birth_date, person_register.register_birth_date) is not null
),

checked as (
    select
        aged.*,
        -- Each problem in English and Indonesian, so both sentences rest on one condition.
        list_filter([
            case when aged.effective_birth_date > params.period_start_date then {
                'en': printf(
                    'birth date %s is after the period start',
                    strftime(aged.effective_birth_date, '%d-%m-%Y')
                ),
                'id': printf(
                    'tanggal lahir %s sesudah awal periode',
                    strftime(aged.effective_birth_date, '%d-%m-%Y')
                )
            } end,
            case when aged.age > params.max_age then {
                'en': printf('age %d is above %d', aged.age, params.max_age),
                'id': printf('umur %d di atas %d', aged.age, params.max_age)
            } end,
            case when aged.kind = 'pkh' and aged.age between 0 and params.pkh_pengurus_min_age - 1
                then {
                    'en': printf(
                        'PKH pengurus aged %d is younger than %d',
                        aged.age, params.pkh_pengurus_min_age
                    ),
                    'id': printf(
                        'pengurus PKH berumur %d, di bawah %d',
                        aged.age, params.pkh_pengurus_min_age
                    )
                } end,
            case when aged.relationship = 'KEPALA KELUARGA'
                and aged.age between 0 and params.kk_head_min_age - 1 then {
                    'en': printf(
                        'KK head aged %d is younger than %d', aged.age, params.kk_head_min_age
                    ),
                    'id': printf(
                        'kepala keluarga berumur %d, di bawah %d', aged.age, params.kk_head_min_age
                    )
                } end,
            case when coalesce(aged.is_pregnant, false)
                and (aged.sex = 'L' or aged.nik_sex = 'L')
                then {
                    'en': 'pregnancy recorded for a man',
                    'id': 'kehamilan tercatat pada laki-laki'
                } end,
            case when coalesce(aged.is_pregnant, false)
                and aged.sex = 'P' and coalesce(aged.nik_sex, 'P') = 'P'
                and not aged.age between 10 and 55 then {
                    'en': printf('pregnancy recorded for a woman aged %d', aged.age),
                    'id': printf('kehamilan tercatat pada perempuan berumur %d', aged.age)
                } end
        ], lambda problem: problem is not null) as problem_texts,
        list_transform(problem_texts, lambda problem: problem.en) as problems,
        list_transform(problem_texts, lambda problem: problem.id) as problems_id
    from aged
    cross join params
),

final as (
    select
        'AGE_IMPLAUSIBLE' as rule_code,
        'WARN' as severity,
        checked.programme,
        params.period_label as period,
        checked.record_id,
        null as detail_key,
        'Implausible age: ' || array_to_string(problems, '; ') as evidence,
        'Umur tidak wajar: ' || array_to_string(problems_id, '; ') as evidence_id,
        json_object(
            'birth_date', checked.effective_birth_date,
            'age', checked.age,
            'problems', problems
        ) as evidence_json,
        null::double as match_probability,
        1.0 as confidence
    from checked
    cross join params
    where len(problems) > 0
)

select * from final
