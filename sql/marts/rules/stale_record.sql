-- Rule 30 STALE_RECORD (INFO): the register record of a recipient of the period
-- has a snapshot date more than [stale] max_record_age_days before the period
-- end, or its desil comes from a DTSEN cut-off (the 17th of each month) older
-- than the latest cut-off before the newest register snapshot of this run.
with

recipients as (
    select * from __rules_recipients
),

person_register as (
    select * from __rules_person_register
),

params as (
    select * from __rules_params
),

latest as (
    select
        max(snapshot_date) as newest_snapshot_date,
        -- The cut-off is the 17th; data is pulled from the 18th, so a snapshot
        -- taken on or before the 17th belongs to the previous month's cut-off.
        case
            when day(max(snapshot_date)) >= 18
                then make_date(year(max(snapshot_date)), month(max(snapshot_date)), 17)
            else make_date(
                year(max(snapshot_date) - interval 1 month),
                month(max(snapshot_date) - interval 1 month),
                17
            )
        end as latest_cutoff_date
    from person_register
),

aged as (
    select
        recipients.record_id,
        recipients.programme,
        person_register.snapshot_date,
        latest.latest_cutoff_date,
        date_diff('day', person_register.snapshot_date, params.period_end_date) as age_days,
        params.max_record_age_days
    from recipients
    inner join person_register on recipients.register_record_id = person_register.record_id
    cross join latest
    cross join params
    where person_register.snapshot_date is not null
),

stale as (
    select *
    from aged
    where age_days > max_record_age_days or snapshot_date < latest_cutoff_date
),

final as (
    select
        'STALE_RECORD' as rule_code,
        'INFO' as severity,
        stale.programme,
        params.period_label as period,
        stale.record_id,
        null as detail_key,
        case
            when stale.age_days > stale.max_record_age_days then printf(
                'Register record dated %s is %d days old (more than %d)',
                strftime(stale.snapshot_date, '%d-%m-%Y'), stale.age_days, stale.max_record_age_days
            )
            else printf(
                'Register record dated %s predates the latest DTSEN cut-off %s',
                strftime(stale.snapshot_date, '%d-%m-%Y'),
                strftime(stale.latest_cutoff_date, '%d-%m-%Y')
            )
        end as evidence,
        case
            when stale.age_days > stale.max_record_age_days then printf(
                'Data DTSEN bertanggal %s sudah berumur %d hari (lebih dari %d)',
                strftime(stale.snapshot_date, '%d-%m-%Y'), stale.age_days, stale.max_record_age_days
            )
            else printf(
                'Data DTSEN bertanggal %s lebih awal dari cut-off DTSEN terakhir %s',
                strftime(stale.snapshot_date, '%d-%m-%Y'),
                strftime(stale.latest_cutoff_date, '%d-%m-%Y')
            )
        end as evidence_id,
        json_object(
            'snapshot_date', stale.snapshot_date,
            'age_days', stale.age_days,
            'latest_cutoff_date', stale.latest_cutoff_date
        ) as evidence_json,
        null::double as match_probability,
        1.0 as confidence
    from stale
    cross join params
)

select * from final
