-- Rule 22 DEFAULT_DOB (INFO): the birth date of a row of any file is a default
-- date (1 January, 1 July, 31 December, or day 15). Rules 4, 7 and 8 already
-- give such dates no weight; this finding tells the reader why a birth date was
-- not used.
with

records as (
    select * from __rules_records
),

params as (
    select * from __rules_params
),

defaulted as (
    select *
    from records
    where birth_date is not null
        and coalesce(
            is_birth_date_default,
            strftime(birth_date, '%d-%m') in ('01-01', '01-07', '31-12')
            or day(birth_date) = 15
        )
),

final as (
    select
        'DEFAULT_DOB' as rule_code,
        'INFO' as severity,
        defaulted.programme,
        params.period_label as period,
        defaulted.record_id,
        null as detail_key,
        printf(
            'Birth date %s is a default date; it carries little weight in matching',
            strftime(defaulted.birth_date, '%d-%m-%Y')
        ) as evidence,
        printf(
            'Tanggal lahir %s adalah tanggal bawaan; bobotnya kecil dalam pencocokan',
            strftime(defaulted.birth_date, '%d-%m-%Y')
        ) as evidence_id,
        json_object('birth_date', defaulted.birth_date) as evidence_json,
        null::double as match_probability,
        1.0 as confidence
    from defaulted
    cross join params
)

select * from final
