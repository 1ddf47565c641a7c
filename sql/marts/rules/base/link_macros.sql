-- Probability of the link between two records that a rule joins: the accepted
-- pair's probability, else 1.0 when both carry the same valid NIK, else the
-- weaker of the two records' best pair (the records are linked only through
-- others in their cluster).
create or replace temp macro __rules_link_probability(id_a, id_b, nik_a, nik_b) as
    case
        when id_a = id_b then null
        else coalesce(
            (
                select max(p.match_probability)
                from __rules_pair_probability as p
                where p.record_id_a = id_a and p.record_id_b = id_b
            ),
            case when nik_a = nik_b then 1.0 end,
            -- least() skips NULL, so this is the minimum over the records that have
            -- a best pair. Two equality lookups run as hash joins, while `record_id
            -- in (id_a, id_b)` ran as a nested loop over every record.
            least(
                (
                    select b.best_probability
                    from __rules_record_best_probability as b
                    where b.record_id = id_a
                ),
                (
                    select b.best_probability
                    from __rules_record_best_probability as b
                    where b.record_id = id_b
                )
            )
        )
    end;
