-- BPJS Ketenagakerjaan wage extract: one row per member and reported month. Rule 17 reads
-- the wage; membership alone is no finding.
with

person as (
    select * from stg_person('__stg_raw_bpjs_tk', 'bpjs_tk')
),

final as (
    select
        person.* exclude (raw),
        stg_id_compact(stg_clean(person.raw.kpj)) as kpj,
        stg_upper(person.raw.employer) as employer,
        stg_amount_idr(person.raw.wage) as wage_idr,
        stg_month_date(person.raw.wage_month) as wage_month_date
    from person
)

select * from final
