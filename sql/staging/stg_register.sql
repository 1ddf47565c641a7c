-- DTSEN/DTKS register: one row per person, desil per family.
with

person as (
    select * from stg_person('__stg_raw_register', 'register')
),

source as (
    select * from __stg_raw_register
),

dates as (
    select * from __stg_dates
),

final as (
    select
        person.* exclude (raw_rowid),
        coalesce(stg_clean(source.family_id), person.no_kk) as family_id,
        stg_clean(source.register_person_id) as register_person_id,
        stg_desil(source.desil) as desil,
        stg_clean(source.desil) as desil_raw,
        stg_relationship(source.relationship, person.sex) as relationship,
        stg_yes_no(source.padan_dukcapil) as is_padan_dukcapil,
        stg_yes_no(source.pregnant) as is_pregnant,
        stg_yes_no(source.severe_disability) as has_severe_disability,
        stg_in_school(source.school_participation) as is_in_school,
        stg_school_level(source.school_level) as school_level,
        stg_active(source.register_status) as is_register_active,
        stg_upper(source.occupation) as occupation,
        dates.parsed_date as snapshot_date
    from person
    inner join source
        on source.raw_rowid = person.raw_rowid
    left join dates
        on dates.date_raw = coalesce(source.snapshot_date, '')
)

select * from final
