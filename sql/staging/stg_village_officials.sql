-- Perangkat desa list.
with

person as (
    select * from stg_person('__stg_raw_village_officials', 'village_officials')
),

final as (
    select
        person.* exclude (raw),
        stg_upper(person.raw.position) as position
    from person
)

select * from final
