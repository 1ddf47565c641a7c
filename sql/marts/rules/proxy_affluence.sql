-- Rule 18 PROXY_AFFLUENCE (WARN): the recipient's household is linked to a PLN
-- customer of at least [proxy] min_power_va (default 1300 VA) or on the
-- non-subsidised R1M tariff, or to a registered vehicle with four or more
-- wheels. Not an official exclusion: a field check decides, so confidence is
-- halved.
with

recipients as (
    select * from __rules_recipients
),

circle as (
    select * from __rules_recipient_circle
),

list_members as (
    select * from __rules_list_members
),

params as (
    select * from __rules_params
),

hits as (
    select
        circle.record_id,
        circle.member_role,
        circle.member_name,
        list_members.category,
        list_members.detail,
        list_members.amount,
        list_members.list_source_file,
        list_members.list_source_row,
        __rules_link_probability(
            circle.member_record_id, list_members.list_record_id,
            circle.member_nik, list_members.list_nik
        ) as link_probability
    from circle
    inner join list_members on circle.member_person_id = list_members.person_id
    cross join params
    where (
        list_members.list_kind = 'pln'
        and (list_members.amount >= params.proxy_min_power_va
            or list_members.category like 'R1M%')
    )
        or (list_members.list_kind = 'vehicles' and list_members.amount >= 4)
),

per_recipient as (
    select
        record_id,
        list(
            printf(
                '%s %s: %s',
                case when member_role = 'self' then 'the recipient' else member_role end,
                coalesce(member_name, '-'),
                case
                    when category = 'VEHICLE' then printf('vehicle %s with %d wheels', coalesce(detail, '-'), amount)
                    else printf(
                        'PLN customer %s at %d VA, tariff %s',
                        coalesce(detail, '-'), amount, coalesce(category, '-')
                    )
                end
            )
            order by member_role <> 'self', member_name
        ) as matches,
        list(distinct category order by category) as categories,
        min(link_probability) as link_probability
    from hits
    group by record_id
),

final as (
    select
        'PROXY_AFFLUENCE' as rule_code,
        'WARN' as severity,
        recipients.programme,
        params.period_label as period,
        recipients.record_id,
        null as detail_key,
        'Affluence indicators (field check needed): ' || array_to_string(per_recipient.matches, '; ') as evidence,
        json_object(
            'matches', per_recipient.matches,
            'categories', per_recipient.categories
        ) as evidence_json,
        per_recipient.link_probability as match_probability,
        coalesce(per_recipient.link_probability, 1.0) * 0.5 as confidence
    from per_recipient
    inner join recipients on per_recipient.record_id = recipients.record_id
    cross join params
)

select * from final
