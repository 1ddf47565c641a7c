-- Each PKH recipient row of the period with its claimed components and, when
-- its family is in the register, the count of living members qualifying for
-- each component at the period start.
with

recipients as (
    select * from __rules_recipients
),

pkh_rows as (
    select
        record_id,
        recipient_family_id,
        components,
        list_filter(
            list_transform(string_split(upper(coalesce(components, '')), ','), lambda c: trim(c)),
            lambda c: c <> ''
        ) as claimed
    from recipients
    where programme = 'PKH'
),

member_counts as (
    select * from __rules_family_components
),

final as (
    select
        pkh_rows.*,
        member_counts.family_id is not null as has_register_family,
        coalesce(member_counts.members, 0) as members,
        coalesce(member_counts.pregnant, 0) as pregnant,
        coalesce(member_counts.early_childhood, 0) as early_childhood,
        coalesce(member_counts.in_school, 0) as in_school,
        coalesce(member_counts.school_age, 0) as school_age,
        coalesce(member_counts.in_school_sd, 0) as in_school_sd,
        coalesce(member_counts.in_school_smp, 0) as in_school_smp,
        coalesce(member_counts.in_school_sma, 0) as in_school_sma,
        coalesce(member_counts.severe_disability, 0) as severe_disability,
        coalesce(member_counts.elderly, 0) as elderly,
        coalesce(member_counts.women_10_55, 0) as women_10_55
    from pkh_rows
    left join member_counts on pkh_rows.recipient_family_id = member_counts.family_id
)

select * from final
