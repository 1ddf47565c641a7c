-- Register members of every family, with age at the period start and death
-- before it.
with

person_register as (
    select * from __rules_person_register
),

deaths as (
    select * from __rules_deaths
),

params as (
    select * from __rules_params
),

final as (
    select
        person_register.*,
        __rules_age(person_register.birth_date, params.period_start_date) as age,
        deaths.death_date,
        coalesce(deaths.death_date < params.period_start_date, false) as is_deceased
    from person_register
    cross join params
    left join deaths on person_register.person_id = deaths.person_id
)

select * from final
