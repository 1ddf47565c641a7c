-- Rule 23 PBI_NOT_ELIGIBLE (FLAG): an active PBI APBN or PBI APBD member is not
-- in the DTSEN register or has a desil above the PBI threshold: a deactivation
-- candidate. The evidence gives the segment and the monthly contribution
-- ([benefit_idr_per_month] PBI) so that APBD-funded members can be costed
-- separately. A member outside the register gets WARN when a quarantined
-- register row contains the member's NIK or that of a linked record. The
-- evidence then names that row for a field check instead of saying that the
-- member is not in DTSEN.
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

quarantined as (
    select * from __rules_quarantined_register_persons
),

members as (
    select
        recipients.*,
        person_register.effective_desil,
        programmes.desil_threshold,
        programmes.benefit_idr_per_month,
        recipients.register_link_probability as link_probability
    from recipients
    inner join programmes on recipients.programme = programmes.programme
    left join person_register on recipients.register_record_id = person_register.record_id
    where recipients.programme = 'PBI'
),

not_eligible as (
    select
        members.*,
        quarantined.location_en as quarantined_location_en,
        quarantined.location_id as quarantined_location_id,
        quarantined.reason_en as quarantined_reason_en,
        quarantined.reason_id as quarantined_reason_id,
        quarantined.source_row as quarantined_row,
        case
            when quarantined.nik = members.nik_key then 'this NIK'
            else 'the NIK of a record linked to this member'
        end as quarantined_nik_en,
        case
            when quarantined.nik = members.nik_key then 'NIK ini'
            else 'NIK dari data lain yang tertaut dengan peserta ini'
        end as quarantined_nik_id
    from members
    left join quarantined
        on not members.is_in_register and members.person_id = quarantined.person_id
    where not members.is_in_register or members.effective_desil > members.desil_threshold
),

final as (
    select
        'PBI_NOT_ELIGIBLE' as rule_code,
        case when not_eligible.quarantined_row is null then 'FLAG' else 'WARN' end as severity,
        'PBI' as programme,
        params.period_label as period,
        not_eligible.record_id,
        null as detail_key,
        printf(
            '%s member %s; %s',
            coalesce(not_eligible.segment, 'PBI'),
            case
                when not_eligible.quarantined_row is not null then printf(
                    'matches no loaded DTSEN register record, but a quarantined register row '
                    || '(%s: %s) contains %s: check that row',
                    not_eligible.quarantined_location_en, not_eligible.quarantined_reason_en,
                    not_eligible.quarantined_nik_en
                )
                when not not_eligible.is_in_register then 'not in the DTSEN register'
                else printf(
                    'in DTSEN desil %d, above the PBI threshold of desil %d',
                    not_eligible.effective_desil, not_eligible.desil_threshold
                )
            end,
            -- Whether a member of a quarantined register row may be deactivated is unknown.
            case
                when not_eligible.quarantined_row is not null then printf(
                    'contribution %s per month',
                    __rules_rupiah_en(not_eligible.benefit_idr_per_month)
                )
                else printf(
                    'deactivation candidate costing %s per month',
                    __rules_rupiah_en(not_eligible.benefit_idr_per_month)
                )
            end
        ) as evidence,
        printf(
            'Peserta %s %s; %s',
            coalesce(not_eligible.segment, 'PBI'),
            case
                when not_eligible.quarantined_row is not null then printf(
                    'tidak cocok dengan data DTSEN yang dimuat, tetapi baris DTSEN yang '
                    || 'dikarantina (%s: %s) memuat %s: periksa baris itu',
                    not_eligible.quarantined_location_id, not_eligible.quarantined_reason_id,
                    not_eligible.quarantined_nik_id
                )
                when not not_eligible.is_in_register then 'tidak ada di DTSEN'
                else printf(
                    'berada di desil %d DTSEN, di atas batas PBI desil %d',
                    not_eligible.effective_desil, not_eligible.desil_threshold
                )
            end,
            printf(
                case
                    when not_eligible.quarantined_row is not null then 'iuran %s per bulan'
                    else 'calon penonaktifan dengan iuran %s per bulan'
                end,
                __rules_rupiah_id(not_eligible.benefit_idr_per_month)
            )
        ) as evidence_id,
        json_object(
            'segment', not_eligible.segment,
            'is_in_register', not_eligible.is_in_register,
            'desil', not_eligible.effective_desil,
            'threshold', not_eligible.desil_threshold,
            'monthly_contribution_idr', not_eligible.benefit_idr_per_month,
            'quarantined_register_row', not_eligible.quarantined_row
        ) as evidence_json,
        not_eligible.link_probability as match_probability,
        coalesce(not_eligible.link_probability, 1.0) as confidence
    from not_eligible
    cross join params
)

select * from final
