-- Rule 26 NAME_MISMATCH_SAME_NIK (WARN): for a recipient row of the period and
-- a register record with the same NIK, the name keys (titles, BIN/BINTI,
-- initials removed, spelling variants and old spelling mapped) have a
-- Levenshtein similarity below [linking] name_mismatch_similarity. The least
-- similar register name is reported.
with

recipients as (
    select * from __rules_recipients
),

records as (
    select * from __rules_records
),

params as (
    select * from __rules_params
),

register_records as (
    select record_id, nik_key, name, name_key, name_letters
    from records
    where kind = 'register' and nik_key is not null
),

compared as (
    select
        recipients.record_id,
        recipients.programme,
        recipients.name,
        register_records.name as register_name,
        register_records.record_id as register_record_id,
        __rules_name_similarity(
            recipients.name_key,
            register_records.name_key,
            recipients.name_letters,
            register_records.name_letters
        ) as similarity
    from recipients
    inner join register_records on recipients.nik_key = register_records.nik_key
    qualify row_number() over (
        partition by recipients.record_id order by similarity, register_records.record_id
    ) = 1
),

final as (
    select
        'NAME_MISMATCH_SAME_NIK' as rule_code,
        'WARN' as severity,
        compared.programme,
        params.period_label as period,
        compared.record_id,
        null as detail_key,
        printf(
            'Roster name "%s" differs from register name "%s" for the same NIK (similarity %.2f)',
            coalesce(compared.name, '-'), coalesce(compared.register_name, '-'),
            compared.similarity
        ) as evidence,
        printf(
            'Nama di daftar penerima "%s" berbeda dengan nama di DTSEN "%s" untuk NIK yang sama '
            || '(kemiripan %s)',
            coalesce(compared.name, '-'), coalesce(compared.register_name, '-'),
            replace(printf('%.2f', compared.similarity), '.', ',')
        ) as evidence_id,
        json_object(
            'register_record_id', compared.register_record_id,
            'similarity', round(compared.similarity, 3),
            'threshold', params.name_mismatch_similarity
        ) as evidence_json,
        1.0 as match_probability,
        1.0 as confidence
    from compared
    cross join params
    where compared.similarity < params.name_mismatch_similarity
)

select * from final
