-- Best accepted pair probability of every linked record.
with

pairs as (
    select * from __rules_pair_probability
),

final as (
    select record_id_a as record_id, max(match_probability) as best_probability
    from pairs
    group by record_id_a
)

select * from final
