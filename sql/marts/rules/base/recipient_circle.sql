-- Each recipient row with itself and every register member of its family (the
-- KK), for the rules that exclude a family when any member is on a list.
with

recipients as (
    select * from __rules_recipients
),

members as (
    select * from __rules_family_members
),

self_rows as (
    select
        recipients.record_id,
        recipients.person_id as member_person_id,
        recipients.record_id as member_record_id,
        recipients.nik as member_nik,
        recipients.name as member_name,
        'self' as member_role
    from recipients
),

family_rows as (
    select
        recipients.record_id,
        members.person_id,
        members.record_id,
        members.nik,
        members.name,
        coalesce(lower(members.relationship), 'family member')
    from recipients
    inner join members on recipients.recipient_family_id = members.family_id
    where members.person_id <> recipients.person_id
),

final as (
    select * from self_rows
    union all
    select * from family_rows
)

select * from final
