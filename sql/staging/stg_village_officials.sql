-- Perangkat desa list.
with

person as (
    select * from stg_person('raw_village_officials', 'village_officials')
),

source as (
    select * from raw_village_officials
),

official_columns as (
    select
        record_id,
        stg_upper(position) as position
    from source
),

final as (
    select
        person.*,
        official_columns.* exclude (record_id)
    from person
    inner join official_columns
        on official_columns.record_id = person.record_id
)

select * from final
