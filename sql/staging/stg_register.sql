-- DTSEN/DTKS register: one row per person, desil per family.
with

person as (
    select * from stg_person('raw_register', 'register')
),

source as (
    select * from raw_register
),

dates as (
    select * from __stg_dates
),

register_columns as (
    select
        source.record_id,
        coalesce(
            stg_clean(source.family_id),
            stg_id_value(person.no_kk_status, person.no_kk)
        ) as family_id,
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
    from source
    inner join person
        on person.record_id = source.record_id
    left join dates
        on dates.date_raw = coalesce(source.snapshot_date, '')
),

final as (
    select
        person.*,
        register_columns.* exclude (record_id)
    from person
    inner join register_columns
        on register_columns.record_id = person.record_id
)

select * from final
