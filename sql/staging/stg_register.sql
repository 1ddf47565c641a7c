-- DTSEN/DTKS register: one row per person, desil per family.
with

person as (
    select * from stg_person('__stg_raw_register', 'register')
),

dates as (
    select * from __stg_dates
),

-- Coded columns take few distinct values, so they are normalised once per distinct combination
-- and joined back. Running the macros on each of ~860,000 register rows costs seconds. The keys
-- come from the raw table, not from `person`, so that `person` is read once and not
-- materialised.
codes as (
    select distinct
        desil as desil_key,
        relationship as relationship_key,
        sex as sex_key,
        padan_dukcapil as padan_key,
        pregnant as pregnant_key,
        severe_disability as disability_key,
        school_participation as school_participation_key,
        school_level as school_level_key,
        register_status as status_key
    from raw_register
),

codes_normalised as (
    select
        *,
        stg_desil(desil_key) as desil,
        stg_clean(desil_key) as desil_raw,
        stg_relationship(relationship_key, stg_sex(sex_key)) as relationship,
        stg_yes_no(padan_key) as is_padan_dukcapil,
        stg_yes_no(pregnant_key) as is_pregnant,
        stg_yes_no(disability_key) as has_severe_disability,
        stg_in_school(school_participation_key) as is_in_school,
        stg_school_level(school_level_key) as school_level,
        stg_active(status_key) as is_register_active
    from codes
),

final as (
    select
        person.* exclude (raw),
        coalesce(stg_clean(person.raw.family_id), person.no_kk) as family_id,
        stg_clean(person.raw.register_person_id) as register_person_id,
        codes_normalised.desil,
        codes_normalised.desil_raw,
        codes_normalised.relationship,
        codes_normalised.is_padan_dukcapil,
        codes_normalised.is_pregnant,
        codes_normalised.has_severe_disability,
        codes_normalised.is_in_school,
        codes_normalised.school_level,
        codes_normalised.is_register_active,
        stg_upper(person.raw.occupation) as occupation,
        dates.parsed_date as snapshot_date
    from person
    left join codes_normalised
        on codes_normalised.desil_key is not distinct from person.raw.desil
        and codes_normalised.relationship_key is not distinct from person.raw.relationship
        and codes_normalised.sex_key is not distinct from person.raw.sex
        and codes_normalised.padan_key is not distinct from person.raw.padan_dukcapil
        and codes_normalised.pregnant_key is not distinct from person.raw.pregnant
        and codes_normalised.disability_key is not distinct from person.raw.severe_disability
        and codes_normalised.school_participation_key
        is not distinct from person.raw.school_participation
        and codes_normalised.school_level_key is not distinct from person.raw.school_level
        and codes_normalised.status_key is not distinct from person.raw.register_status
    left join dates
        on dates.date_raw = coalesce(person.raw.snapshot_date, '')
)

select * from final
