-- Each 16-digit number in a quarantined row of the DTSEN register, with the
-- first such row. A recipient whose NIK is here may be in the register file,
-- in a row the run could not load (lines joined by a stray quote, say). Rules
-- 10 and 23 therefore do not claim that such a person is absent from DTSEN.
-- The numbers include No KK values, which a valid NIK rarely equals. The
-- quarantine has few rows, so reading all their values costs little.
with

quarantine as (
    select * from __rules_in_quarantine
),

register_rows as (
    select
        source_file,
        source_sheet,
        source_row,
        reason_code,
        __rules_quarantine_text(raw_values) as raw_text
    from quarantine
    where source_kind = 'register' and raw_values is not null
),

numbers as (
    select
        unnest(regexp_extract_all(raw_text, '[0-9]+')) as digits,
        source_file,
        source_sheet,
        source_row,
        reason_code
    from register_rows
),

final as (
    select
        digits as nik,
        source_file,
        source_sheet,
        source_row,
        reason_code,
        -- The row as the evidence of other rules names a record: file, sheet when
        -- the file is a workbook, and row.
        printf(
            '%s%s row %s', coalesce(source_file, '-'),
            coalesce(', ' || nullif(source_sheet, ''), ''), cast(source_row as varchar)
        ) as location_en,
        printf(
            '%s%s baris %s', coalesce(source_file, '-'),
            coalesce(', ' || nullif(source_sheet, ''), ''), cast(source_row as varchar)
        ) as location_id
    from numbers
    where length(digits) = 16
    qualify row_number() over (partition by digits order by source_file, source_row) = 1
)

select * from final
