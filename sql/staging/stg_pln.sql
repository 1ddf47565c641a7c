-- PLN customer extract: one row per connection. The NIK is often empty; rule 18 then links
-- the customer to a register household by name and address.
with

person as (
    select * from stg_person('__stg_raw_pln', 'pln')
),

final as (
    select
        person.* exclude (raw),
        -- ID pelanggan is 12 digits; a cell with other characters is kept as cleaned text.
        case
            when regexp_full_match(stg_id_compact(stg_clean(person.raw.customer_id)), '[0-9]+')
                then stg_id_compact(stg_clean(person.raw.customer_id))
            else stg_upper(person.raw.customer_id)
        end as customer_id,
        stg_tariff(person.raw.tariff) as tariff,
        stg_power_va(person.raw.power, person.raw.tariff) as power_va
    from person
)

select * from final
