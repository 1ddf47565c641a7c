-- Findings of this run compared with the previous run's fct_findings by
-- finding_id. A finding only in this run is new, or first_checked when the
-- previous run could not have found it, or new_with_limitation when its rule
-- lacks an input that the previous run had. A finding in both runs is persisting.
-- A finding only in the previous run is resolved when this run checked it
-- again, else not_rechecked, and resolved_with_input when its rule lacked an
-- input then that this run has. first_checked_reason and not_rechecked_reason
-- give the reasons, as pipelines/rules/recheck.py describes.
-- Without a previous run every finding is new. No KK and the source file, sheet
-- and row locate a previous finding whose record has no NIK.
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

-- At most one reason per previous finding: the first that applies, in this order.
not_rechecked as (
    select
        previous_findings.finding_id,
        coalesce(
            rules.reason,
            case when programmes.programme is not null then 'roster_not_in_run' end,
            case when files.source_file is not null then 'source_file_not_in_run' end
        ) as reason
    from previous_findings
    left join __rules_not_rechecked_rules as rules
        on previous_findings.rule_code = rules.rule_code
    left join __rules_not_rechecked_programmes as programmes
        on previous_findings.programme = programmes.programme
    left join __rules_not_rechecked_files as files
        on regexp_replace(previous_findings.source_file, '^.*[/\\]', '') = files.source_file
),

-- The mirror of not_rechecked, for the findings of this run.
first_checked as (
    select
        current_findings.finding_id,
        coalesce(
            rules.reason,
            case when programmes.programme is not null then 'roster_not_in_previous_run' end,
            case when files.source_file is not null then 'source_kind_not_in_previous_run' end
        ) as reason
    from current_findings
    left join __rules_first_checked_rules as rules
        on current_findings.rule_code = rules.rule_code
    left join __rules_first_checked_programmes as programmes
        on current_findings.programme = programmes.programme
    left join __rules_first_checked_files as files
        on regexp_replace(current_findings.source_file, '^.*[/\\]', '') = files.source_file
),

compared as (
    select
        coalesce(current_findings.finding_id, previous_findings.finding_id) as finding_id,
        case
            when previous_findings.finding_id is null and first_checked.reason is not null
                then 'first_checked'
            when previous_findings.finding_id is null
                and current_findings.rule_code in (
                    select rule_code from __rules_new_with_limitation_rules
                )
                then 'new_with_limitation'
            when previous_findings.finding_id is null then 'new'
            when current_findings.finding_id is not null then 'persisting'
            when not_rechecked.reason is not null then 'not_rechecked'
            when previous_findings.rule_code in (
                select rule_code from __rules_resolved_with_input_rules
            )
                then 'resolved_with_input'
            else 'resolved'
        end as diff_status,
        case
            when current_findings.finding_id is null then not_rechecked.reason
        end as not_rechecked_reason,
        case
            when previous_findings.finding_id is null then first_checked.reason
        end as first_checked_reason,
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
    left join not_rechecked
        on previous_findings.finding_id = not_rechecked.finding_id
    left join first_checked
        on current_findings.finding_id = first_checked.finding_id
),

final as (
    select params.run_id, compared.*
    from compared
    cross join params
)

select * from final
