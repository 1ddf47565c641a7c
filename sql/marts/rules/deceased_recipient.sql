-- Rule 13 DECEASED_RECIPIENT (FLAG): a recipient of the period (PKH or BPNT
-- pengurus, PBI member) is linked to a death-register row with a death date
-- before the period start, or the roster name carries Alm./Almh. A death row
-- without a readable date gives a finding at half the confidence, for the field
-- officer to check the date. For PKH and BPNT no finding is made when the same
-- KK has another, living pengurus on the roster for the period (the pengurus was
-- replaced).
with

recipients as (
    select * from __rules_recipients
),

deaths as (
    select * from __rules_deaths
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

dead as (
    select
        recipients.*,
        deaths.death_date,
        deaths.death_record_id,
        deaths.death_source_file,
        deaths.death_source_row,
        -- Only a death row without a readable date names the recipient dead, so the finding
        -- asks for the date to be checked.
        deaths.death_record_id is not null and deaths.death_date is null
            and not coalesce(recipients.has_deceased_marker, false) as is_undated_death_only,
        -- The link probability as __rules_link_probability defines it, as joins.
        case
            when deaths.death_record_id is not null then coalesce(
                pair_probability.match_probability,
                case when recipients.nik_key = deaths.death_nik then 1.0 end,
                least(roster_best.best_probability, death_best.best_probability)
            )
        end as link_probability
    from recipients
    cross join params
    left join deaths on recipients.person_id = deaths.person_id
    left join pair_probability
        on recipients.record_id = pair_probability.record_id_a
        and deaths.death_record_id = pair_probability.record_id_b
    left join best_probability as roster_best
        on recipients.record_id = roster_best.record_id
    left join best_probability as death_best
        on deaths.death_record_id = death_best.record_id
    where deaths.death_date < params.period_start_date
        or (deaths.death_record_id is not null and deaths.death_date is null)
        or coalesce(recipients.has_deceased_marker, false)
),

living_pengurus as (
    select recipients.programme, recipients.recipient_family_id, recipients.no_kk_key,
        recipients.person_id
    from recipients
    cross join params
    left join deaths on recipients.person_id = deaths.person_id
    where recipients.programme in ('PKH', 'BPNT')
        and not coalesce(recipients.has_deceased_marker, false)
        and not coalesce(deaths.death_date < params.period_start_date, false)
        -- A death row without a readable date makes no living replacement either.
        and not (deaths.death_record_id is not null and deaths.death_date is null)
),

not_replaced as (
    select dead.*
    from dead
    where dead.programme = 'PBI'
        or not exists (
            select 1
            from living_pengurus
            where living_pengurus.programme = dead.programme
                and living_pengurus.person_id <> dead.person_id
                and (
                    living_pengurus.recipient_family_id = dead.recipient_family_id
                    or living_pengurus.no_kk_key = dead.no_kk_key
                )
        )
),

final as (
    select
        'DECEASED_RECIPIENT' as rule_code,
        'FLAG' as severity,
        not_replaced.programme,
        params.period_label as period,
        not_replaced.record_id,
        null as detail_key,
        case
            when not_replaced.death_date is not null then printf(
                'Recorded dead on %s (%s row %s), before the period start %s',
                strftime(not_replaced.death_date, '%d-%m-%Y'),
                coalesce(not_replaced.death_source_file, '-'),
                cast(not_replaced.death_source_row as varchar),
                strftime(params.period_start_date, '%d-%m-%Y')
            )
            when not_replaced.is_undated_death_only then printf(
                'Listed in the death register (%s row %s) without a readable death date: '
                'check the date against the period start %s',
                coalesce(not_replaced.death_source_file, '-'),
                cast(not_replaced.death_source_row as varchar),
                strftime(params.period_start_date, '%d-%m-%Y')
            )
            else printf(
                'The roster name "%s" carries Alm./Almh. (deceased)',
                coalesce(not_replaced.name_raw, '-')
            )
        end as evidence,
        case
            when not_replaced.death_date is not null then printf(
                'Tercatat meninggal pada %s (%s baris %s), sebelum awal periode %s',
                strftime(not_replaced.death_date, '%d-%m-%Y'),
                coalesce(not_replaced.death_source_file, '-'),
                cast(not_replaced.death_source_row as varchar),
                strftime(params.period_start_date, '%d-%m-%Y')
            )
            when not_replaced.is_undated_death_only then printf(
                'Tercatat di daftar kematian (%s baris %s) tanpa tanggal meninggal yang '
                'terbaca: cocokkan tanggalnya dengan awal periode %s',
                coalesce(not_replaced.death_source_file, '-'),
                cast(not_replaced.death_source_row as varchar),
                strftime(params.period_start_date, '%d-%m-%Y')
            )
            else printf(
                'Nama di daftar penerima "%s" memakai Alm./Almh. (sudah meninggal)',
                coalesce(not_replaced.name_raw, '-')
            )
        end as evidence_id,
        json_object(
            'death_date', not_replaced.death_date,
            'death_record_id', not_replaced.death_record_id,
            'has_deceased_marker', not_replaced.has_deceased_marker
        ) as evidence_json,
        not_replaced.link_probability as match_probability,
        coalesce(not_replaced.link_probability, 1.0)
            * case when not_replaced.is_undated_death_only then 0.5 else 1.0 end as confidence
    from not_replaced
    cross join params
)

select * from final
