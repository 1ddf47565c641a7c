-- One register row per linked person: the person's own register record (the
-- active one with the latest snapshot when the register lists the person twice)
-- and the family's desil.
with

records as (
    select * from __rules_records
),

register as (
    select * from __rules_in_register
),

register_records as (
    select
        records.person_id,
        records.record_id,
        records.nik,
        records.name,
        records.name_key,
        records.name_letters,
        records.birth_date,
        records.sex,
        records.desa_code,
        records.kecamatan_code,
        coalesce(records.family_id, register.family_id, register.no_kk) as family_id,
        coalesce(records.family_no_kk, register.no_kk) as no_kk,
        coalesce(register.relationship, records.family_relationship) as relationship,
        register.desil,
        register.is_padan_dukcapil,
        register.is_pregnant,
        register.has_severe_disability,
        register.is_in_school,
        register.school_level,
        register.is_register_active,
        register.snapshot_date
    from records
    inner join register on records.record_id = register.record_id
),

-- The family's most common desil; on a tie, the lowest.
family_desil as (
    select family_id, __rules_mode_lowest(list(desil)) as family_desil
    from register_records
    where desil is not null
    group by family_id
),

final as (
    select
        register_records.*,
        coalesce(register_records.desil, family_desil.family_desil) as effective_desil
    from register_records
    left join family_desil on register_records.family_id = family_desil.family_id
    qualify row_number() over (
        partition by register_records.person_id
        order by
            coalesce(register_records.is_register_active, true) desc,
            register_records.snapshot_date desc nulls last,
            register_records.record_id
    ) = 1
)

select * from final
