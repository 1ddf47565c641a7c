-- Other exclusion lists (teachers, health workers, BUMN staff...), one category per row.
with

person as (
    select * from stg_person('__stg_raw_exclusion', 'exclusion')
),

dates as (
    select * from __stg_dates
),

final as (
    select
        person.* exclude (raw),
        stg_upper(person.raw.category) as category,
        dates.parsed_date as as_of_date
    from person
    left join dates
        on dates.date_raw = coalesce(person.raw.as_of_date, '')
)

select * from final
