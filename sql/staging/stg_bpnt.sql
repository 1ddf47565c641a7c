-- BPNT/Sembako BNBA roster: one row per KPM per tahap.
with

person as (
    select * from stg_person('raw_bpnt', 'bpnt')
),

source as (
    select * from raw_bpnt
),

bpnt_columns as (
    select
        source.record_id,
        coalesce(
            stg_clean(source.kpm_id),
            stg_clean(source.register_id),
            person.no_kk
        ) as kpm_id,
        stg_period(source.tahap, source.period, source.source_file) as period,
        stg_amount_idr(source.amount) as amount_idr,
        stg_upper(source.bank) as bank,
        coalesce(stg_active(source.status), true) as is_active
    from source
    inner join person
        on person.record_id = source.record_id
),

final as (
    select
        person.*,
        bpnt_columns.* exclude (record_id)
    from person
    inner join bpnt_columns
        on bpnt_columns.record_id = person.record_id
)

select * from final
