-- People on an exclusion-type list, one row per list row: ASN/TNI/Polri and
-- pensioners, perangkat desa, other exclusion categories, BPJS-TK wages, PLN
-- customers and vehicles.
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
        records.person_id,
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
)

select * from final
