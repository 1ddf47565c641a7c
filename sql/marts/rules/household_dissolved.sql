-- Rule 31 HOUSEHOLD_DISSOLVED (FLAG): every register member of the KK of a PKH
-- or BPNT KPM of the period died before the period start. NOTE: moves out of
-- Batang need Dukcapil mutation data, which is not among the inputs, so only
-- deaths dissolve a household here.
with

recipients as (
    select * from __rules_recipients
),

members as (
    select * from __rules_family_members
),

params as (
    select * from __rules_params
),

families as (
    select
        family_id,
        count(*) as members,
        count(*) filter (where is_deceased) as deceased,
        max(death_date) as last_death_date
    from members
    group by family_id
),

dissolved as (
    select recipients.*, families.members, families.last_death_date
    from recipients
    inner join families on recipients.recipient_family_id = families.family_id
    where recipients.programme in ('PKH', 'BPNT')
        and families.members > 0
        and families.deceased = families.members
),

final as (
    select
        'HOUSEHOLD_DISSOLVED' as rule_code,
        'FLAG' as severity,
        dissolved.programme,
        params.period_label as period,
        dissolved.record_id,
        null as detail_key,
        printf(
            'All %d register members of this KK died before the period (last on %s)',
            dissolved.members, strftime(dissolved.last_death_date, '%d-%m-%Y')
        ) as evidence,
        printf(
            'Seluruh %d anggota KK ini di DTSEN meninggal sebelum periode (terakhir pada %s)',
            dissolved.members, strftime(dissolved.last_death_date, '%d-%m-%Y')
        ) as evidence_id,
        json_object(
            'members', dissolved.members,
            'last_death_date', dissolved.last_death_date
        ) as evidence_json,
        null::double as match_probability,
        1.0 as confidence
    from dissolved
    cross join params
)

select * from final
