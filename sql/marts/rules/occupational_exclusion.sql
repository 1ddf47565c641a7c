-- Rule 15 OCCUPATIONAL_EXCLUSION (FLAG): the recipient, or any register member
-- of the recipient's KK, is on the perangkat desa list or on another exclusion
-- list (certified teachers, health workers, social facilitators and operators,
-- BUMN/BUMD staff, APBN/APBD payroll). AHU/OSS categories belong to rule 16.
-- The conditions are in __rules_list_findings, shared by rules 14 to 18.
with

list_findings as (
    select * from __rules_list_findings
),

final as (
    select *
    from list_findings
    where rule_code = 'OCCUPATIONAL_EXCLUSION'
)

select * from final
