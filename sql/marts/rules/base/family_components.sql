-- Living register members of each register family who qualify for a PKH
-- component at the period start. Every family has a row, with zero counts when
-- all its members have died.
with

members as (
    select * from __rules_family_members
),

params as (
    select * from __rules_params
),

families as (
    select distinct family_id from members
),

living as (
    select *
    from members
    where not is_deceased
),

counted as (
    select
        living.family_id,
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
        count(*) filter (
            where coalesce(is_in_school, false) and school_level = 'SD'
            and age between params.pkh_school_min_age and params.pkh_school_max_age
        ) as in_school_sd,
        count(*) filter (
            where coalesce(is_in_school, false) and school_level = 'SMP'
            and age between params.pkh_school_min_age and params.pkh_school_max_age
        ) as in_school_smp,
        count(*) filter (
            where coalesce(is_in_school, false) and school_level = 'SMA'
            and age between params.pkh_school_min_age and params.pkh_school_max_age
        ) as in_school_sma,
        count(*) filter (where coalesce(has_severe_disability, false)) as severe_disability,
        count(*) filter (where age >= params.pkh_elderly_min_age) as elderly,
        count(*) filter (where sex = 'P' and age between 10 and 55) as women_10_55
    from living
    cross join params
    group by living.family_id
),

final as (
    select
        families.family_id,
        coalesce(counted.members, 0) as members,
        coalesce(counted.pregnant, 0) as pregnant,
        coalesce(counted.early_childhood, 0) as early_childhood,
        coalesce(counted.in_school, 0) as in_school,
        coalesce(counted.school_age, 0) as school_age,
        coalesce(counted.in_school_sd, 0) as in_school_sd,
        coalesce(counted.in_school_smp, 0) as in_school_smp,
        coalesce(counted.in_school_sma, 0) as in_school_sma,
        coalesce(counted.severe_disability, 0) as severe_disability,
        coalesce(counted.elderly, 0) as elderly,
        coalesce(counted.women_10_55, 0) as women_10_55
    from families
    left join counted on families.family_id = counted.family_id
)

select * from final
