-- Rule 8 DUP_PERSON_DIFF_NIK (WARN): one person, with a birth date that is not
-- a default date, appears in the register and the rosters under two or more
-- valid NIKs. One person means the same linked person, or the same name key,
-- birth date and desa. The rows whose NIK differs from the person's register
-- NIK are reported (all rows of the group when the register does not list the
-- person). Damaged and invalid NIKs are left out: they differ from the true NIK
-- by construction.
with

records as (
    select * from __rules_records
),

params as (
    select * from __rules_params
),

-- Named columns rather than `*`: DuckDB materialises this CTE for its three
-- readers, and a copy of every records column cost more than the rule itself.
candidates as (
    select
        record_id,
        kind,
        programme,
        person_id,
        nik_key,
        name,
        name_key,
        birth_date,
        desa_code,
        coalesce(name_key, '') || '|' || cast(birth_date as varchar) || '|'
        || coalesce(desa_code, '') as identity_key
    from records
    where kind in ('register', 'pkh', 'bpnt', 'pbi')
        and nik_key is not null
        and birth_date is not null
        and not coalesce(is_birth_date_default, false)
),

by_person as (
    select person_id as group_key, nik_key, kind, record_id
    from candidates
    union all
    select identity_key, nik_key, kind, record_id
    from candidates
    where name_key <> '' and desa_code is not null
),

-- Almost every group carries one NIK. A plain min/max pass finds the groups
-- with two or more (nik_key is never NULL here), so the distinct counts and
-- lists below are built only for those few groups.
multi_nik_groups as (
    select group_key
    from by_person
    group by group_key
    having min(nik_key) <> max(nik_key)
),

groups as (
    select
        group_key,
        count(distinct nik_key) as distinct_niks,
        list(distinct nik_key order by nik_key) as niks,
        list(distinct nik_key) filter (where kind = 'register') as register_niks
    from by_person
    where group_key in (select group_key from multi_nik_groups)
    group by group_key
),

flagged as (
    select
        by_person.record_id,
        any_value(groups.distinct_niks) as distinct_niks,
        any_value(groups.niks) as niks
    from by_person
    inner join groups on by_person.group_key = groups.group_key
    where groups.register_niks is null
        or not list_contains(groups.register_niks, by_person.nik_key)
    group by by_person.record_id
),

final as (
    select
        'DUP_PERSON_DIFF_NIK' as rule_code,
        'WARN' as severity,
        candidates.programme,
        params.period_label as period,
        candidates.record_id,
        null as detail_key,
        printf(
            '"%s" born %s in desa %s is listed under %d different NIKs',
            coalesce(candidates.name, '-'),
            strftime(candidates.birth_date, '%d-%m-%Y'),
            coalesce(candidates.desa_code, '-'),
            flagged.distinct_niks
        ) as evidence,
        printf(
            '"%s" lahir %s di desa %s tercatat dengan %d NIK berbeda',
            coalesce(candidates.name, '-'),
            strftime(candidates.birth_date, '%d-%m-%Y'),
            coalesce(candidates.desa_code, '-'),
            flagged.distinct_niks
        ) as evidence_id,
        json_object('niks', flagged.niks, 'name_key', candidates.name_key) as evidence_json,
        null::double as match_probability,
        1.0 as confidence
    from flagged
    inner join candidates on flagged.record_id = candidates.record_id
    cross join params
)

select * from final
