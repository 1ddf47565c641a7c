-- ASN/TNI/Polri and pensioner list.
with

person as (
    select * from stg_person('__stg_raw_asn', 'asn')
),

source as (
    select * from __stg_raw_asn
),

final as (
    select
        person.* exclude (raw_rowid),
        case
            when regexp_matches(stg_upper(source.category), 'PENSIUN|PURNAWIRAWAN|PURN\b')
                then 'PENSIUNAN'
            when regexp_matches(stg_upper(source.category), '\bTNI\b|TENTARA') then 'TNI'
            when regexp_matches(stg_upper(source.category), 'POLRI|POLISI|KEPOLISIAN')
                then 'POLRI'
            when regexp_matches(
                stg_upper(source.category), '\bASN\b|\bPNS\b|PPPK|\bP3K\b|CPNS'
            ) then 'ASN'
            else stg_upper(source.category)
        end as category,
        stg_upper(source.agency) as agency
    from person
    inner join source
        on source.raw_rowid = person.raw_rowid
)

select * from final
