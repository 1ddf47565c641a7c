-- Per programme, kecamatan and desa: recipients of the period, recipients with
-- FLAG findings (likely inclusion errors) and with WARN findings only, the
-- inclusion error rate, exclusion error candidates (eligible families not
-- receiving), and rupiah at risk per month and year.
with

recipients as (
    select * from __rules_recipients
),

inclusion as (
    select * from inclusion_errors
),

exclusion as (
    select * from exclusion_errors
),

findings as (
    select * from fct_findings
),

params as (
    select * from __rules_params
),

recipient_places as (
    select
        programme,
        person_id,
        any_value(coalesce(kecamatan_code, left(desa_code, 6))) as kecamatan_code,
        any_value(desa_code) as desa_code
    from recipients
    group by programme, person_id
),

recipient_counts as (
    select
        recipient_places.programme,
        recipient_places.kecamatan_code,
        recipient_places.desa_code,
        count(*) as recipients,
        count(*) filter (where inclusion.is_likely_inclusion_error) as flagged_recipients,
        count(*) filter (
            where not coalesce(inclusion.is_likely_inclusion_error, false)
            and len(inclusion.warn_rule_codes) > 0
        ) as warned_recipients,
        coalesce(sum(inclusion.monthly_idr_at_risk), 0) as rupiah_at_risk_month_idr
    from recipient_places
    left join inclusion
        on recipient_places.programme = inclusion.programme
        and recipient_places.person_id = inclusion.person_id
    group by all
),

flags_by_rule as (
    select
        programme,
        kecamatan_code,
        desa_code,
        -- Ordered, so the JSON keys come out in the same order every run.
        map_from_entries(list((rule_code, people) order by rule_code)) as by_rule
    from (
        select
            recipient_places.programme,
            recipient_places.kecamatan_code,
            recipient_places.desa_code,
            findings.rule_code,
            count(distinct findings.person_id) as people
        from findings
        inner join recipient_places
            on findings.programme = recipient_places.programme
            and findings.person_id = recipient_places.person_id
        where findings.severity = 'FLAG'
        group by all
    )
    group by all
),

exclusion_counts as (
    select
        programme,
        kecamatan_code,
        desa_code,
        count(*) as exclusion_candidates,
        -- PBI pays a contribution per member, PKH and BPNT per family.
        sum(
            case when programme = 'PBI' then living_members else 1 end * benefit_idr_per_month
        ) as exclusion_cost_month_idr
    from exclusion
    group by all
),

places as (
    select programme, kecamatan_code, desa_code from recipient_counts
    union
    select programme, kecamatan_code, desa_code from exclusion_counts
),

final as (
    select
        params.run_id,
        places.programme,
        params.period_label as period,
        places.kecamatan_code,
        places.desa_code,
        coalesce(recipient_counts.recipients, 0) as recipients,
        coalesce(recipient_counts.flagged_recipients, 0) as flagged_recipients,
        coalesce(recipient_counts.warned_recipients, 0) as warned_recipients,
        case
            when coalesce(recipient_counts.recipients, 0) > 0
                then round(recipient_counts.flagged_recipients / recipient_counts.recipients, 4)
        end as inclusion_error_rate,
        coalesce(exclusion_counts.exclusion_candidates, 0) as exclusion_candidates,
        cast(coalesce(recipient_counts.rupiah_at_risk_month_idr, 0) as bigint)
            as rupiah_at_risk_month_idr,
        cast(coalesce(recipient_counts.rupiah_at_risk_month_idr, 0) * 12 as bigint)
            as rupiah_at_risk_year_idr,
        cast(coalesce(exclusion_counts.exclusion_cost_month_idr, 0) as bigint)
            as exclusion_cost_month_idr,
        to_json(flags_by_rule.by_rule) as flagged_by_rule
    from places
    left join recipient_counts
        on places.programme = recipient_counts.programme
        and places.kecamatan_code is not distinct from recipient_counts.kecamatan_code
        and places.desa_code is not distinct from recipient_counts.desa_code
    left join exclusion_counts
        on places.programme = exclusion_counts.programme
        and places.kecamatan_code is not distinct from exclusion_counts.kecamatan_code
        and places.desa_code is not distinct from exclusion_counts.desa_code
    left join flags_by_rule
        on places.programme = flags_by_rule.programme
        and places.kecamatan_code is not distinct from flags_by_rule.kecamatan_code
        and places.desa_code is not distinct from flags_by_rule.desa_code
    cross join params
)

select * from final
