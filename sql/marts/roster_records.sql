-- One row per PKH, BPNT and PBI roster row with its person and whether it
-- counts as received in the audited period (audit_period). The rows received
-- are exactly those of __rules_recipients: active rows of that tahap, and
-- active PBI rows of segment PBI APBN or PBI APBD. The desk lists the other
-- rows (inactive, of another tahap, or of another segment) apart from the
-- programmes received, and complaint_results names them.
with

records as (
    select * from __rules_records
),

recipients as (
    select * from __rules_recipients
),

pbi as (
    select * from __rules_in_pbi
),

params as (
    select * from __rules_params
),

final as (
    select
        params.run_id,
        records.record_id,
        records.person_id,
        records.programme,
        records.period,
        params.period_label as audit_period,
        coalesce(records.is_active, true) as is_active,
        upper(pbi.segment) as segment,
        recipients.record_id is not null as is_received,
        records.nik,
        coalesce(records.name, records.name_raw) as name,
        records.source_file,
        records.source_sheet,
        records.source_row
    from records
    cross join params
    left join recipients on records.record_id = recipients.record_id
    left join pbi on records.record_id = pbi.record_id
    where records.kind in ('pkh', 'bpnt', 'pbi')
)

select * from final
