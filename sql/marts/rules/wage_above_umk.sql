-- Rule 17 WAGE_ABOVE_UMK (FLAG): a register member of the recipient's KK, or
-- the recipient, has a BPJS-TK reported wage above [wage] umk_idr. BPJS-TK
-- membership alone, or a wage at or below the UMK, does not count.
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
    where list_members.list_kind = 'bpjs_tk' and list_members.amount > params.umk_idr
),

per_recipient as (
    select
        record_id,
        list(
            printf(
                '%s %s has a BPJS-TK wage of Rp%,d (UMK Rp%,d)',
                case when member_role = 'self' then 'the recipient' else member_role end,
                coalesce(member_name, '-'),
                amount,
                (select umk_idr from __rules_params)
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
        'WAGE_ABOVE_UMK' as rule_code,
        'FLAG' as severity,
        recipients.programme,
        params.period_label as period,
        recipients.record_id,
        null as detail_key,
        'Wage above UMK: ' || array_to_string(per_recipient.matches, '; ') as evidence,
        json_object(
            'matches', per_recipient.matches,
            'categories', per_recipient.categories
        ) as evidence_json,
        per_recipient.link_probability as match_probability,
        coalesce(per_recipient.link_probability, 1.0) as confidence
    from per_recipient
    inner join recipients on per_recipient.record_id = recipients.record_id
    cross join params
)

select * from final
