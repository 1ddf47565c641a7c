-- Death register (Dukcapil or desa).
with

person as (
    select * from stg_person('__stg_raw_deaths', 'deaths')
),

dates as (
    select * from __stg_dates
),

final as (
    select
        person.* exclude (raw),
        dates.parsed_date as death_date
    from person
    left join dates
        on dates.date_raw = coalesce(person.raw.death_date, '')
)

select * from final
