-- PKH roster: one row per KPM (pengurus) per tahap.
with

person as (
    select * from stg_person('__stg_raw_pkh', 'pkh')
),

source as (
    select * from __stg_raw_pkh
),

final as (
    select
        person.* exclude (raw_rowid),
        coalesce(stg_clean(source.kpm_id), stg_clean(source.register_id)) as kpm_id,
        stg_period(source.tahap, source.period, source.source_file) as period,
        stg_components(source.components) as components,
        stg_amount_idr(source.amount) as amount_idr,
        stg_upper(source.bank) as bank,
        coalesce(stg_active(source.status), true) as is_active
    from person
    inner join source
        on source.raw_rowid = person.raw_rowid
)

select * from final
