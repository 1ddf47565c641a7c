-- Each linked person with a record whose NIK is in a quarantined row of the
-- DTSEN register, with the first such row. A roster row whose own NIK lost a
-- digit may still be linked by name and birth date to a record with the whole
-- NIK. Rules 10 and 23 and the complaint results therefore look up the person,
-- not only the row's own NIK.
with

records as (
    select * from __rules_records
),

quarantined as (
    select * from __rules_quarantined_register_niks
),

final as (
    select
        records.person_id,
        quarantined.nik,
        quarantined.source_file,
        quarantined.source_sheet,
        quarantined.source_row,
        quarantined.reason_code,
        quarantined.reason_en,
        quarantined.reason_id,
        quarantined.location_en,
        quarantined.location_id
    from records
    inner join quarantined on records.nik_key = quarantined.nik
    qualify row_number() over (
        partition by records.person_id
        order by quarantined.source_file, quarantined.source_row, quarantined.nik
    ) = 1
)

select * from final
