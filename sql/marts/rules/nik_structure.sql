-- Rule 3 NIK_STRUCTURE: a 16-digit NIK whose parts are impossible. ERROR for an unknown
-- province, kabupaten 00, a day outside 01-31 and 41-71, a month outside 01-12, a DDMM that is
-- no calendar date (29 February is allowed in any year) or serial 0000. A kecamatan code of
-- the audited kabupaten that is missing from the region table is a WARN when it lies in
-- 01-55 (a plausible historic code) and an ERROR otherwise.
with

parts as (
    select * from __rules_nik_parts
),

params as (
    select * from __rules_params
),

checked as (
    select
        *,
        list_filter([
            case when not is_nik_province_valid
                then printf('province code %s does not exist', left(nik_digits, 2)) end,
            case when substr(nik_digits, 3, 2) = '00'
                then 'kabupaten code 00 does not exist' end,
            case when not (nik_day between 1 and 31 or nik_day between 41 and 71)
                then printf('day %02d is outside 01-31 and 41-71', nik_day) end,
            case when not nik_month between 1 and 12
                then printf('month %02d is outside 01-12', nik_month) end,
            case
                when (nik_day between 1 and 31 or nik_day between 41 and 71)
                    and nik_month between 1 and 12
                    and try_cast(
                        printf('2000-%02d-%02d', nik_month, nik_day % 40) as date
                    ) is null
                    then printf('%02d-%02d is not a calendar date', nik_day % 40, nik_month)
            end,
            case when nik_serial = '0000' then 'serial 0000 is never issued' end,
            case
                when is_nik_in_region and not is_nik_kecamatan_known
                    and not cast(substr(nik_digits, 5, 2) as integer) between 1 and 55
                    then printf('kecamatan code %s does not exist', left(nik_digits, 6))
            end
        ], lambda problem: problem is not null) as errors,
        case
            when is_nik_in_region and not is_nik_kecamatan_known
                and cast(substr(nik_digits, 5, 2) as integer) between 1 and 55
                then printf(
                    'kecamatan code %s is not in the region table (historic code?)',
                    left(nik_digits, 6)
                )
        end as warning
    from parts
    where is_nik_16_digits and not is_nik_excel_damaged
),

invalid as (
    select *
    from checked
    where len(errors) > 0 or warning is not null
),

final as (
    select
        'NIK_STRUCTURE' as rule_code,
        case when len(errors) > 0 then 'ERROR' else 'WARN' end as severity,
        invalid.programme,
        params.period_label as period,
        invalid.record_id,
        null as detail_key,
        'NIK structure invalid: '
        || array_to_string(list_concat(errors, list_filter([warning], lambda w: w is not null)), '; ')
            as evidence,
        json_object(
            'nik', invalid.nik_digits,
            'errors', errors,
            'warning', warning
        ) as evidence_json,
        null::double as match_probability,
        1.0 as confidence
    from invalid
    cross join params
)

select * from final
