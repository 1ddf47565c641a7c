-- BPNT/Sembako BNBA roster: one row per KPM per tahap.
with

person as (
    select * from stg_person('__stg_raw_bpnt', 'bpnt')
),

final as (
    select
        person.* exclude (raw),
        coalesce(
            stg_clean(person.raw.kpm_id),
            stg_clean(person.raw.register_id),
            person.no_kk
        ) as kpm_id,
        stg_period(person.raw.tahap, person.raw.period, person.raw.source_file) as period,
        stg_amount_idr(person.raw.amount) as amount_idr,
        stg_upper(person.raw.bank) as bank,
        coalesce(stg_active(person.raw.status), true) as is_active
    from person
)

select * from final
