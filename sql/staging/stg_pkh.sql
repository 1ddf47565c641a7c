-- PKH roster: one row per KPM (pengurus) per tahap.
with

person as (
    select * from stg_person('raw_pkh', 'pkh')
),

source as (
    select * from raw_pkh
),

pkh_columns as (
    select
        record_id,
        coalesce(stg_clean(kpm_id), stg_clean(register_id)) as kpm_id,
        stg_period(tahap, period, source_file) as period,
        stg_components(components) as components,
        stg_amount_idr(amount) as amount_idr,
        stg_upper(bank) as bank,
        coalesce(stg_active(status), true) as is_active
    from source
),

final as (
    select
        person.*,
        pkh_columns.* exclude (record_id)
    from person
    inner join pkh_columns
        on pkh_columns.record_id = person.record_id
)

select * from final
