-- Rule 14 ASN_TNI_POLRI (FLAG): the recipient, or any register member of the
-- recipient's KK, is on the ASN/TNI/Polri or pensioner list. The evidence names
-- each matching member and the list row. The conditions are in
-- __rules_list_findings, shared by rules 14 to 18.
with

list_findings as (
    select * from __rules_list_findings
),

final as (
    select *
    from list_findings
    where rule_code = 'ASN_TNI_POLRI'
)

select * from final
