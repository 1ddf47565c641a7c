-- Death register (Dukcapil or desa).
with

person as (
    select * from stg_person('__stg_raw_deaths', 'deaths')
),

source as (
    select * from __stg_raw_deaths
),

dates as (
    select * from __stg_dates
),

final as (
    select
        person.* exclude (raw_rowid),
        dates.parsed_date as death_date
    from person
    inner join source
        on source.raw_rowid = person.raw_rowid
    left join dates
        on dates.date_raw = coalesce(source.death_date, '')
)

select * from final
