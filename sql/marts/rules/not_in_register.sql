-- Rule 10 NOT_IN_REGISTER (FLAG): a recipient of the period (PKH or BPNT
-- pengurus, PBI member) is not linked to any DTSEN register record. Confidence
-- drops by the probability of the best rejected or undecided candidate pair
-- with a register record, which a reviewer should check.
with

recipients as (
    select * from __rules_recipients
),

records as (
    select * from __rules_records
),

pairs as (
    select * from __rules_in_link_pairs
),

params as (
    select * from __rules_params
),

missing as (
    select *
    from recipients
    where not is_in_register
),

register_candidates as (
    select pairs.record_id_l as record_id, pairs.record_id_r as register_record_id,
        pairs.match_probability
    from pairs
    union all
    select pairs.record_id_r, pairs.record_id_l, pairs.match_probability
    from pairs
),

best_candidate as (
    select register_candidates.record_id, max(register_candidates.match_probability) as best
    from register_candidates
    inner join records on register_candidates.register_record_id = records.record_id
    where records.kind = 'register'
    group by register_candidates.record_id
),

final as (
    select
        'NOT_IN_REGISTER' as rule_code,
        'FLAG' as severity,
        missing.programme,
        params.period_label as period,
        missing.record_id,
        null as detail_key,
        printf(
            '%s recipient is not in the DTSEN register (no register record matches this NIK, '
            || 'name and birth date)',
            missing.programme
        ) as evidence,
        printf(
            'Penerima %s tidak ada di DTSEN (tidak ada data DTSEN yang cocok dengan NIK, nama '
            || 'dan tanggal lahir ini)',
            missing.programme
        ) as evidence_id,
        json_object(
            'best_register_candidate_probability', best_candidate.best,
            'nik_key', missing.nik_key
        ) as evidence_json,
        null::double as match_probability,
        round(1.0 - coalesce(best_candidate.best, 0.0), 4) as confidence
    from missing
    cross join params
    left join best_candidate on missing.record_id = best_candidate.record_id
)

select * from final
