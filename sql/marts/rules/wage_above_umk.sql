-- Rule 17 WAGE_ABOVE_UMK (FLAG): the recipient, or a register member of the
-- recipient's KK, has a BPJS-TK reported wage above [wage] umk_idr. BPJS-TK
-- membership alone, or a wage at or below the UMK, does not count. The
-- conditions are in __rules_list_findings, shared by rules 14 to 18.
with

list_findings as (
    select * from __rules_list_findings
),

final as (
    select *
    from list_findings
    where rule_code = 'WAGE_ABOVE_UMK'
)

select * from final
