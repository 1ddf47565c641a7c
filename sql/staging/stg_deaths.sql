-- Death register (Dukcapil or desa).
with

person as (
    select * from stg_person('raw_deaths', 'deaths')
),

source as (
    select * from raw_deaths
),

dates as (
    select * from __stg_dates
),

death_columns as (
    select
        source.record_id,
        dates.parsed_date as death_date
    from source
    left join dates
        on dates.date_raw = coalesce(source.death_date, '')
),

final as (
    select
        person.*,
        death_columns.* exclude (record_id)
    from person
    inner join death_columns
        on death_columns.record_id = person.record_id
)

select * from final
