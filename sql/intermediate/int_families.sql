-- One row per person found in the register: the register family (family_id, else No KK),
-- its No KK and the person's relationship to the head. When one person has several register
-- rows, the latest snapshot wins, then the lowest record_id.
with
register as (
    select
        record_id,
        coalesce(nullif(family_id, ''), no_kk) as family_id,
        no_kk,
        relationship,
        snapshot_date
    from stg_register
),
links as (
    select
        record_id,
        person_id
    from int_person_links
),
linked as (
    select
        links.person_id,
        register.family_id,
        register.no_kk,
        register.relationship,
        register.snapshot_date,
        register.record_id
    from register
    inner join links on links.record_id = register.record_id
    where register.family_id is not null
),
ranked as (
    select
        *,
        row_number() over (
            partition by person_id
            order by snapshot_date desc nulls last, record_id
        ) as person_rank
    from linked
),
final as (
    select
        person_id,
        family_id,
        no_kk,
        relationship
    from ranked
    where person_rank = 1
)
select * from final
