-- Rule 7 DUP_NIK_CONFLICT (WARN): records of any source share a NIK but their names are
-- dissimilar (name-key Jaro-Winkler below [linking] name_mismatch_similarity) or their birth
-- dates differ. A default birth date (1 Jan, 1 Jul, 31 Dec, day 15) carries no weight, and a
-- date whose day and month may be swapped matches either reading. Each record in conflict with
-- another record of its NIK is reported, naming the other record.
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
    where nik_key is not null and is_in_period
),

pairs as (
    select
        a.record_id,
        a.programme,
        b.record_id as other_record_id,
        b.source_file as other_source_file,
        b.source_row as other_source_row,
        b.name as other_name,
        b.birth_date as other_birth_date,
        a.name,
        a.birth_date,
        jaro_winkler_similarity(a.name_key, b.name_key) as name_similarity,
        a.birth_date is not null
        and b.birth_date is not null
        and a.birth_date <> b.birth_date
        and not coalesce(a.is_birth_date_default, false)
        and not coalesce(b.is_birth_date_default, false)
        and not (
            (coalesce(a.is_birth_date_ambiguous, false) or coalesce(b.is_birth_date_ambiguous, false))
            and year(a.birth_date) = year(b.birth_date)
            and month(a.birth_date) = day(b.birth_date)
            and day(a.birth_date) = month(b.birth_date)
        ) as is_birth_date_conflict
    from candidates as a
    inner join candidates as b
        on a.nik_key = b.nik_key and a.record_id <> b.record_id
),

conflicts as (
    select pairs.*
    from pairs
    cross join params
    where pairs.name_similarity < params.name_mismatch_similarity
        or pairs.is_birth_date_conflict
    qualify row_number() over (
        partition by pairs.record_id order by pairs.name_similarity, pairs.other_record_id
    ) = 1
),

final as (
    select
        'DUP_NIK_CONFLICT' as rule_code,
        'WARN' as severity,
        conflicts.programme,
        params.period_label as period,
        conflicts.record_id,
        null as detail_key,
        printf(
            'The same NIK is used by "%s" born %s and by "%s" born %s in %s row %s',
            coalesce(conflicts.name, '-'),
            coalesce(strftime(conflicts.birth_date, '%d-%m-%Y'), 'unknown'),
            coalesce(conflicts.other_name, '-'),
            coalesce(strftime(conflicts.other_birth_date, '%d-%m-%Y'), 'unknown'),
            coalesce(conflicts.other_source_file, '-'),
            cast(conflicts.other_source_row as varchar)
        ) as evidence,
        json_object(
            'other_record_id', conflicts.other_record_id,
            'name_similarity', round(conflicts.name_similarity, 3),
            'is_birth_date_conflict', conflicts.is_birth_date_conflict
        ) as evidence_json,
        null::double as match_probability,
        1.0 as confidence
    from conflicts
    cross join params
)

select * from final
