-- Earliest recorded death per linked person, with the death-register row it
-- comes from. A row whose death date is empty or unreadable counts only when the
-- person has no row with a date; its death_date is then null.
with

records as (
    select * from __rules_records
),

deaths as (
    select * from __rules_in_deaths
),

death_rows as (
    select
        records.person_id,
        records.record_id,
        records.nik,
        records.source_file,
        records.source_row,
        deaths.death_date
    from records
    inner join deaths on records.record_id = deaths.record_id
),

final as (
    select
        person_id,
        record_id as death_record_id,
        nik as death_nik,
        source_file as death_source_file,
        source_row as death_source_row,
        death_date
    from death_rows
    qualify row_number() over (
        partition by person_id order by death_date nulls last, record_id
    ) = 1
)

select * from final
