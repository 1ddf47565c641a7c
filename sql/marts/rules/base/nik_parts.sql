-- NIK and No KK of every in-period record split into their parts, for rules 1 to 5.
-- A record is in period unless it is a PKH or BPNT row of another tahap.
with

records as (
    select * from __rules_records
),

params as (
    select * from __rules_params
),

wilayah as (
    select * from __rules_wilayah
),

province_codes as (
    select unnest([
        '11', '12', '13', '14', '15', '16', '17', '18', '19', '21', '31', '32', '33', '34',
        '35', '36', '51', '52', '53', '61', '62', '63', '64', '65', '71', '72', '73', '74',
        '75', '76', '81', '82', '91', '92', '93', '94', '95', '96'
    ]) as province_code
),

kabupaten_codes as (
    select distinct left(kecamatan_code, 4) as kabupaten_code from wilayah
),

kecamatan_codes as (
    select distinct kecamatan_code from wilayah
),

in_period as (
    select *
    from records
    where is_in_period
),

split as (
    select
        in_period.*,
        regexp_full_match(nik_digits, '[0-9]{16}')
        and not __rules_is_placeholder(nik_digits) as is_nik_16_digits,
        regexp_full_match(no_kk_digits, '[0-9]{16}')
        and not __rules_is_placeholder(no_kk_digits) as is_no_kk_16_digits
    from in_period
),

final as (
    select
        split.*,
        left(nik_digits, 2) in (select province_code from province_codes)
            as is_nik_province_valid,
        left(nik_digits, 4) in (select kabupaten_code from kabupaten_codes)
            as is_nik_in_region,
        left(nik_digits, 6) in (select kecamatan_code from kecamatan_codes)
            as is_nik_kecamatan_known,
        try_cast(substr(nik_digits, 7, 2) as integer) as nik_day,
        try_cast(substr(nik_digits, 9, 2) as integer) as nik_month,
        substr(nik_digits, 11, 2) as nik_yy,
        substr(nik_digits, 13, 4) as nik_serial,
        left(no_kk_digits, 2) in (select province_code from province_codes)
            as is_no_kk_province_valid,
        left(no_kk_digits, 4) in (select kabupaten_code from kabupaten_codes)
            as is_no_kk_in_region,
        left(no_kk_digits, 6) in (select kecamatan_code from kecamatan_codes)
            as is_no_kk_kecamatan_known,
        __rules_embedded_date(
            substr(no_kk_digits, 7, 6), year(params.period_end_date) % 100
        ) as no_kk_date
    from split
    cross join params
)

select * from final
