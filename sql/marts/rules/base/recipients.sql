-- Recipients of the audited period: active PKH and BPNT rows of the period
-- label and active PBI members of segment PBI APBN or PBI APBD, with their
-- register person and family.
with

records as (
    select * from __rules_records
),

pkh as (
    select * from __rules_in_pkh
),

bpnt as (
    select * from __rules_in_bpnt
),

pbi as (
    select * from __rules_in_pbi
),

person_register as (
    select * from __rules_person_register
),

roster_rows as (
    select record_id, kpm_id, components, amount_idr, null as segment, null as noka
    from pkh
    union all
    select record_id, kpm_id, null, amount_idr, null, null
    from bpnt
    union all
    select record_id, null, null, null, upper(segment), noka
    from pbi
    where upper(coalesce(segment, 'PBI')) like 'PBI%'
),

current_rows as (
    select records.*, roster_rows.* exclude (record_id)
    from records
    inner join roster_rows on records.record_id = roster_rows.record_id
    where records.is_current
),

kk_families as (
    select no_kk, min(family_id) as family_id
    from person_register
    where no_kk is not null
    group by no_kk
),

final as (
    select
        current_rows.*,
        person_register.record_id as register_record_id,
        coalesce(
            person_register.family_id, current_rows.family_id, kk_families.family_id
        ) as recipient_family_id,
        person_register.person_id is not null as is_in_register
    from current_rows
    left join person_register on current_rows.person_id = person_register.person_id
    left join kk_families on current_rows.no_kk = kk_families.no_kk
)

select * from final
