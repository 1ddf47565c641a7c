-- Rule 12 DESIL_OUT_OF_RANGE: the DTSEN desil of a recipient of the period is
-- above the programme's [desil_threshold] (FLAG), or the register has no desil
-- for the person or the family (WARN). The person's own desil is used, else the
-- family's most common one. Recipients without a register record are rule 10.
with

recipients as (
    select * from __rules_recipients
),

person_register as (
    select * from __rules_person_register
),

programmes as (
    select * from __rules_programmes
),

params as (
    select * from __rules_params
),

with_desil as (
    select
        recipients.*,
        person_register.effective_desil,
        programmes.desil_threshold,
        recipients.register_link_probability as link_probability
    from recipients
    inner join person_register on recipients.register_record_id = person_register.record_id
    inner join programmes on recipients.programme = programmes.programme
),

out_of_range as (
    select *
    from with_desil
    where effective_desil is null or effective_desil > desil_threshold
),

final as (
    select
        'DESIL_OUT_OF_RANGE' as rule_code,
        case when effective_desil is null then 'WARN' else 'FLAG' end as severity,
        out_of_range.programme,
        params.period_label as period,
        out_of_range.record_id,
        null as detail_key,
        case
            when effective_desil is null then printf(
                'The register has no desil for this %s recipient', out_of_range.programme
            )
            else printf(
                'DTSEN desil %d is above the %s threshold of desil %d',
                effective_desil, out_of_range.programme, desil_threshold
            )
        end as evidence,
        case
            when effective_desil is null then printf(
                'DTSEN tidak memuat desil untuk penerima %s ini', out_of_range.programme
            )
            else printf(
                'Desil DTSEN %d di atas batas %s, yaitu desil %d',
                effective_desil, out_of_range.programme, desil_threshold
            )
        end as evidence_id,
        json_object(
            'desil', effective_desil,
            'threshold', desil_threshold,
            'register_record_id', out_of_range.register_record_id
        ) as evidence_json,
        out_of_range.link_probability as match_probability,
        coalesce(out_of_range.link_probability, 1.0) as confidence
    from out_of_range
    cross join params
)

select * from final
