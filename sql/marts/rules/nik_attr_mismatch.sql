-- Rule 4 NIK_ATTR_MISMATCH (WARN): the sex implied by a structurally valid NIK
-- (day above 40 = female) differs from the sex column, or its DDMMYY differs
-- from the birth date. Two-digit years are compared, so no century rule is
-- needed. When the birth date is a default date (1 Jan, 1 Jul, 31 Dec, day 15)
-- only the year is compared, because day and month were invented. A birth date
-- whose day and month may be swapped matches when either reading does. A NIK is
-- never reissued after a correction, so this is a warning.
with

parts as (
    select * from __rules_nik_parts
),

params as (
    select * from __rules_params
),

valid as (
    select
        *,
        case when nik_day > 40 then 'P' else 'L' end as nik_sex,
        nik_day % 40 as nik_birth_day,
        coalesce(
            is_birth_date_default,
            strftime(birth_date, '%d-%m') in ('01-01', '01-07', '31-12')
            or day(birth_date) = 15
        ) as is_default_date
    from parts
    where is_nik_16_digits
        and not is_nik_excel_damaged
        and len(nik_structure_errors) = 0
        and nik_structure_warning is null
),

compared as (
    select
        *,
        sex is not null and sex in ('L', 'P') and sex <> nik_sex as is_sex_mismatch,
        birth_date is not null
        and not (
            (is_default_date and nik_yy = strftime(birth_date, '%y'))
            or (
                nik_month = month(birth_date)
                and nik_yy = strftime(birth_date, '%y')
                and nik_birth_day = day(birth_date)
            )
            or (
                coalesce(is_birth_date_ambiguous, false)
                and nik_month = day(birth_date)
                and nik_birth_day = month(birth_date)
                and nik_yy = strftime(birth_date, '%y')
            )
        ) as is_date_mismatch
    from valid
),

mismatched as (
    select *
    from compared
    where is_sex_mismatch or is_date_mismatch
),

final as (
    select
        'NIK_ATTR_MISMATCH' as rule_code,
        'WARN' as severity,
        mismatched.programme,
        params.period_label as period,
        mismatched.record_id,
        null as detail_key,
        array_to_string(list_filter([
            case when is_sex_mismatch then printf(
                'NIK implies sex %s but the record says %s', nik_sex, sex
            ) end,
            case when is_date_mismatch then printf(
                'NIK implies birth date %02d-%02d-%s but the record says %s',
                nik_birth_day, nik_month, nik_yy, strftime(birth_date, '%d-%m-%Y')
            ) end
        ], lambda part: part is not null), '; ') as evidence,
        array_to_string(list_filter([
            case when is_sex_mismatch then printf(
                'NIK menunjukkan jenis kelamin %s, tetapi data mencatat %s', nik_sex, sex
            ) end,
            case when is_date_mismatch then printf(
                'NIK menunjukkan tanggal lahir %02d-%02d-%s, tetapi data mencatat %s',
                nik_birth_day, nik_month, nik_yy, strftime(birth_date, '%d-%m-%Y')
            ) end
        ], lambda part: part is not null), '; ') as evidence_id,
        json_object(
            'nik_sex', nik_sex,
            'sex', sex,
            'nik_birth_ddmmyy', printf('%02d%02d%s', nik_birth_day, nik_month, nik_yy),
            'birth_date', birth_date,
            'is_birth_date_default', is_default_date
        ) as evidence_json,
        null::double as match_probability,
        1.0 as confidence
    from mismatched
    cross join params
)

select * from final
