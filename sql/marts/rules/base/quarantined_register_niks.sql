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

reasons as (
    select * from __rules_quarantine_reasons
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
        numbers.digits as nik,
        numbers.source_file,
        numbers.source_sheet,
        numbers.source_row,
        numbers.reason_code,
        -- The reason as users read it; a code without a title stays as it is.
        coalesce(reasons.title_en, numbers.reason_code) as reason_en,
        coalesce(reasons.title_id, numbers.reason_code) as reason_id,
        -- The row as the evidence of other rules names a record: file, sheet when
        -- the file is a workbook, and row.
        printf(
            '%s%s row %s', coalesce(numbers.source_file, '-'),
            coalesce(', ' || nullif(numbers.source_sheet, ''), ''),
            cast(numbers.source_row as varchar)
        ) as location_en,
        printf(
            '%s%s baris %s', coalesce(numbers.source_file, '-'),
            coalesce(', ' || nullif(numbers.source_sheet, ''), ''),
            cast(numbers.source_row as varchar)
        ) as location_id
    from numbers
    left join reasons on numbers.reason_code = reasons.reason_code
    where length(numbers.digits) = 16
    qualify row_number() over (
        partition by numbers.digits order by numbers.source_file, numbers.source_row
    ) = 1
)

select * from final
