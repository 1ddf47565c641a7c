-- Rule 10 NOT_IN_REGISTER (FLAG): a recipient of the period (PKH or BPNT
-- pengurus, PBI member) is not linked to any DTSEN register record. Confidence
-- drops by the probability of the best rejected or undecided candidate pair
-- with a register record, which a reviewer should check.
-- WARN when a quarantined register row contains the NIK of the recipient or
-- of a record linked to the recipient. The person may then be in the register
-- file, so the evidence names that row for a field check instead of saying
-- that no register record matches.
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

quarantined as (
    select * from __rules_quarantined_register_persons
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
        case when quarantined.person_id is null then 'FLAG' else 'WARN' end as severity,
        missing.programme,
        params.period_label as period,
        missing.record_id,
        null as detail_key,
        case
            when quarantined.person_id is null then printf(
                '%s recipient is not in the DTSEN register (no register record matches this '
                || 'NIK, name and birth date)',
                missing.programme
            )
            else printf(
                '%s recipient matches no loaded DTSEN register record, but a quarantined '
                || 'register row (%s: %s) contains %s: check that row',
                missing.programme, quarantined.location_en,
                quarantined.reason_en,
                case
                    when quarantined.nik = missing.nik_key then 'this NIK'
                    else 'the NIK of a record linked to this recipient'
                end
            )
        end as evidence,
        case
            when quarantined.person_id is null then printf(
                'Penerima %s tidak ada di DTSEN (tidak ada data DTSEN yang cocok dengan NIK, '
                || 'nama dan tanggal lahir ini)',
                missing.programme
            )
            else printf(
                'Penerima %s tidak cocok dengan data DTSEN yang dimuat, tetapi baris DTSEN yang '
                || 'dikarantina (%s: %s) memuat %s: periksa baris itu',
                missing.programme, quarantined.location_id,
                quarantined.reason_id,
                case
                    when quarantined.nik = missing.nik_key then 'NIK ini'
                    else 'NIK dari data lain yang tertaut dengan penerima ini'
                end
            )
        end as evidence_id,
        json_object(
            'best_register_candidate_probability', best_candidate.best,
            'nik_key', missing.nik_key,
            'quarantined_register_row', quarantined.source_row
        ) as evidence_json,
        null::double as match_probability,
        round(1.0 - coalesce(best_candidate.best, 0.0), 4) as confidence
    from missing
    cross join params
    left join best_candidate on missing.record_id = best_candidate.record_id
    left join quarantined on missing.person_id = quarantined.person_id
)

select * from final
