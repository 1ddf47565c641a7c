-- Rule 3 NIK_STRUCTURE: a 16-digit NIK whose parts are impossible. ERROR for an
-- unknown province, kabupaten 00, a day outside 01-31 and 41-71, a month
-- outside 01-12, a DDMM that is no calendar date (29 February is allowed in any
-- year), serial 0000, or a kecamatan code of the audited kabupaten above 55
-- that the region table lacks. WARN for a kecamatan code in 01-55 that the
-- region table lacks (a plausible historic code) and for a region outside the
-- audited kabupaten, which the Batang region table cannot confirm.
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
    where len(nik_structure_errors) > 0 or nik_structure_warning is not null
),

final as (
    select
        'NIK_STRUCTURE' as rule_code,
        case when len(nik_structure_errors) > 0 then 'ERROR' else 'WARN' end as severity,
        invalid.programme,
        params.period_label as period,
        invalid.record_id,
        null as detail_key,
        'NIK structure invalid: ' || array_to_string(
            list_concat(
                nik_structure_errors,
                list_filter([nik_structure_warning], lambda w: w is not null)
            ),
            '; '
        ) as evidence,
        'Struktur NIK tidak valid: ' || array_to_string(
            list_concat(
                nik_structure_errors_id,
                list_filter([nik_structure_warning_id], lambda w: w is not null)
            ),
            '; '
        ) as evidence_id,
        json_object(
            'nik', invalid.nik_digits,
            'errors', nik_structure_errors,
            'warning', nik_structure_warning
        ) as evidence_json,
        null::double as match_probability,
        1.0 as confidence
    from invalid
    cross join params
)

select * from final
