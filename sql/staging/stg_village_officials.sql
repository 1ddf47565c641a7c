-- Perangkat desa list.
with

person as (
    select * from stg_person('__stg_raw_village_officials', 'village_officials')
),

source as (
    select * from __stg_raw_village_officials
),

final as (
    select
        person.* exclude (raw_rowid),
        stg_upper(source.position) as position
    from person
    inner join source
        on source.raw_rowid = person.raw_rowid
)

select * from final
