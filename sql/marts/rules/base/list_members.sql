-- People on an exclusion-type list, one row per list row: ASN/TNI/Polri and
-- pensioners, perangkat desa, other exclusion categories, BPJS-TK wages, PLN
-- customers and vehicles.
-- The linker leaves the BPJS-TK, PLN and Samsat rows apart, so such a row takes
-- the person of the record with its NIK key (a register record first). A PLN
-- or vehicle row with an empty NIK cell or a placeholder (`-`, `BELUM ADA`)
-- takes the register person with the same name key, desa, RT and RW, when
-- exactly one register person has them. A damaged or malformed NIK is not
-- replaced this way, because the row may belong to someone else.
with

records as (
    select * from __rules_records
),

asn as (
    select * from __rules_in_asn
),

village_officials as (
    select * from __rules_in_village_officials
),

exclusion as (
    select * from __rules_in_exclusion
),

bpjs_tk as (
    select * from __rules_in_bpjs_tk
),

pln as (
    select * from __rules_in_pln
),

vehicles as (
    select * from __rules_in_vehicles
),

business_categories as (
    select * from __rules_business_categories
),

nik_owners as (
    select
        nik_key,
        arg_min(person_id, (kind <> 'register')::int) as person_id
    from records
    where nik_key is not null
        and kind not in ('bpjs_tk', 'pln', 'vehicles')
    group by nik_key
),

address_owners as (
    select
        desa_code,
        rt,
        rw,
        name_key,
        min(person_id) as person_id
    from records
    where kind = 'register'
        and desa_code is not null
        and rt is not null
        and rw is not null
        and name_key <> ''
    group by all
    -- Equal to count(distinct person_id) = 1 because person_id is never NULL.
    -- DuckDB plans a distinct count as a second aggregation and a join.
    having min(person_id) = max(person_id)
),

extract_persons as (
    select
        records.record_id,
        coalesce(nik_owners.person_id, address_owners.person_id) as person_id
    from records
    left join nik_owners on records.nik_key = nik_owners.nik_key
    left join address_owners
        on records.nik_status in ('empty', 'placeholder')
        and records.kind in ('pln', 'vehicles')
        and records.desa_code = address_owners.desa_code
        and records.rt = address_owners.rt
        and records.rw = address_owners.rw
        and records.name_key = address_owners.name_key
    where records.kind in ('bpjs_tk', 'pln', 'vehicles')
        and records.person_id = records.record_id
),

list_rows as (
    select
        record_id,
        'asn' as list_kind,
        upper(category) as category,
        agency as detail,
        null::bigint as amount
    from asn
    union all
    select record_id, 'village_officials', 'PERANGKAT DESA', position, null
    from village_officials
    union all
    select
        record_id,
        case
            when upper(category) in (select category from business_categories)
                then 'business'
            else 'exclusion'
        end,
        upper(category),
        cast(as_of_date as varchar),
        null
    from exclusion
    union all
    select record_id, 'bpjs_tk', 'BPJS-TK', cast(wage_month_date as varchar), wage_idr
    from bpjs_tk
    union all
    select record_id, 'pln', upper(tariff), customer_id, power_va
    from pln
    union all
    select record_id, 'vehicles', 'VEHICLE', plate, wheels
    from vehicles
),

final as (
    select
        coalesce(extract_persons.person_id, records.person_id) as person_id,
        list_rows.list_kind,
        list_rows.category,
        list_rows.detail,
        list_rows.amount,
        records.record_id as list_record_id,
        records.nik as list_nik,
        records.name as list_name,
        records.source_file as list_source_file,
        records.source_row as list_source_row
    from list_rows
    inner join records on list_rows.record_id = records.record_id
    left join extract_persons on list_rows.record_id = extract_persons.record_id
)

select * from final
