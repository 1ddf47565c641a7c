-- Living register members of each family who qualify for a PKH component at the period start.
with

members as (
    select * from __rules_family_members
),

params as (
    select * from __rules_params
),

final as (
    select
        members.family_id,
        count(*) as members,
        count(*) filter (where coalesce(is_pregnant, false)) as pregnant,
        count(*) filter (where age between 0 and params.pkh_early_childhood_max_age)
            as early_childhood,
        count(*) filter (
            where age between params.pkh_school_min_age and params.pkh_school_max_age
            and coalesce(is_in_school, false)
        ) as in_school,
        count(*) filter (
            where age between params.pkh_school_min_age and params.pkh_school_max_age
        ) as school_age,
        count(*) filter (where coalesce(is_in_school, false) and school_level = 'SD')
            as in_school_sd,
        count(*) filter (where coalesce(is_in_school, false) and school_level = 'SMP')
            as in_school_smp,
        count(*) filter (where coalesce(is_in_school, false) and school_level = 'SMA')
            as in_school_sma,
        count(*) filter (where coalesce(has_severe_disability, false)) as severe_disability,
        count(*) filter (where age >= params.pkh_elderly_min_age) as elderly,
        count(*) filter (where sex = 'P' and age between 10 and 55) as women_10_55
    from members
    cross join params
    where not members.is_deceased
    group by members.family_id
)

select * from final
