-- Each programme and whether its roster is in the run. A roster that is absent
-- or has no data rows leaves its __rules_in_<kind> view empty, the same test
-- that records a rule reading it as limited in rule_status. Rules and marts
-- leave such a programme out instead of concluding that no family receives it.
with

programmes as (
    select * from __rules_programmes
),

present as (
    select 'PKH' as programme, exists (select 1 from __rules_in_pkh) as is_roster_in_run
    union all
    select 'BPNT', exists (select 1 from __rules_in_bpnt)
    union all
    select 'PBI', exists (select 1 from __rules_in_pbi)
),

final as (
    select
        programmes.programme,
        coalesce(present.is_roster_in_run, false) as is_roster_in_run
    from programmes
    left join present on programmes.programme = present.programme
)

select * from final
