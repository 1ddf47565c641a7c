-- BPNT/Sembako BNBA roster: one row per KPM per tahap.
with

person as (
    select * from stg_person('__stg_raw_bpnt', 'bpnt')
),

source as (
    select * from __stg_raw_bpnt
),

final as (
    select
        person.* exclude (raw_rowid),
        coalesce(
            stg_clean(source.kpm_id),
            stg_clean(source.register_id),
            person.no_kk
        ) as kpm_id,
        stg_period(source.tahap, source.period, source.source_file) as period,
        stg_amount_idr(source.amount) as amount_idr,
        stg_upper(source.bank) as bank,
        coalesce(stg_active(source.status), true) as is_active
    from person
    inner join source
        on source.raw_rowid = person.raw_rowid
)

select * from final
