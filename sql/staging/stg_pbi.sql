-- PBI JKN roster from BPJS Kesehatan: one row per member.
with

person as (
    select * from stg_person('__stg_raw_pbi', 'pbi')
),

dates as (
    select * from __stg_dates
),

final as (
    select
        person.* exclude (raw),
        -- A noka read from a number cell lost its leading zeros; padding them back is exact.
        case
            when regexp_matches(stg_id_compact(stg_clean(person.raw.noka)), '^[0-9]{1,13}$')
                then lpad(stg_id_compact(stg_clean(person.raw.noka)), 13, '0')
        end as noka,
        stg_segment(person.raw.segment) as segment,
        coalesce(stg_active(person.raw.status), true) as is_active,
        dates.parsed_date as start_date
    from person
    left join dates
        on dates.date_raw = coalesce(person.raw.start_date, '')
)

select * from final
