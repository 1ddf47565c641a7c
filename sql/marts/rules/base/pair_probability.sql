-- Match probability of every accepted pair, in both orientations, so a rule can
-- look up the link between any two records it joins.
with

pairs as (
    select * from __rules_in_link_pairs
),

accepted as (
    select record_id_l, record_id_r, match_probability
    from pairs
    where coalesce(decision, 'match') in ('match', 'reviewed_match')
),

both_ways as (
    select record_id_l as record_id_a, record_id_r as record_id_b, match_probability
    from accepted
    union all
    select record_id_r as record_id_a, record_id_l as record_id_b, match_probability
    from accepted
),

final as (
    select record_id_a, record_id_b, max(match_probability) as match_probability
    from both_ways
    group by all
)

select * from final
