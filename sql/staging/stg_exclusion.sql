-- Other exclusion lists (teachers, health workers, BUMN staff...), one category per row.
with

person as (
    select * from stg_person('__stg_raw_exclusion', 'exclusion')
),

source as (
    select * from __stg_raw_exclusion
),

dates as (
    select * from __stg_dates
),

final as (
    select
        person.* exclude (raw_rowid),
        stg_upper(source.category) as category,
        dates.parsed_date as as_of_date
    from person
    inner join source
        on source.raw_rowid = person.raw_rowid
    left join dates
        on dates.date_raw = coalesce(source.as_of_date, '')
)

select * from final
