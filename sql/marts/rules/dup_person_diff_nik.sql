-- Rule 8 DUP_PERSON_DIFF_NIK (WARN): records of the register and the rosters with the same
-- name key, the same birth date (not a default date) and the same desa carry different NIKs.
-- Damaged and invalid NIKs are left out: they differ from the true NIK by construction.
with

records as (
    select * from __rules_records
),

params as (
    select * from __rules_params
),

candidates as (
    select *
    from records
    where kind in ('register', 'pkh', 'bpnt', 'pbi')
        and is_in_period
        and nik_key is not null
        and birth_date is not null
        and not coalesce(is_birth_date_default, false)
        and desa_code is not null
        and name_key <> ''
),

grouped as (
    select
        *,
        count(distinct nik_key) over (
            partition by name_key, birth_date, desa_code
        ) as distinct_niks,
        list(distinct nik_key) over (
            partition by name_key, birth_date, desa_code
        ) as niks
    from candidates
),

final as (
    select
        'DUP_PERSON_DIFF_NIK' as rule_code,
        'WARN' as severity,
        grouped.programme,
        params.period_label as period,
        grouped.record_id,
        null as detail_key,
        printf(
            '%d different NIKs for "%s" born %s in desa %s',
            distinct_niks,
            coalesce(grouped.name, '-'),
            strftime(grouped.birth_date, '%d-%m-%Y'),
            grouped.desa_code
        ) as evidence,
        json_object('niks', list_sort(niks), 'name_key', grouped.name_key) as evidence_json,
        null::double as match_probability,
        1.0 as confidence
    from grouped
    cross join params
    where distinct_niks > 1
)

select * from final
