-- One row per finding, with the record's identity, place and provenance.
-- finding_id is stable across runs: a hash of rule, programme, period, the
-- source kind, the person key and the rule's detail key. The person key is
-- the usable NIK (nik_key), or for a record without one a fingerprint of its
-- normalised name, birth date, No KK digits, desa code, raw NIK text and
-- roster period. The key never contains the file, sheet or row, so a row
-- inserted or deleted above a record keeps that record's finding_id. Findings
-- that still share all of these get an ordinal in fingerprint order, then in
-- record order.
with

findings as (
    select * from __rules_findings_all
),

records as (
    select * from __rules_records
),

params as (
    select * from __rules_params
),

joined as (
    select
        findings.*,
        records.kind,
        records.person_id,
        records.family_id,
        records.nik,
        records.nik_key,
        coalesce(records.no_kk, records.family_no_kk) as no_kk,
        coalesce(records.name, records.name_raw) as name,
        records.kecamatan_code,
        records.desa_code,
        records.source_file,
        records.source_sheet,
        records.source_row,
        md5(concat_ws(
            '|',
            coalesce(records.name, records.name_raw, ''),
            coalesce(cast(records.birth_date as varchar), ''),
            coalesce(records.no_kk_digits, ''),
            coalesce(records.desa_code, ''),
            coalesce(trim(records.nik_raw), ''),
            coalesce(records.period, '')
        )) as identity_fingerprint
    from findings
    inner join records on findings.record_id = records.record_id
),

keyed as (
    select
        *,
        md5(concat_ws(
            '|',
            rule_code,
            programme,
            period,
            kind,
            coalesce(nik_key, 'fingerprint:' || identity_fingerprint),
            coalesce(detail_key, '')
        )) as base_id
    from joined
),

numbered as (
    select
        *,
        row_number() over (
            partition by base_id order by identity_fingerprint, record_id
        ) as duplicate_number
    from keyed
),

final as (
    select
        case
            when duplicate_number = 1 then base_id
            else md5(base_id || '#' || duplicate_number)
        end as finding_id,
        params.run_id,
        numbered.rule_code,
        numbered.severity,
        numbered.programme,
        numbered.period,
        numbered.person_id,
        numbered.family_id,
        numbered.record_id,
        numbered.nik,
        numbered.no_kk,
        numbered.name,
        numbered.kecamatan_code,
        numbered.desa_code,
        numbered.evidence,
        numbered.evidence_id,
        cast(numbered.evidence_json as json) as evidence_json,
        numbered.source_file,
        numbered.source_sheet,
        numbered.source_row,
        numbered.match_probability,
        numbered.confidence
    from numbered
    cross join params
)

select * from final
