-- Rule 11 NOT_PADAN_DUKCAPIL (FLAG): the register record of a recipient of the
-- period says Padan Dukcapil = TIDAK. No separate Dukcapil extract is part of
-- the inputs.
with

recipients as (
    select * from __rules_recipients
),

person_register as (
    select * from __rules_person_register
),

params as (
    select * from __rules_params
),

not_padan as (
    select
        recipients.*,
        person_register.nik as register_nik,
        person_register.desil as register_desil,
        recipients.register_link_probability as link_probability
    from recipients
    inner join person_register on recipients.register_record_id = person_register.record_id
    where person_register.is_padan_dukcapil = false
),

final as (
    select
        'NOT_PADAN_DUKCAPIL' as rule_code,
        'FLAG' as severity,
        not_padan.programme,
        params.period_label as period,
        not_padan.record_id,
        null as detail_key,
        'The register record of this recipient is not matched with Dukcapil (Padan Dukcapil = TIDAK)'
            as evidence,
        'Data DTSEN penerima ini tidak padan dengan Dukcapil (Padan Dukcapil = TIDAK)'
            as evidence_id,
        json_object('register_record_id', not_padan.register_record_id) as evidence_json,
        not_padan.link_probability as match_probability,
        coalesce(not_padan.link_probability, 1.0) as confidence
    from not_padan
    cross join params
)

select * from final
