-- Samsat vehicle register extract: one row per vehicle with its owner. Wheels come from the
-- wheel column, else from the vehicle type.
with

person as (
    select * from stg_person('__stg_raw_vehicles', 'vehicles')
),

final as (
    select
        person.* exclude (raw),
        stg_plate(person.raw.plate) as plate,
        stg_upper(person.raw.vehicle_type) as vehicle_type,
        stg_wheels(person.raw.wheels, person.raw.vehicle_type) as wheels
    from person
)

select * from final
