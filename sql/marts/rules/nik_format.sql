-- Rule 1 NIK_FORMAT (ERROR): the NIK cell, after removing whitespace,
-- zero-width characters, separators and quotes, is not 16 ASCII digits or is a
-- placeholder. An empty NIK counts in every list except complaints, which may
-- name a person without a NIK, and the PLN extract, where a NIK is optional.
-- Values that rule 2 reads as spreadsheet damage are left to rule 2.
with

parts as (
    select * from __rules_nik_parts
),

params as (
    select * from __rules_params
),

invalid as (
    select *
    from parts
    where not is_nik_16_digits
        and not is_nik_excel_damaged
        and not (kind in ('complaints', 'pln') and nik_digits = '')
),

final as (
    select
        'NIK_FORMAT' as rule_code,
        'ERROR' as severity,
        invalid.programme,
        params.period_label as period,
        invalid.record_id,
        null as detail_key,
        case
            when invalid.nik_digits = '' then 'NIK is empty'
            when __rules_is_placeholder(invalid.nik_digits)
                then 'NIK is a placeholder value'
            when not regexp_full_match(invalid.nik_digits, '[0-9]+')
                then 'NIK contains characters other than digits'
            else printf(
                'NIK has %d digits after removing separators; 16 are required',
                length(invalid.nik_digits)
            )
        end as evidence,
        case
            when invalid.nik_digits = '' then 'NIK kosong'
            when __rules_is_placeholder(invalid.nik_digits)
                then 'NIK berisi nilai pengisi'
            when not regexp_full_match(invalid.nik_digits, '[0-9]+')
                then 'NIK berisi karakter selain angka'
            else printf(
                'NIK berisi %d digit setelah pemisah dihapus; seharusnya 16 digit',
                length(invalid.nik_digits)
            )
        end as evidence_id,
        json_object(
            'nik_raw', invalid.nik_raw,
            'digits', invalid.nik_digits,
            'digit_count', length(invalid.nik_digits)
        ) as evidence_json,
        null::double as match_probability,
        1.0 as confidence
    from invalid
    cross join params
)

select * from final
