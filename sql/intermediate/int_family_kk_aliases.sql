-- No KK values that other sources give for a register family. A family card is reissued
-- when a family splits or merges, so a roster may carry an older No KK; the person link
-- connects it to the family the register holds today.
with
families as (
    select
        person_id,
        family_id,
        no_kk as register_no_kk
    from int_families
),
records as (
    select
        record_id,
        source_kind,
        no_kk
    from int_person_records
    where no_kk is not null
),
links as (
    select
        record_id,
        person_id
    from int_person_links
),
aliased as (
    select
        records.no_kk,
        families.family_id,
        families.person_id,
        records.record_id,
        records.source_kind
    from records
    inner join links on links.record_id = records.record_id
    inner join families on families.person_id = links.person_id
    where records.no_kk != coalesce(families.register_no_kk, '')
),
final as (
    select
        no_kk,
        family_id,
        person_id,
        record_id,
        source_kind
    from aliased
)
select * from final
