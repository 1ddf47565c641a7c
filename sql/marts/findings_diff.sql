-- Findings of this run compared with the previous run's fct_findings by
-- finding_id: new (only now), persisting (both) or resolved (only before).
-- Without a previous run every finding is new. No KK and the source file, sheet
-- and row locate a resolved finding whose record has no NIK.
with

current_findings as (
    select * from fct_findings
),

previous_findings as (
    select * from __rules_previous_findings
),

params as (
    select * from __rules_params
),

compared as (
    select
        coalesce(current_findings.finding_id, previous_findings.finding_id) as finding_id,
        case
            when previous_findings.finding_id is null then 'new'
            when current_findings.finding_id is null then 'resolved'
            else 'persisting'
        end as diff_status,
        coalesce(current_findings.rule_code, previous_findings.rule_code) as rule_code,
        coalesce(current_findings.severity, previous_findings.severity) as severity,
        coalesce(current_findings.programme, previous_findings.programme) as programme,
        coalesce(current_findings.period, previous_findings.period) as period,
        coalesce(current_findings.person_id, previous_findings.person_id) as person_id,
        coalesce(current_findings.nik, previous_findings.nik) as nik,
        coalesce(current_findings.name, previous_findings.name) as name,
        coalesce(current_findings.kecamatan_code, previous_findings.kecamatan_code)
            as kecamatan_code,
        coalesce(current_findings.desa_code, previous_findings.desa_code) as desa_code,
        coalesce(current_findings.evidence, previous_findings.evidence) as evidence,
        coalesce(current_findings.evidence_id, previous_findings.evidence_id) as evidence_id,
        coalesce(current_findings.no_kk, previous_findings.no_kk) as no_kk,
        coalesce(current_findings.source_file, previous_findings.source_file) as source_file,
        coalesce(current_findings.source_sheet, previous_findings.source_sheet) as source_sheet,
        coalesce(current_findings.source_row, previous_findings.source_row) as source_row,
        previous_findings.run_id as previous_run_id
    from current_findings
    full outer join previous_findings
        on current_findings.finding_id = previous_findings.finding_id
),

final as (
    select params.run_id, compared.*
    from compared
    cross join params
)

select * from final
