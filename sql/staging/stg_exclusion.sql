-- Other exclusion lists (teachers, health workers, BUMN staff...), one category per row.
with

person as (
    select * from stg_person('raw_exclusion', 'exclusion')
),

source as (
    select * from raw_exclusion
),

dates as (
    select * from __stg_dates
),

exclusion_columns as (
    select
        source.record_id,
        stg_upper(source.category) as category,
        dates.parsed_date as as_of_date
    from source
    left join dates
        on dates.date_raw = coalesce(source.as_of_date, '')
),

final as (
    select
        person.*,
        exclusion_columns.* exclude (record_id)
    from person
    inner join exclusion_columns
        on exclusion_columns.record_id = person.record_id
)

select * from final
