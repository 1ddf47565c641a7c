-- PBI JKN roster from BPJS Kesehatan: one row per member.
with

person as (
    select * from stg_person('raw_pbi', 'pbi')
),

source as (
    select * from raw_pbi
),

dates as (
    select * from __stg_dates
),

pbi_columns as (
    select
        source.record_id,
        -- A noka read from a number cell lost its leading zeros; padding them back is exact.
        case
            when regexp_matches(stg_id_compact(stg_clean(source.noka)), '^[0-9]{1,13}$')
                then lpad(stg_id_compact(stg_clean(source.noka)), 13, '0')
        end as noka,
        stg_segment(source.segment) as segment,
        coalesce(stg_active(source.status), true) as is_active,
        dates.parsed_date as start_date
    from source
    left join dates
        on dates.date_raw = coalesce(source.start_date, '')
),

final as (
    select
        person.*,
        pbi_columns.* exclude (record_id)
    from person
    inner join pbi_columns
        on pbi_columns.record_id = person.record_id
)

select * from final
