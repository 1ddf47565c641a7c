-- Rule 28 CROSS_PROGRAMME_INCONSISTENCY (WARN): a PKH family of the period
-- whose desil is within the BPNT or the PBI threshold but no member of which
-- receives that programme (a coverage gap), or a recipient of any programme
-- whose register record is inactive (NONAKTIF). A programme whose roster is
-- not in the run is no gap, because the run cannot see who receives it.
with

recipients as (
    select * from __rules_recipients
),

person_register as (
    select * from __rules_person_register
),

eligibility as (
    select * from __rules_family_eligibility
),

params as (
    select * from __rules_params
),

gaps as (
    select
        recipients.record_id,
        recipients.programme,
        list(eligibility.programme order by eligibility.programme) as missing
    from recipients
    inner join eligibility
        on recipients.recipient_family_id = eligibility.family_id
        and eligibility.programme in ('BPNT', 'PBI')
        and eligibility.is_roster_in_run
    where recipients.programme = 'PKH'
        and eligibility.desil <= eligibility.desil_threshold
        and not eligibility.is_receiving
    group by all
),

inactive as (
    select recipients.record_id, recipients.programme
    from recipients
    inner join person_register on recipients.register_record_id = person_register.record_id
    where person_register.is_register_active = false
),

combined as (
    select
        coalesce(gaps.record_id, inactive.record_id) as record_id,
        coalesce(gaps.programme, inactive.programme) as programme,
        gaps.missing,
        inactive.record_id is not null as is_register_inactive
    from gaps
    full outer join inactive on gaps.record_id = inactive.record_id
),

final as (
    select
        'CROSS_PROGRAMME_INCONSISTENCY' as rule_code,
        'WARN' as severity,
        combined.programme,
        params.period_label as period,
        combined.record_id,
        null as detail_key,
        array_to_string(list_filter([
            case when combined.missing is not null then printf(
                'PKH family is within the %s desil threshold but does not receive it',
                array_to_string(combined.missing, ' and ')
            ) end,
            case when combined.is_register_inactive then printf(
                'receives %s while the register marks the record inactive', combined.programme
            ) end
        ], lambda part: part is not null), '; ') as evidence,
        array_to_string(list_filter([
            case when combined.missing is not null then printf(
                'Keluarga PKH masuk batas desil %s tetapi tidak menerimanya',
                array_to_string(combined.missing, ' dan ')
            ) end,
            case when combined.is_register_inactive then printf(
                'menerima %s padahal data DTSEN-nya berstatus NONAKTIF', combined.programme
            ) end
        ], lambda part: part is not null), '; ') as evidence_id,
        json_object(
            'missing_programmes', combined.missing,
            'is_register_inactive', combined.is_register_inactive
        ) as evidence_json,
        null::double as match_probability,
        1.0 as confidence
    from combined
    cross join params
)

select * from final
