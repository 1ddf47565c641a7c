-- Recipients of the audited period: active PKH and BPNT rows of the period
-- label and active PBI members of segment PBI APBN or PBI APBD, with their
-- register person and family. A row the linker left apart from the register
-- can still find its register record by a similar name (at least [linking]
-- name_mismatch_similarity). The candidates are the register records with the
-- row's valid NIK, those starting with the row's cut NIK, and the family of the
-- row's valid No KK. The similarity is then the link probability. The NIK
-- candidates cover a roster row with a mistyped birth date. The linker keeps
-- such a row apart and rules 4 and 7 report the conflict, but the person is in
-- the register.
-- Otherwise the probability of the link to the register record follows
-- __rules_link_probability, written as joins because the macro's subqueries
-- are slow on large tables.
with

records as (
    select * from __rules_records
),

pkh as (
    select * from __rules_in_pkh
),

bpnt as (
    select * from __rules_in_bpnt
),

pbi as (
    select * from __rules_in_pbi
),

person_register as (
    select * from __rules_person_register
),

pair_probability as (
    select * from __rules_pair_probability
),

best_probability as (
    select * from __rules_record_best_probability
),

params as (
    select * from __rules_params
),

roster_rows as (
    select record_id, kpm_id, components, amount_idr, null as segment, null as noka
    from pkh
    union all
    select record_id, kpm_id, null, amount_idr, null, null
    from bpnt
    union all
    select record_id, null, null, null, upper(segment), noka
    from pbi
    where upper(coalesce(segment, 'PBI')) like 'PBI%'
),

current_rows as (
    select records.*, roster_rows.* exclude (record_id)
    from records
    inner join roster_rows on records.record_id = roster_rows.record_id
    where records.is_current
),

unlinked as (
    select
        record_id,
        nik_key,
        no_kk_key,
        name_key,
        name_letters,
        -- A NIK of 12 to 15 digits, typed without its last digits, still gives the
        -- region, the birth date and part of the serial.
        -- NOTE: with 12 digits left, two similar names born the same day in one
        -- kecamatan (twins) can match the wrong register record.
        case
            when nik_key is null and regexp_full_match(nik_digits, '[0-9]{12,15}')
                then nik_digits
        end as nik_prefix
    from current_rows
    where (nik_key is not null or no_kk_key is not null or nik_digits is not null)
        and person_id not in (select person_id from person_register)
),

fallback_candidates as (
    select unlinked.*, person_register.record_id as register_record_id,
        person_register.name_key as register_name_key,
        person_register.name_letters as register_name_letters
    from unlinked
    inner join person_register on unlinked.nik_key = person_register.nik
    union all
    select unlinked.*, person_register.record_id,
        person_register.name_key, person_register.name_letters
    from unlinked
    inner join person_register on unlinked.no_kk_key = person_register.no_kk
    union all
    select unlinked.*, person_register.record_id,
        person_register.name_key, person_register.name_letters
    from unlinked
    inner join person_register
        on left(unlinked.nik_prefix, 12) = left(person_register.nik, 12)
        and starts_with(person_register.nik, unlinked.nik_prefix)
),

fallback_matches as (
    select
        fallback_candidates.record_id,
        fallback_candidates.register_record_id,
        __rules_name_similarity(
            fallback_candidates.name_key,
            fallback_candidates.register_name_key,
            fallback_candidates.name_letters,
            fallback_candidates.register_name_letters
        ) as similarity
    from fallback_candidates
    cross join params
    qualify similarity >= params.name_mismatch_similarity
        and row_number() over (
            partition by fallback_candidates.record_id
            order by similarity desc, fallback_candidates.register_record_id
        ) = 1
),

kk_families as (
    select no_kk, min(family_id) as family_id
    from person_register
    where no_kk is not null
    group by no_kk
),

-- The register record, family and link probability of each current row,
-- worked out on the few columns the joins need. With the whole rows in them,
-- DuckDB built its hash tables on the wide side (about 1 CPU s more at batang
-- size). `materialized` keeps DuckDB from moving the join with the whole rows
-- below back into these joins.
register_links as materialized (
    select
        current_rows.record_id,
        coalesce(person_register.record_id, fallback_matches.register_record_id)
            as register_record_id,
        coalesce(
            person_register.family_id, current_rows.family_id, kk_families.family_id
        ) as recipient_family_id,
        person_register.person_id is not null
        or fallback_matches.record_id is not null as is_in_register,
        case
            when fallback_matches.record_id is not null then fallback_matches.similarity
            when person_register.record_id is not null
                and person_register.record_id <> current_rows.record_id
                then coalesce(
                    pair_probability.match_probability,
                    case when current_rows.nik_key = person_register.nik then 1.0 end,
                    least(roster_best.best_probability, register_best.best_probability)
                )
        end as register_link_probability
    from current_rows
    left join person_register on current_rows.person_id = person_register.person_id
    left join fallback_matches on current_rows.record_id = fallback_matches.record_id
    left join kk_families on current_rows.no_kk = kk_families.no_kk
    left join pair_probability
        on current_rows.record_id = pair_probability.record_id_a
        and person_register.record_id = pair_probability.record_id_b
    left join best_probability as roster_best
        on current_rows.record_id = roster_best.record_id
    left join best_probability as register_best
        on person_register.record_id = register_best.record_id
),

-- Every join above finds at most one row per current row: person_register has
-- one row per person and the others one per key.
final as (
    select
        current_rows.*,
        register_links.register_record_id,
        register_links.recipient_family_id,
        register_links.is_in_register,
        register_links.register_link_probability
    from current_rows
    inner join register_links on current_rows.record_id = register_links.record_id
)

select * from final
