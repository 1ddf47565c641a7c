-- Rule 18 PROXY_AFFLUENCE (WARN): the recipient's household is linked to a PLN
-- customer of at least [proxy] min_power_va (default 1300 VA) or on the
-- non-subsidised R1M tariff, or to a registered vehicle with four or more
-- wheels. Not an official exclusion: a field check decides, so confidence is
-- halved. The conditions are in __rules_list_findings, shared by rules 14 to
-- 18.
with

list_findings as (
    select * from __rules_list_findings
),

final as (
    select *
    from list_findings
    where rule_code = 'PROXY_AFFLUENCE'
)

select * from final
