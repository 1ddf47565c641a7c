-- One row per finding, with the record's identity, place and provenance.
-- finding_id is stable across runs: a hash of rule, programme, period, the
-- source kind, the NIK (or the record's file, sheet and row when it has no
-- valid NIK) and the rule's detail key.
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
        coalesce(records.no_kk, records.family_no_kk) as no_kk,
        coalesce(records.name, records.name_raw) as name,
        records.kecamatan_code,
        records.desa_code,
        records.source_file,
        records.source_sheet,
        records.source_row,
        md5(concat_ws(
            '|',
            findings.rule_code,
            findings.programme,
            findings.period,
            records.kind,
            coalesce(
                records.nik,
                concat_ws('#', records.source_file, records.source_sheet, records.source_row)
            ),
            coalesce(findings.detail_key, '')
        )) as base_id
    from findings
    inner join records on findings.record_id = records.record_id
),

numbered as (
    select
        *,
        row_number() over (partition by base_id order by record_id) as duplicate_number
    from joined
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
