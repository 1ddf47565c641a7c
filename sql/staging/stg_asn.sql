-- ASN/TNI/Polri and pensioner list.
with

person as (
    select * from stg_person('__stg_raw_asn', 'asn')
),

final as (
    select
        person.* exclude (raw),
        case
            when regexp_matches(stg_upper(person.raw.category), 'PENSIUN|PURNAWIRAWAN|PURN\b')
                then 'PENSIUNAN'
            when regexp_matches(stg_upper(person.raw.category), '\bTNI\b|TENTARA') then 'TNI'
            when regexp_matches(stg_upper(person.raw.category), 'POLRI|POLISI|KEPOLISIAN')
                then 'POLRI'
            when regexp_matches(
                stg_upper(person.raw.category), '\bASN\b|\bPNS\b|PPPK|\bP3K\b|CPNS'
            ) then 'ASN'
            else stg_upper(person.raw.category)
        end as category,
        stg_upper(person.raw.agency) as agency
    from person
)

select * from final
