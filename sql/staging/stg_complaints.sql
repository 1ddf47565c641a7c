-- Complaints and proposals (Rumah Curhat, Cek Bansos usul/sanggah, SP4N-LAPOR!).
with

person as (
    select * from stg_person('__stg_raw_complaints', 'complaints')
),

source as (
    select * from __stg_raw_complaints
),

dates as (
    select * from __stg_dates
),

final as (
    select
        person.* exclude (raw_rowid),
        coalesce(stg_clean(source.complaint_id), person.record_id) as complaint_id,
        dates.parsed_date as complaint_date,
        case
            when regexp_matches(stg_upper(source.channel), 'CURHAT') then 'Rumah Curhat'
            when regexp_matches(stg_upper(source.channel), 'CEK ?BANSOS') then 'Cek Bansos'
            when regexp_matches(stg_upper(source.channel), 'LAPOR') then 'SP4N-LAPOR!'
            else stg_clean(source.channel)
        end as channel,
        case
            when regexp_matches(stg_upper(source.complaint_type), '^USUL') then 'usulan'
            when regexp_matches(stg_upper(source.complaint_type), '^SANGG') then 'sanggahan'
            when regexp_matches(
                stg_upper(source.complaint_type), '^(PENGADUAN|ADUAN|KELUHAN|LAPORAN)'
            ) then 'pengaduan'
        end as complaint_type,
        stg_programme(source.programme_requested) as programme_requested,
        stg_clean(source.reason) as reason,
        stg_upper(source.complaint_status) as complaint_status
    from person
    inner join source
        on source.raw_rowid = person.raw_rowid
    left join dates
        on dates.date_raw = coalesce(source.complaint_date, '')
)

select * from final
