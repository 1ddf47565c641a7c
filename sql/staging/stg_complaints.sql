-- Complaints and proposals (Rumah Curhat, Cek Bansos usul/sanggah, SP4N-LAPOR!).
with

person as (
    select * from stg_person('__stg_raw_complaints', 'complaints')
),

dates as (
    select * from __stg_dates
),

final as (
    select
        person.* exclude (raw),
        coalesce(stg_clean(person.raw.complaint_id), person.record_id) as complaint_id,
        dates.parsed_date as complaint_date,
        case
            when regexp_matches(stg_upper(person.raw.channel), 'CURHAT') then 'Rumah Curhat'
            when regexp_matches(stg_upper(person.raw.channel), 'CEK ?BANSOS') then 'Cek Bansos'
            when regexp_matches(stg_upper(person.raw.channel), 'LAPOR') then 'SP4N-LAPOR!'
            else stg_clean(person.raw.channel)
        end as channel,
        case
            when regexp_matches(stg_upper(person.raw.complaint_type), '^USUL') then 'usulan'
            when regexp_matches(stg_upper(person.raw.complaint_type), '^SANGG') then 'sanggahan'
            when regexp_matches(
                stg_upper(person.raw.complaint_type), '^(PENGADUAN|ADUAN|KELUHAN|LAPORAN)'
            ) then 'pengaduan'
        end as complaint_type,
        stg_programme(person.raw.programme_requested) as programme_requested,
        stg_clean(person.raw.reason) as reason,
        stg_upper(person.raw.complaint_status) as complaint_status
    from person
    left join dates
        on dates.date_raw = coalesce(person.raw.complaint_date, '')
)

select * from final
