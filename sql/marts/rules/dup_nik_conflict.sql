-- Rule 7 DUP_NIK_CONFLICT (WARN): a row of any file other than the register
-- carries the NIK of a register record but a dissimilar name (name-key
-- Levenshtein similarity below [linking] name_mismatch_similarity) or a
-- different birth date. A default birth date (1 Jan, 1 Jul, 31 Dec, day 15)
-- carries no weight, and a date whose day and month may be swapped matches
-- either reading. The register is the reference, so the finding is on the other
-- row; rows of every tahap and status are checked.
with

records as (
    select * from __rules_records
),

params as (
    select * from __rules_params
),

register_records as (
    select *
    from records
    where kind = 'register' and nik_key is not null
),

other_records as (
    select *
    from records
    where kind <> 'register' and nik_key is not null
),

pairs as (
    select
        other.record_id,
        other.programme,
        other.name,
        other.birth_date,
        register.record_id as register_record_id,
        register.source_row as register_source_row,
        register.name as register_name,
        register.birth_date as register_birth_date,
        __rules_name_similarity(
            other.name_key, register.name_key, other.name_letters, register.name_letters
        ) as name_similarity,
        other.birth_date is not null
        and register.birth_date is not null
        and other.birth_date <> register.birth_date
        and not coalesce(other.is_birth_date_default, false)
        and not coalesce(register.is_birth_date_default, false)
        and not (
            (
                coalesce(other.is_birth_date_ambiguous, false)
                or coalesce(register.is_birth_date_ambiguous, false)
            )
            and year(other.birth_date) = year(register.birth_date)
            and month(other.birth_date) = day(register.birth_date)
            and day(other.birth_date) = month(register.birth_date)
        ) as is_birth_date_conflict
    from other_records as other
    inner join register_records as register on other.nik_key = register.nik_key
),

conflicts as (
    select pairs.*
    from pairs
    cross join params
    where pairs.name_similarity < params.name_mismatch_similarity
        or pairs.is_birth_date_conflict
    qualify row_number() over (
        partition by pairs.record_id order by pairs.name_similarity, pairs.register_record_id
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
            'The NIK of "%s" born %s belongs in the register to "%s" born %s (register row %s)',
            coalesce(conflicts.name, '-'),
            coalesce(strftime(conflicts.birth_date, '%d-%m-%Y'), 'unknown'),
            coalesce(conflicts.register_name, '-'),
            coalesce(strftime(conflicts.register_birth_date, '%d-%m-%Y'), 'unknown'),
            coalesce(cast(conflicts.register_source_row as varchar), '-')
        ) as evidence,
        printf(
            'NIK milik "%s" (lahir %s) di DTSEN tercatat atas nama "%s" (lahir %s, baris DTSEN %s)',
            coalesce(conflicts.name, '-'),
            coalesce(strftime(conflicts.birth_date, '%d-%m-%Y'), 'tidak diketahui'),
            coalesce(conflicts.register_name, '-'),
            coalesce(strftime(conflicts.register_birth_date, '%d-%m-%Y'), 'tidak diketahui'),
            coalesce(cast(conflicts.register_source_row as varchar), '-')
        ) as evidence_id,
        json_object(
            'register_record_id', conflicts.register_record_id,
            'name_similarity', round(conflicts.name_similarity, 3),
            'is_birth_date_conflict', conflicts.is_birth_date_conflict
        ) as evidence_json,
        1.0 as match_probability,
        1.0 as confidence
    from conflicts
    cross join params
)

select * from final
