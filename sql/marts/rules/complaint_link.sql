-- Rule 29 COMPLAINT_LINK: a complaint (Rumah Curhat, Cek Bansos sanggahan or
-- usulan, SP4N-LAPOR!) about a person who receives a programme in the period,
-- one finding per complaint and programme received. INFO, raised to WARN when
-- the person has a FLAG finding of this run, or the complaint is still open
-- after its response standard ([complaints] sanggahan_response_days for
-- sanggahan, field_check_response_days otherwise) on the complaints reference
-- date: [complaints] reference_date, by default the earlier of the period end
-- and the run's start date (see pipelines/rules/params.py). The evidence names
-- that date, which never enters the finding id.
with

records as (
    select * from __rules_records
),

complaints as (
    select * from __rules_in_complaints
),

recipients as (
    select * from __rules_recipients
),

findings as (
    select * from __rules_findings_phase1
),

params as (
    select * from __rules_params
),

received as (
    select person_id, programme, min(record_id) as roster_record_id
    from recipients
    group by person_id, programme
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
        records.nik_key,
        complaints.complaint_id,
        complaints.complaint_date,
        lower(complaints.complaint_type) as complaint_type,
        complaints.complaint_status,
        received.programme,
        received.roster_record_id,
        person_flags.flags,
        case
            when lower(complaints.complaint_type) = 'sanggahan' then params.sanggahan_response_days
            else params.field_check_response_days
        end as response_days
    from records
    inner join complaints on records.record_id = complaints.record_id
    inner join received on records.person_id = received.person_id
    left join person_flags on records.person_id = person_flags.person_id
    cross join params
),

assessed as (
    select
        complaint_rows.*,
        coalesce(upper(complaint_rows.complaint_status), '') not in (
            select unnest(params.closed_complaint_statuses)
        )
        and complaint_rows.complaint_date + to_days(complaint_rows.response_days)
            < params.complaints_reference_date as is_overdue,
        __rules_link_probability(
            complaint_rows.record_id, complaint_rows.roster_record_id,
            complaint_rows.nik_key, null
        ) as link_probability
    from complaint_rows
    cross join params
),

final as (
    select
        'COMPLAINT_LINK' as rule_code,
        case when assessed.flags is not null or assessed.is_overdue then 'WARN' else 'INFO' end
            as severity,
        assessed.programme,
        params.period_label as period,
        assessed.record_id,
        assessed.complaint_id as detail_key,
        array_to_string(list_filter([
            printf(
                'Complaint %s (%s, %s) concerns a %s recipient',
                coalesce(assessed.complaint_id, '-'),
                coalesce(assessed.complaint_type, 'complaint'),
                coalesce(strftime(assessed.complaint_date, '%d-%m-%Y'), 'no date'),
                assessed.programme
            ),
            case when assessed.flags is not null then printf(
                'the person has FLAG findings %s', array_to_string(assessed.flags, ', ')
            ) end,
            case when assessed.is_overdue then printf(
                'still open on %s, after the %d-day response standard',
                strftime(params.complaints_reference_date, '%d-%m-%Y'),
                assessed.response_days
            ) end
        ], lambda part: part is not null), '; ') as evidence,
        array_to_string(list_filter([
            printf(
                'Pengaduan %s (%s, %s) mengenai penerima %s',
                coalesce(assessed.complaint_id, '-'),
                coalesce(assessed.complaint_type, 'pengaduan'),
                coalesce(strftime(assessed.complaint_date, '%d-%m-%Y'), 'tanpa tanggal'),
                assessed.programme
            ),
            case when assessed.flags is not null then printf(
                'orang ini memiliki temuan FLAG %s', array_to_string(assessed.flags, ', ')
            ) end,
            case when assessed.is_overdue then printf(
                'masih terbuka pada %s, melewati standar tanggapan %d hari',
                strftime(params.complaints_reference_date, '%d-%m-%Y'),
                assessed.response_days
            ) end
        ], lambda part: part is not null), '; ') as evidence_id,
        json_object(
            'complaint_id', assessed.complaint_id,
            'complaint_type', assessed.complaint_type,
            'complaint_status', assessed.complaint_status,
            'roster_record_id', assessed.roster_record_id,
            'flags', assessed.flags,
            'is_overdue', assessed.is_overdue
        ) as evidence_json,
        assessed.link_probability as match_probability,
        coalesce(assessed.link_probability, 1.0) as confidence
    from assessed
    cross join params
)

select * from final
