-- Rule 9 MULTI_KPM_PER_KK (FLAG): in one family-level roster (PKH, BPNT) and
-- period, rows with different pengurus share one valid No KK, or one pengurus
-- NIK is KPM on more than one valid No KK. One valid NIK repeated on one KK is
-- rule 6, not this rule; a row whose NIK is not usable counts as a different
-- pengurus. A valid No KK is a join key without any rule 5 problem.
with

recipients as (
    select * from __rules_recipients
),

no_kk_checks as (
    select * from __rules_no_kk_checks
),

params as (
    select * from __rules_params
),

kpm_rows as (
    select
        recipients.*,
        case
            when coalesce(len(no_kk_checks.problems), 0) = 0 then recipients.no_kk_key
        end as kk
    from recipients
    left join no_kk_checks on recipients.record_id = no_kk_checks.record_id
    where recipients.programme in ('PKH', 'BPNT')
),

counted as (
    select
        *,
        count(distinct coalesce(nik_key, record_id)) over (partition by programme, kk)
            as niks_on_kk,
        count(distinct kk) over (partition by programme, nik_key) as kks_of_nik
    from kpm_rows
),

multiple as (
    select *
    from counted
    where (kk is not null and niks_on_kk > 1)
        or (nik_key is not null and kks_of_nik > 1)
),

final as (
    select
        'MULTI_KPM_PER_KK' as rule_code,
        'FLAG' as severity,
        multiple.programme,
        params.period_label as period,
        multiple.record_id,
        -- Without a KPM id, fct_findings distinguishes rows by their identity fingerprint.
        multiple.kpm_id as detail_key,
        case
            when kk is not null and niks_on_kk > 1 then printf(
                '%d %s KPM with different pengurus share No KK %s', niks_on_kk,
                multiple.programme, kk
            )
            else printf(
                'The pengurus NIK is KPM of %s on %d different No KK', multiple.programme,
                kks_of_nik
            )
        end as evidence,
        case
            when kk is not null and niks_on_kk > 1 then printf(
                '%d KPM %s dengan pengurus berbeda memakai satu No KK %s', niks_on_kk,
                multiple.programme, kk
            )
            else printf(
                'NIK pengurus ini tercatat sebagai KPM %s pada %d No KK berbeda',
                multiple.programme, kks_of_nik
            )
        end as evidence_id,
        json_object(
            'no_kk', kk,
            'pengurus_niks_on_kk', niks_on_kk,
            'kk_of_pengurus', kks_of_nik
        ) as evidence_json,
        null::double as match_probability,
        1.0 as confidence
    from multiple
    cross join params
)

select * from final
