-- Rule 15 OCCUPATIONAL_EXCLUSION (FLAG): the recipient, or any register member
-- of the recipient's KK, is on the perangkat desa list or on another exclusion
-- list (certified teachers, health workers, social facilitators and operators,
-- BUMN/BUMD staff, APBN/APBD payroll). AHU/OSS categories belong to rule 16.
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
    where list_members.list_kind in ('village_officials', 'exclusion')
),

per_recipient as (
    select
        record_id,
        list(
            printf(
                '%s %s is %s (%s, %s row %s)',
                case when member_role = 'self' then 'the recipient' else member_role end,
                coalesce(member_name, '-'),
                coalesce(category, '-'),
                coalesce(detail, '-'),
                coalesce(list_source_file, '-'),
                cast(list_source_row as varchar)
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
        'OCCUPATIONAL_EXCLUSION' as rule_code,
        'FLAG' as severity,
        recipients.programme,
        params.period_label as period,
        recipients.record_id,
        null as detail_key,
        'On an exclusion list: ' || array_to_string(per_recipient.matches, '; ') as evidence,
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
