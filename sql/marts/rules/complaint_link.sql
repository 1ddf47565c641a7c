-- Rule 29 COMPLAINT_LINK: a complaint (Rumah Curhat, Cek Bansos sanggahan or usulan,
-- SP4N-LAPOR!) whose person links to a register or roster record. INFO, raised to WARN when
-- the linked person has a FLAG finding of this run, or the complaint is still open after its
-- response standard ([complaints] sanggahan_response_days for sanggahan,
-- field_check_response_days otherwise) counted to [complaints] reference_date (default: the
-- period end).
with

records as (
    select * from __rules_records
),

complaints as (
    select * from __rules_in_complaints
),

findings as (
    select * from __rules_findings_phase1
),

params as (
    select * from __rules_params
),

linked_records as (
    select person_id, min(record_id) as linked_record_id, list(distinct kind) as kinds
    from records
    where kind in ('register', 'pkh', 'bpnt', 'pbi')
    group by person_id
),

person_flags as (
    select records.person_id, list(distinct findings.rule_code order by findings.rule_code) as flags
    from findings
    inner join records on findings.record_id = records.record_id
    where findings.severity = 'FLAG'
    group by records.person_id
),

complaint_rows as (
    select
        records.record_id,
        records.person_id,
        records.nik_key,
        complaints.complaint_id,
        complaints.complaint_date,
        lower(complaints.complaint_type) as complaint_type,
        complaints.programme_requested,
        complaints.complaint_status,
        linked_records.linked_record_id,
        linked_records.kinds,
        person_flags.flags,
        case
            when lower(complaints.complaint_type) = 'sanggahan' then params.sanggahan_response_days
            else params.field_check_response_days
        end as response_days,
        coalesce(upper(complaints.complaint_status), '') not in (
            select unnest(params.closed_complaint_statuses)
        )
        and complaints.complaint_date + to_days(
            case
                when lower(complaints.complaint_type) = 'sanggahan'
                    then params.sanggahan_response_days
                else params.field_check_response_days
            end
        ) < params.complaints_reference_date as is_overdue
    from records
    inner join complaints on records.record_id = complaints.record_id
    inner join linked_records on records.person_id = linked_records.person_id
    left join person_flags on records.person_id = person_flags.person_id
    cross join params
),

final as (
    select
        'COMPLAINT_LINK' as rule_code,
        case
            when complaint_rows.flags is not null or complaint_rows.is_overdue then 'WARN'
            else 'INFO'
        end as severity,
        coalesce(
            case
                when upper(complaint_rows.programme_requested) in ('PKH', 'BPNT', 'PBI')
                    then upper(complaint_rows.programme_requested)
                when upper(complaint_rows.programme_requested) in ('SEMBAKO', 'BPNT/SEMBAKO')
                    then 'BPNT'
                when upper(complaint_rows.programme_requested) like 'PBI%' then 'PBI'
            end,
            'ALL'
        ) as programme,
        params.period_label as period,
        complaint_rows.record_id,
        complaint_rows.complaint_id as detail_key,
        array_to_string(list_filter([
            printf(
                'Complaint %s (%s, %s) concerns a person in %s',
                coalesce(complaint_rows.complaint_id, '-'),
                coalesce(complaint_rows.complaint_type, 'complaint'),
                coalesce(strftime(complaint_rows.complaint_date, '%d-%m-%Y'), 'no date'),
                array_to_string(list_sort(complaint_rows.kinds), ', ')
            ),
            case when complaint_rows.flags is not null then printf(
                'the person has FLAG findings %s', array_to_string(complaint_rows.flags, ', ')
            ) end,
            case when complaint_rows.is_overdue then printf(
                'still open after the %d-day response standard', complaint_rows.response_days
            ) end
        ], lambda part: part is not null), '; ') as evidence,
        json_object(
            'complaint_id', complaint_rows.complaint_id,
            'complaint_type', complaint_rows.complaint_type,
            'complaint_status', complaint_rows.complaint_status,
            'linked_record_id', complaint_rows.linked_record_id,
            'flags', complaint_rows.flags,
            'is_overdue', complaint_rows.is_overdue
        ) as evidence_json,
        __rules_link_probability(
            complaint_rows.record_id, complaint_rows.linked_record_id,
            complaint_rows.nik_key, null
        ) as match_probability,
        coalesce(__rules_link_probability(
            complaint_rows.record_id, complaint_rows.linked_record_id,
            complaint_rows.nik_key, null
        ), 1.0) as confidence
    from complaint_rows
    cross join params
)

select * from final
