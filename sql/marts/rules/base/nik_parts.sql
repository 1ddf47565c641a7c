-- NIK and No KK of every record split into their parts, with the structure
-- problems of the NIK, for rules 1 to 5. Every row of every file is checked,
-- whatever its tahap or status.
with

records as (
    select * from __rules_records
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

-- Only the record columns that rules 1 to 5 and __rules_no_kk_checks read:
-- `records.*` copied every column of 1.7 million rows at batang size (about
-- 1 GB), which pushed the temporary tables past DuckDB's memory limit.
split as (
    select
        records.record_id,
        records.kind,
        records.programme,
        records.source_file,
        records.nik_raw,
        records.nik_status,
        records.nik_cell_type,
        records.nik_digits,
        records.is_nik_excel_damaged,
        records.no_kk_raw,
        records.no_kk_digits,
        records.is_no_kk_excel_damaged,
        records.sex,
        records.birth_date,
        records.is_birth_date_default,
        records.is_birth_date_ambiguous,
        regexp_full_match(nik_digits, '[0-9]{16}')
        and not __rules_is_placeholder(nik_digits) as is_nik_16_digits,
        regexp_full_match(no_kk_digits, '[0-9]{16}')
        and not __rules_is_placeholder(no_kk_digits) as is_no_kk_16_digits,
        try_cast(substr(nik_digits, 7, 2) as integer) as nik_day,
        try_cast(substr(nik_digits, 9, 2) as integer) as nik_month,
        substr(nik_digits, 11, 2) as nik_yy,
        substr(nik_digits, 13, 4) as nik_serial,
        left(nik_digits, 2) in (select province_code from province_codes)
            as is_nik_province_valid,
        left(nik_digits, 4) in (select kabupaten_code from kabupaten_codes)
            as is_nik_in_region,
        left(nik_digits, 6) in (select kecamatan_code from kecamatan_codes)
            as is_nik_kecamatan_known,
        left(no_kk_digits, 2) in (select province_code from province_codes)
            as is_no_kk_province_valid,
        left(no_kk_digits, 6) in (select kecamatan_code from kecamatan_codes)
            as is_no_kk_kecamatan_known,
        -- No KK numbers date from the 1970s on, so years 70-99 are 19YY and
        -- 00-69 are 20YY.
        __rules_embedded_date(substr(no_kk_digits, 7, 6), 69) as no_kk_date
    from records
),

final as (
    select
        split.*,
        -- Each problem in English and Indonesian, so both sentences rest on one condition.
        -- The list is built only for NIKs with a problem, which saved 0.4 of 2.8 CPU seconds
        -- at batang size. The guard tests the same conditions as the list. Its day limits
        -- per month allow 29 February, as the list's calendar test of the year 2000 does.
        case when is_nik_16_digits and not is_nik_excel_damaged and (
            not is_nik_province_valid
            or substr(nik_digits, 3, 2) = '00'
            or not (nik_day between 1 and 31 or nik_day between 41 and 71)
            or not nik_month between 1 and 12
            or nik_day % 40 > [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][nik_month]
            or nik_serial = '0000'
            or (is_nik_in_region and not is_nik_kecamatan_known)
        ) then list_filter([
            case when not is_nik_province_valid then {
                'en': printf('province code %s does not exist', left(nik_digits, 2)),
                'id': printf('kode provinsi %s tidak ada', left(nik_digits, 2))
            } end,
            case when substr(nik_digits, 3, 2) = '00' then {
                'en': 'kabupaten code 00 does not exist',
                'id': 'kode kabupaten 00 tidak ada'
            } end,
            case when not (nik_day between 1 and 31 or nik_day between 41 and 71) then {
                'en': printf('day %02d is outside 01-31 and 41-71', nik_day),
                'id': printf('tanggal %02d di luar 01-31 dan 41-71', nik_day)
            } end,
            case when not nik_month between 1 and 12 then {
                'en': printf('month %02d is outside 01-12', nik_month),
                'id': printf('bulan %02d di luar 01-12', nik_month)
            } end,
            case
                when (nik_day between 1 and 31 or nik_day between 41 and 71)
                    and nik_month between 1 and 12
                    and try_cast(
                        printf('2000-%02d-%02d', nik_month, nik_day % 40) as date
                    ) is null
                    then {
                        'en': printf('%02d-%02d is not a calendar date', nik_day % 40, nik_month),
                        'id': printf(
                            '%02d-%02d bukan tanggal yang ada di kalender', nik_day % 40, nik_month
                        )
                    }
            end,
            case when nik_serial = '0000' then {
                'en': 'serial 0000 is never issued',
                'id': 'nomor urut 0000 tidak pernah diterbitkan'
            } end,
            case
                when is_nik_in_region and not is_nik_kecamatan_known
                    and not cast(substr(nik_digits, 5, 2) as integer) between 1 and 55
                    then {
                        'en': printf('kecamatan code %s does not exist', left(nik_digits, 6)),
                        'id': printf('kode kecamatan %s tidak ada', left(nik_digits, 6))
                    }
            end
        ], lambda problem: problem is not null) else [] end as nik_structure_error_texts,
        list_transform(nik_structure_error_texts, lambda problem: problem.en)
            as nik_structure_errors,
        list_transform(nik_structure_error_texts, lambda problem: problem.id)
            as nik_structure_errors_id,
        case
            when not is_nik_16_digits or is_nik_excel_damaged then null
            when is_nik_in_region and not is_nik_kecamatan_known
                and cast(substr(nik_digits, 5, 2) as integer) between 1 and 55
                then {
                    'en': printf(
                        'kecamatan code %s is not in the region table (a historic code?)',
                        left(nik_digits, 6)
                    ),
                    'id': printf(
                        'kode kecamatan %s tidak ada di tabel wilayah (kode lama?)',
                        left(nik_digits, 6)
                    )
                }
            when is_nik_province_valid and not is_nik_in_region
                and substr(nik_digits, 3, 2) <> '00'
                then {
                    'en': printf(
                        'region %s is outside the audited kabupaten; check it against the '
                        || 'national Kemendagri table',
                        left(nik_digits, 6)
                    ),
                    'id': printf(
                        'wilayah %s di luar kabupaten yang diaudit; periksa dengan tabel '
                        || 'Kemendagri nasional',
                        left(nik_digits, 6)
                    )
                }
        end as nik_structure_warning_text,
        struct_extract(nik_structure_warning_text, 'en') as nik_structure_warning,
        struct_extract(nik_structure_warning_text, 'id') as nik_structure_warning_id
    from split
)

select * from final
