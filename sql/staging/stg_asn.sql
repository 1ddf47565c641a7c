-- ASN/TNI/Polri and pensioner list.
with

person as (
    select * from stg_person('raw_asn', 'asn')
),

source as (
    select * from raw_asn
),

asn_columns as (
    select
        record_id,
        case
            when regexp_matches(stg_upper(category), 'PENSIUN|PURNAWIRAWAN|PURN\b') then 'PENSIUNAN'
            when regexp_matches(stg_upper(category), '\bTNI\b|TENTARA') then 'TNI'
            when regexp_matches(stg_upper(category), 'POLRI|POLISI|KEPOLISIAN') then 'POLRI'
            when regexp_matches(stg_upper(category), '\bASN\b|\bPNS\b|PPPK|\bP3K\b|CPNS')
                then 'ASN'
            else stg_upper(category)
        end as category,
        stg_upper(agency) as agency
    from source
),

final as (
    select
        person.*,
        asn_columns.* exclude (record_id)
    from person
    inner join asn_columns
        on asn_columns.record_id = person.record_id
)

select * from final
