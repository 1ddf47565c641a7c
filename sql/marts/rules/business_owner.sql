-- Rule 16 BUSINESS_OWNER (FLAG): the recipient, or any register member of the
-- recipient's KK, is a company officer or owner in the AHU/OSS extract:
-- exclusion-list rows whose category is one of [exclusion] business_categories.
-- The conditions are in __rules_list_findings, shared by rules 14 to 18.
with

list_findings as (
    select * from __rules_list_findings
),

final as (
    select *
    from list_findings
    where rule_code = 'BUSINESS_OWNER'
)

select * from final
