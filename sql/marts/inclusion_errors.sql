-- One row per recipient (linked person) and programme of the period that has
-- findings on the programme: FLAG rule codes make a likely inclusion error,
-- WARN codes need a field check, and ERROR/INFO codes (data quality and
-- information) are listed apart. Rupiah at risk counts FLAG rows only: the
-- programme's [benefit_idr_per_month] times the months of the period. nik_raw
-- is the NIK cell of the recipient's row as read, because nik is NULL when
-- that cell contains no valid NIK.
with

recipients as (
    select * from __rules_recipients
),

findings as (
    select * from fct_findings
),

programmes as (
    select * from __rules_programmes
),

params as (
    select * from __rules_params
),

-- The field officer needs an address: the roster's own, else the register's.
addresses as (
    select record_id, address, rt, rw from __rules_in_pkh
    union all
    select record_id, address, rt, rw from __rules_in_bpnt
    union all
    select record_id, address, rt, rw from __rules_in_pbi
    union all
    select record_id, address, rt, rw from __rules_in_register
),

recipient_people as (
    select
        programme,
        person_id,
        count(*) as roster_rows,
        arg_min(record_id, source_row) as record_id,
        any_value(recipient_family_id) as family_id,
        max(is_in_register) as is_in_register
    from recipients
    group by programme, person_id
),

-- One row per person, rule and severity group, so the lists below need no
-- distinct. Three distinct lists made DuckDB run six aggregations and three
-- joins over every finding.
person_rule_codes as (
    select
        programme,
        person_id,
        rule_code,
        case when severity in ('ERROR', 'INFO') then 'OTHER' else severity end
            as severity_group,
        min(confidence) as confidence
    from findings
    group by all
),

person_findings as (
    select
        programme,
        person_id,
        list(rule_code order by rule_code)
            filter (where severity_group = 'FLAG') as flag_rule_codes,
        list(rule_code order by rule_code)
            filter (where severity_group = 'WARN') as warn_rule_codes,
        list(rule_code order by rule_code)
            filter (where severity_group = 'OTHER') as other_rule_codes,
        min(confidence) filter (where severity_group = 'FLAG') as flag_confidence
    from person_rule_codes
    group by programme, person_id
),

-- The evidence of each code of a recipient, as `CODE: text` in English and in
-- Indonesian. A finding on another record than the recipient's row (a
-- complaint, a second roster row) names that record's file, sheet and row.
-- ERROR and INFO codes give evidence too, so that the workbooks show why a NIK
-- is blank or invalid, but they do not lower the row's confidence.
listed_findings as (
    select
        findings.programme,
        findings.person_id,
        findings.rule_code,
        findings.severity,
        case when findings.severity in ('FLAG', 'WARN') then findings.confidence end
            as confidence,
        coalesce(findings.evidence, '') as finding_evidence,
        coalesce(findings.evidence_id, findings.evidence, '') as finding_evidence_id,
        case
            when findings.record_id is distinct from recipient_people.record_id
                and coalesce(findings.source_file, '') <> ''
                then concat_ws(', ', findings.source_file, nullif(findings.source_sheet, ''))
        end as other_file,
        findings.source_row
    from findings
    inner join recipient_people
        on findings.programme = recipient_people.programme
        and findings.person_id = recipient_people.person_id
),

other_sources as (
    select
        *,
        other_file || ', row ' || coalesce(source_row::varchar, '-') as other_source_en,
        other_file || ', baris ' || coalesce(source_row::varchar, '-') as other_source_id
    from listed_findings
),

-- Findings with the same evidence on several records (both rows of a
-- duplicate) give one text that names the other records together.
finding_texts as (
    select
        programme,
        person_id,
        rule_code,
        min(case severity when 'FLAG' then 0 when 'WARN' then 1 else 2 end) as severity_rank,
        min(confidence) as confidence,
        finding_evidence || coalesce(
            ' (' || nullif(array_to_string(
                list_sort(list_distinct(list(other_source_en))), '; '
            ), '') || ')',
            ''
        ) as evidence_en,
        finding_evidence_id || coalesce(
            ' (' || nullif(array_to_string(
                list_sort(list_distinct(list(other_source_id))), '; '
            ), '') || ')',
            ''
        ) as evidence_id
    from other_sources
    group by programme, person_id, rule_code, finding_evidence, finding_evidence_id
),

-- The texts of one code are joined with `; ` in text order, so that reruns give
-- the same cell. The lists are sorted with list_sort rather than by ordered
-- aggregates (`order by` inside string_agg or list): at batang size the
-- ordered aggregates of this chain took about 3 more CPU seconds.
code_evidence as (
    select
        programme,
        person_id,
        rule_code,
        min(severity_rank) as severity_rank,
        min(confidence) as confidence,
        rule_code || ': ' || array_to_string(list_sort(list(evidence_en)), '; ') as evidence_en,
        rule_code || ': ' || array_to_string(list_sort(list(evidence_id)), '; ') as evidence_id
    from finding_texts
    group by programme, person_id, rule_code
),

person_evidence as (
    select
        programme,
        person_id,
        list_transform(
            list_sort(list({'rank': severity_rank, 'code': rule_code, 'text': evidence_en})),
            lambda item: item.text
        ) as evidence_items,
        list_transform(
            list_sort(list({'rank': severity_rank, 'code': rule_code, 'text': evidence_id})),
            lambda item: item.text
        ) as evidence_items_id,
        min(confidence) as confidence
    from code_evidence
    group by programme, person_id
),

joined as (
    select
        recipient_people.*,
        coalesce(person_findings.flag_rule_codes, []) as flag_rule_codes,
        coalesce(person_findings.warn_rule_codes, []) as warn_rule_codes,
        coalesce(person_findings.other_rule_codes, []) as other_rule_codes,
        person_findings.flag_confidence,
        coalesce(person_evidence.evidence_items, []) as evidence_items,
        coalesce(person_evidence.evidence_items_id, []) as evidence_items_id,
        person_evidence.confidence,
        programmes.benefit_idr_per_month
    from recipient_people
    inner join person_findings
        on recipient_people.programme = person_findings.programme
        and recipient_people.person_id = person_findings.person_id
    inner join programmes on recipient_people.programme = programmes.programme
    left join person_evidence
        on recipient_people.programme = person_evidence.programme
        and recipient_people.person_id = person_evidence.person_id
),

final as (
    select
        params.run_id,
        joined.programme,
        params.period_label as period,
        joined.person_id,
        joined.family_id,
        joined.record_id,
        recipients.nik,
        recipients.nik_raw,
        coalesce(recipients.no_kk, recipients.family_no_kk) as no_kk,
        coalesce(recipients.name, recipients.name_raw) as name,
        recipients.kecamatan_code,
        recipients.desa_code,
        joined.roster_rows,
        joined.is_in_register,
        joined.flag_rule_codes,
        joined.warn_rule_codes,
        joined.other_rule_codes,
        len(joined.flag_rule_codes) > 0 as is_likely_inclusion_error,
        joined.flag_confidence,
        joined.evidence_items,
        joined.evidence_items_id,
        joined.confidence,
        case when len(joined.flag_rule_codes) > 0 then params.period_months else 0 end
            as months_at_risk,
        case when len(joined.flag_rule_codes) > 0 then joined.benefit_idr_per_month else 0 end
            as monthly_idr_at_risk,
        case
            when len(joined.flag_rule_codes) > 0
                then joined.benefit_idr_per_month * params.period_months
            else 0
        end as rupiah_at_risk_idr,
        coalesce(roster_address.address, register_address.address) as address,
        coalesce(roster_address.rt, register_address.rt) as rt,
        coalesce(roster_address.rw, register_address.rw) as rw,
        recipients.source_file,
        recipients.source_sheet,
        recipients.source_row
    from joined
    inner join recipients on joined.record_id = recipients.record_id
    left join addresses as roster_address on joined.record_id = roster_address.record_id
    left join addresses as register_address
        on recipients.register_record_id = register_address.record_id
    cross join params
)

select * from final
