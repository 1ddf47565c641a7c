-- Rule 5 KK_FORMAT (ERROR): No KK is not 16 digits or is a placeholder, its province code does
-- not exist, its kecamatan prefix is missing from the region table (for the audited
-- kabupaten), its DDMMYY registration date is impossible or after the export date (register
-- snapshot date, else the period end), or it equals the person's NIK. Only files with a
-- No KK column are checked (some non-empty No KK in the file), and an empty No KK in a
-- complaint is not an error.
with

parts as (
    select * from __rules_nik_parts
),

params as (
    select * from __rules_params
),

register as (
    select record_id, snapshot_date from __rules_in_register
),

files_with_kk as (
    select distinct source_file
    from parts
    where no_kk_digits <> ''
),

checked as (
    select
        parts.*,
        coalesce(register.snapshot_date, params.period_end_date) as export_date,
        list_filter([
            case when parts.no_kk_digits = '' then 'No KK is empty'
                when __rules_is_placeholder(parts.no_kk_digits)
                    then 'No KK is a placeholder value'
                when not is_no_kk_16_digits then printf(
                    'No KK has %d characters after removing separators; 16 digits are required',
                    length(parts.no_kk_digits)
                )
            end,
            case when is_no_kk_16_digits and not is_no_kk_province_valid then printf(
                'province code %s does not exist', left(parts.no_kk_digits, 2)
            ) end,
            case when is_no_kk_16_digits and is_no_kk_in_region
                and not is_no_kk_kecamatan_known then printf(
                    'kecamatan prefix %s is not in the region table',
                    left(parts.no_kk_digits, 6)
                ) end,
            case when is_no_kk_16_digits and parts.no_kk_date is null then printf(
                'registration date %s is not a calendar date', substr(parts.no_kk_digits, 7, 6)
            ) end,
            case when is_no_kk_16_digits
                and parts.no_kk_date > coalesce(register.snapshot_date, params.period_end_date)
                then printf(
                    'registration date %s is after the export date %s',
                    strftime(parts.no_kk_date, '%d-%m-%Y'),
                    strftime(coalesce(register.snapshot_date, params.period_end_date), '%d-%m-%Y')
                ) end,
            case when is_no_kk_16_digits and parts.no_kk_digits = parts.nik_digits
                then 'No KK equals the person''s NIK' end
        ], lambda problem: problem is not null) as problems
    from parts
    cross join params
    left join register on parts.record_id = register.record_id
    where parts.source_file in (select source_file from files_with_kk)
        and not (parts.kind = 'complaints' and parts.no_kk_digits = '')
),

invalid as (
    select *
    from checked
    where len(problems) > 0
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
