-- Rule 5 KK_FORMAT (ERROR): the No KK of a record has a problem of
-- __rules_no_kk_checks: not 16 digits or a placeholder, damaged by a
-- spreadsheet (numeric cell, scientific notation), a region prefix that is not
-- a kecamatan of the region table, a DDMMYY registration date that is
-- impossible or after the export date (the newest register snapshot, else the
-- period end), serial 0000, or equal to the person's NIK. Only files with a No KK column are
-- checked (some non-empty No KK in the file), and an empty No KK in a complaint
-- is not an error.
with

parts as (
    select * from __rules_nik_parts
),

checks as (
    select * from __rules_no_kk_checks
),

params as (
    select * from __rules_params
),

invalid as (
    select parts.*, checks.export_date, checks.problems, checks.problems_id
    from checks
    inner join parts on checks.record_id = parts.record_id
    where len(checks.problems) > 0
),

final as (
    select
        'KK_FORMAT' as rule_code,
        'ERROR' as severity,
        invalid.programme,
        params.period_label as period,
        invalid.record_id,
        null as detail_key,
        'No KK invalid: ' || array_to_string(problems, '; ') as evidence,
        'No KK tidak valid: ' || array_to_string(problems_id, '; ') as evidence_id,
        json_object(
            'no_kk_raw', invalid.no_kk_raw,
            'problems', problems,
            'export_date', invalid.export_date
        ) as evidence_json,
        null::double as match_probability,
        1.0 as confidence
    from invalid
    cross join params
)

select * from final
