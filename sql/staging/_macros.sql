-- Macros shared by the staging models. `build_staging` runs this file before the models, after
-- it has created ref_wilayah and the lookup tables __stg_names, __stg_dates, __stg_wilayah and
-- __stg_params, and one view __stg_raw_<kind> per kind.

-- Text: drop zero-width characters, turn NBSP and whitespace runs into one space, trim. Most
-- cells need none of this, and one test finds the others.
create or replace macro stg_clean(v) as
    case
        when regexp_matches(
            v, '\s\s|^\s|\s$|[\t\n\r\x{00A0}\x{200B}-\x{200D}\x{2060}\x{FEFF}]'
        ) then nullif(
            trim(
                regexp_replace(
                    regexp_replace(v, '[\x{200B}-\x{200D}\x{2060}\x{FEFF}]', '', 'g'),
                    '[\s\x{00A0}]+',
                    ' ',
                    'g'
                )
            ),
            ''
        )
        else nullif(v, '')
    end;

create or replace macro stg_upper(v) as upper(stg_clean(v));

-- NIK / No KK ---------------------------------------------------------------------------------

-- Identifier cell as stg_clean, skipping the work for cells of 16 plain digits.
create or replace macro stg_id_clean(v) as
    case when regexp_full_match(v, '[0-9]{16}') then v else stg_clean(v) end;

-- Identifier without separators (space, dot, dash, slash) and quotes or apostrophes, with
-- full-width digits (U+FF10 to U+FF19, from some phone keyboards and PDF copies) as digits.
create or replace macro stg_id_compact(clean) as
    case
        when regexp_full_match(clean, '[0-9]{16}') then clean
        else translate(
            regexp_replace(clean, '[\s''"`\x{2018}\x{2019}.\-/]', '', 'g'),
            '０１２３４５６７８９',
            '0123456789'
        )
    end;

-- Kemendagri province codes (38 provinces, Papua split included).
create or replace macro stg_is_province_code(p) as
    p in (
        '11', '12', '13', '14', '15', '16', '17', '18', '19', '21', '31', '32', '33',
        '34', '35', '36', '51', '52', '53', '61', '62', '63', '64', '65', '71', '72',
        '73', '74', '75', '76', '81', '82', '91', '92', '93', '94', '95', '96'
    );

-- DDMM of a NIK (women have 40 added to the day) or a No KK; 29 Feb is allowed for any year.
create or replace macro stg_is_ddmm(dd, mm, allow_female) as
    coalesce(
        try_cast(mm as integer) between 1 and 12
        and (
            case
                when allow_female and try_cast(dd as integer) between 41 and 71
                    then try_cast(dd as integer) - 40
                else try_cast(dd as integer)
            end
        ) between 1 and case try_cast(mm as integer)
            when 2 then 29
            when 4 then 30
            when 6 then 30
            when 9 then 30
            when 11 then 30
            else 31
        end,
        false
    );

-- 16 digits: province code, kecamatan prefix, a calendar DDMM and a serial other than 0000.
-- The kecamatan prefix is checked only inside the kabupaten of the region table, with the
-- macros stg_is_reference_kabupaten and stg_is_reference_kecamatan that build_staging
-- generates from ref_wilayah.
create or replace macro stg_id_structure_ok(d, is_nik) as
    stg_is_province_code(substr(d, 1, 2))
    and (
        not stg_is_reference_kabupaten(substr(d, 1, 4))
        or stg_is_reference_kecamatan(substr(d, 1, 6))
    )
    and stg_is_ddmm(substr(d, 7, 2), substr(d, 9, 2), is_nik)
    and substr(d, 13, 4) <> '0000';

-- valid, empty, placeholder, malformed, excel_damaged or structure_invalid, from the cleaned
-- cell text (stg_clean), its compact form (stg_id_compact) and the reader's cell type.
create or replace macro stg_id_status(clean, compact, cell_type, is_nik) as
    case
        when clean is null then 'empty'
        when cell_type = 'number' then 'excel_damaged'
        when regexp_full_match(clean, '[0-9]{16}')
            and compact <> repeat(left(compact, 1), 16)
            and compact not in ('1234567890123456', '0123456789012345')
            then case
                when stg_id_structure_ok(compact, is_nik) then 'valid'
                else 'structure_invalid'
            end
        when regexp_matches(clean, '^[0-9]+([.,][0-9]+)?\s*[eE]\s*[+]?\s*[0-9]+$')
            then 'excel_damaged'
        when regexp_matches(clean, '^[0-9]{12,17}[.,]0+$') then 'excel_damaged'
        when not regexp_matches(compact, '[0-9]') then 'placeholder'
        when regexp_matches(compact, '^0+$') then 'placeholder'
        when length(compact) = 16 and compact = repeat(left(compact, 1), 16) then 'placeholder'
        when compact in ('1234567890123456', '0123456789012345') then 'placeholder'
        when not regexp_matches(compact, '^[0-9]{16}$') then 'malformed'
        when not stg_id_structure_ok(compact, is_nik) then 'structure_invalid'
        else 'valid'
    end;

-- The 16 digits when they can be joined on (valid or structure_invalid), else NULL.
create or replace macro stg_id_value(status, compact) as
    case when status in ('valid', 'structure_invalid') then compact end;

-- Coded values --------------------------------------------------------------------------------

create or replace macro stg_sex_word(w) as
    case
        when w in ('L', 'LK', 'LAKI-LAKI', 'LAKI LAKI', 'LAKILAKI', 'LAKI', 'PRIA', '1', 'M', 'MALE')
            then 'L'
        when w in ('P', 'PR', 'PEREMPUAN', 'WANITA', 'W', '2', 'F', 'FEMALE') then 'P'
    end;

-- Sex as L or P. The plain comparison handles the usual spellings; punctuation (`L.`) and
-- odd spacing take the slower second attempt.
create or replace macro stg_sex(v) as
    coalesce(
        stg_sex_word(upper(v)),
        stg_sex_word(regexp_replace(stg_upper(v), '[^A-Z0-9 -]', '', 'g'))
    );

-- Programme and yes/no flags: blank means no. Negative words win; any other text (YA, Y, 1, v,
-- a check mark, `PKH 2024`) means yes.
create or replace macro stg_flag(v) as
    case
        when stg_clean(v) is null then false
        when stg_upper(v) in ('T', 'N', 'NO', '0', 'FALSE', '-', 'X') then false
        when regexp_matches(stg_upper(v), '^(TIDAK|TDK|BUKAN|BELUM|PUTUS)\b|^NON') then false
        else true
    end;

-- Like stg_flag, but blank means unknown (NULL).
create or replace macro stg_yes_no(v) as
    case when stg_clean(v) is not null then stg_flag(v) end;

-- Status words: blank is NULL, inactive words are false, anything else (AKTIF) is true.
create or replace macro stg_active(v) as
    case
        when stg_clean(v) is null then null
        when regexp_matches(
            stg_upper(v),
            '^(NON|TIDAK|TDK|DINONAKTIF|MENINGGAL|PINDAH|DIHAPUS|HAPUS|GRADUASI|KELUAR|GAGAL|'
            || 'BLOKIR|DIBLOKIR|MATI|WAFAT|SUSPEND|BERHENTI|CABUT)'
        ) then false
        else true
    end;

-- `1`, `Desil 1`, `D1`, `DESIL 1 (SANGAT MISKIN)` -> 1; `0`, `11`, `Belum ada desil` -> NULL.
create or replace macro stg_desil(v) as
    case
        when try_cast(
            regexp_extract(stg_upper(v), '^(?:DESIL|D)?\s*[-:]?\s*([0-9]{1,2})(?:[^0-9].*)?$', 1)
            as integer
        ) between 1 and 10
            then try_cast(
                regexp_extract(
                    stg_upper(v), '^(?:DESIL|D)?\s*[-:]?\s*([0-9]{1,2})(?:[^0-9].*)?$', 1
                ) as integer
            )
    end;

-- Relationship to the family head (SHDK). Numeric codes follow the Dukcapil KK order:
-- 1 kepala keluarga, 2 suami, 3 istri, 4 anak, 5 menantu, 6 cucu, 7 orang tua, 8 mertua,
-- 9 famili lain, 10 pembantu, 11 lainnya.
create or replace macro stg_relationship(v, sex) as
    case
        when stg_clean(v) is null then null
        when regexp_matches(stg_upper(v), '^(1|01|KK|KRT|KEPALA( KELUARGA| RUMAH TANGGA| KK)?)$')
            then 'KEPALA KELUARGA'
        when regexp_matches(stg_upper(v), '^(SUAMI ?/ ?ISTRI|ISTRI ?/ ?SUAMI|PASANGAN)$')
            then case when sex = 'L' then 'SUAMI' when sex = 'P' then 'ISTRI' end
        when regexp_matches(stg_upper(v), '^(2|02|SUAMI)$') then 'SUAMI'
        when regexp_matches(stg_upper(v), '^(3|03|ISTRI|ISTERI)$') then 'ISTRI'
        when regexp_matches(stg_upper(v), '^(4|04|ANAK.*)$') then 'ANAK'
        when regexp_matches(stg_upper(v), '^(6|06|CUCU.*)$') then 'CUCU'
        when regexp_matches(stg_upper(v), '^(7|07|ORANG ?TUA|AYAH|IBU|BAPAK)$') then 'ORANG TUA'
        when regexp_matches(stg_upper(v), '^(8|08|MERTUA)$') then 'MERTUA'
        when regexp_matches(stg_upper(v), '^(5|05|9|09|MENANTU|FAMILI.*|KELUARGA LAIN)$')
            then 'FAMILI LAIN'
        else 'LAINNYA'
    end;

-- Rupiah amounts: `Rp 600.000`, `600.000,00`, `600,000`, `600000`, `Rp600rb`, `1,5 jt`.
create or replace macro stg_amount_base(v) as
    regexp_replace(stg_upper(v), '\s|RP\.?|IDR', '', 'g');

create or replace macro stg_amount_multiplier(b) as
    case
        when regexp_matches(b, '(RB|RIBU|K)$') then 1000
        when regexp_matches(b, '(JT|JUTA)$') then 1000000
        else 1
    end;

create or replace macro stg_amount_number(n) as
    try_cast(
        case
            when regexp_matches(n, '^[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?$')
                then replace(replace(n, '.', ''), ',', '.')
            when regexp_matches(n, '^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$') then replace(n, ',', '')
            when regexp_matches(n, '^[0-9]+,[0-9]+$') then replace(n, ',', '.')
            when regexp_matches(n, '^[0-9]+(\.[0-9]+)?$') then n
        end as decimal(18, 2)
    );

create or replace macro stg_amount_idr(v) as
    cast(
        round(
            stg_amount_number(regexp_replace(stg_amount_base(v), '(RB|RIBU|K|JT|JUTA)$', ''))
            * stg_amount_multiplier(stg_amount_base(v))
        ) as bigint
    );

-- RT/RW as 3-digit text from an RT or RW cell (`3`, `003`, `RT 03`).
create or replace macro stg_rt_part(v) as
    lpad(
        cast(try_cast(regexp_extract(v, '([0-9]{1,3})', 1) as integer) as varchar),
        3,
        '0'
    );

-- RT or RW (`part` = 'RT' or 'RW') from combined text: `003/005`, `RT 03 RW 05`, `Rt.3/Rw.5`.
create or replace macro stg_rt_rw_from_text(v, part) as
    coalesce(
        nullif(
            regexp_extract(stg_upper(v), part || '\.?\s*:?\s*0*([0-9]{1,3})', 1),
            ''
        ),
        nullif(
            regexp_extract(
                stg_upper(v),
                '^0*([0-9]{1,3})\s*[/\-]\s*0*([0-9]{1,3})$',
                case when part = 'RT' then 1 else 2 end
            ),
            ''
        )
    );

create or replace macro stg_rt_rw(cell, combined, address, part) as
    coalesce(
        stg_rt_part(cell),
        stg_rt_part(stg_rt_rw_from_text(combined, part)),
        stg_rt_part(
            nullif(
                regexp_extract(
                    stg_upper(address), part || '\.?\s*:?\s*0*([0-9]{1,3})', 1
                ),
                ''
            )
        ),
        -- `RT 05/01` inside an address: the RW follows the RT after a slash.
        stg_rt_part(
            nullif(
                regexp_extract(
                    stg_upper(address),
                    'RT\.?\s*:?\s*0*([0-9]{1,3})\s*/\s*(?:RW\.?\s*:?\s*)?0*([0-9]{1,3})',
                    case when part = 'RT' then 1 else 2 end
                ),
                ''
            )
        )
    );

-- Kecamatan text, falling back to a sheet named like `Kec. Wonotunggal`.
create or replace macro stg_kecamatan_text(kecamatan, sheet) as
    coalesce(
        stg_clean(kecamatan),
        case
            when regexp_matches(sheet, '^\s*kec(amatan)?\b', 'i')
                then stg_clean(regexp_replace(sheet, '^\s*kec(amatan)?\.?\s*', '', 'i'))
        end
    );

-- Default birth dates written when the true date is unknown: 1 Jan, 1 Jul, 31 Dec, day 15.
create or replace macro stg_is_default_date(d) as
    case
        when d is not null
            then (month(d) = 1 and day(d) = 1)
            or (month(d) = 7 and day(d) = 1)
            or (month(d) = 12 and day(d) = 31)
            or day(d) = 15
    end;

-- Common person columns of every staging table, plus `raw`: the raw row as a struct, from which
-- a model takes its kind-specific columns without joining the raw table again. `raw_view` is
-- a view `__stg_raw_<kind>` that build_staging creates as the raw table with its rowid as
-- `raw_rowid`.
create or replace macro stg_person(raw_view, kind) as table
    with

    source as (
        select * from query_table(raw_view)
    ),

    params as (
        select * from __stg_params
    ),

    -- Identifiers are normalised in a separate materialised step and joined back: DuckDB
    -- inlines macro arguments, so without it every use of nik_compact in stg_id_status would
    -- repeat the regular expressions.
    id_text as materialized (
        select
            raw_rowid,
            stg_id_clean(nik) as nik_clean,
            stg_id_compact(stg_id_clean(nik)) as nik_compact,
            nik_cell_type,
            stg_id_clean(no_kk) as no_kk_clean,
            stg_id_compact(stg_id_clean(no_kk)) as no_kk_compact,
            no_kk_cell_type
        from query_table(raw_view)
    ),

    id_status as (
        select
            raw_rowid,
            nik_compact,
            stg_id_status(nik_clean, nik_compact, nik_cell_type, true) as nik_status,
            no_kk_compact,
            stg_id_status(no_kk_clean, no_kk_compact, no_kk_cell_type, false) as no_kk_status
        from id_text
    ),

    joined as (
        select
            source.*,
            source as raw,
            id_status.* exclude (raw_rowid),
            names.name_clean,
            names.name_titles,
            names.name_patronym,
            names.has_deceased_marker,
            dates.parsed_date as birth_date_parsed,
            dates.is_ambiguous as birth_date_ambiguous,
            wilayah.kecamatan_code as kecamatan_code_resolved,
            wilayah.desa_code as desa_code_resolved,
            wilayah.wilayah_status
        from source
        inner join id_status
            on id_status.raw_rowid = source.raw_rowid
        left join __stg_names as names
            on names.name_raw = coalesce(source.name, '')
        left join __stg_dates as dates
            on dates.date_raw = coalesce(source.birth_date, '')
        left join __stg_wilayah as wilayah
            on wilayah.wilayah_code = coalesce(source.wilayah_code, '')
            and wilayah.kecamatan_code_raw = coalesce(source.kecamatan_code, '')
            and wilayah.desa = coalesce(source.desa, '')
            and wilayah.kecamatan = coalesce(source.kecamatan, '')
            and wilayah.source_sheet = source.source_sheet
    ),

    filtered as (
        select joined.*
        from joined, params
        where
            params.region_code is null
            or coalesce(desa_code_resolved, kecamatan_code_resolved)
            like params.region_code || '%'
            or (
                coalesce(desa_code_resolved, kecamatan_code_resolved) is null
                and params.reference_prefix like params.region_code || '%'
            )
    ),

    final as (
        select
            raw,
            record_id,
            kind as source_kind,
            source_file,
            source_sheet,
            source_row,
            nik as nik_raw,
            stg_id_value(nik_status, nik_compact) as nik,
            nik_status,
            no_kk as no_kk_raw,
            stg_id_value(no_kk_status, no_kk_compact) as no_kk,
            no_kk_status,
            name as name_raw,
            name_clean as name,
            name_titles,
            name_patronym,
            coalesce(has_deceased_marker, false) as has_deceased_marker,
            birth_date as birth_date_raw,
            birth_date_parsed as birth_date,
            stg_is_default_date(birth_date_parsed) as is_birth_date_default,
            coalesce(birth_date_ambiguous, false) as is_birth_date_ambiguous,
            stg_sex(sex) as sex,
            kecamatan_code_resolved as kecamatan_code,
            desa_code_resolved as desa_code,
            coalesce(wilayah_status, 'unknown') as wilayah_status,
            stg_clean(address) as address,
            stg_rt_rw(rt, rt_rw, address, 'RT') as rt,
            stg_rt_rw(rw, rt_rw, address, 'RW') as rw,
            stg_clean(dusun) as dusun
        from filtered
    )

    select * from final;

-- Roster period `2026-T4` from a TAHAP cell (`4`, `Tahap 4`, `TAHAP 4 TAHUN 2026`). The year
-- comes from the TAHAP or PERIODE cell, else from a 4-digit year in the file name.
-- A tahap number with or without a leading zero ("TAHAP 04" is tahap 4).
create or replace macro stg_tahap_number(tahap) as
    nullif(
        regexp_extract(stg_upper(tahap), '(?:^|[^0-9])0?([1-9]|1[0-2])(?:[^0-9]|$)', 1),
        ''
    );

-- A period label as the rules file writes it: 2026-T4, never 2026-T04.
create or replace macro stg_period(tahap, period, source_file) as
    case
        when regexp_matches(stg_upper(coalesce(tahap, period)), '^20[0-9]{2}-T[0-9]{1,2}$')
            then regexp_replace(stg_upper(coalesce(tahap, period)), '-T0([0-9])$', '-T\1')
        when stg_tahap_number(tahap) is not null
            then coalesce(
                nullif(regexp_extract(concat_ws(' ', tahap, period), '(20[0-9]{2})', 1), '')
                || '-',
                nullif(regexp_extract(source_file, '(20[0-9]{2})', 1), '') || '-',
                ''
            ) || 'T' || stg_tahap_number(tahap)
        else stg_clean(period)
    end;

-- One PKH component word in canonical form, or NULL.
create or replace macro stg_component(x) as
    case
        when regexp_matches(x, 'HAMIL|BUMIL') then 'HAMIL'
        when regexp_matches(x, 'BALITA|USIA DINI|\bAUD\b|APRAS') then 'BALITA'
        when regexp_matches(x, '\bSMP|\bMTS|\bSLTP') then 'SMP'
        when regexp_matches(x, '\bSMA|\bSMK|\bMA\b|\bSLTA') then 'SMA'
        when regexp_matches(x, '\bSD\b|SEKOLAH DASAR|\bMI\b') then 'SD'
        when regexp_matches(x, 'DISABILITAS|DIFABEL|CACAT') then 'DISABILITAS'
        when regexp_matches(x, 'LANSIA|LANJUT USIA') then 'LANSIA'
    end;

-- `SD, LANSIA` -> `SD,LANSIA`, in the fixed order HAMIL, BALITA, SD, SMP, SMA, DISABILITAS,
-- LANSIA. A slash joins synonyms of one component (`SMA/SMK`). Repeats are kept
-- (`BALITA, BALITA` -> `BALITA,BALITA`) because the PKH limits count them per family.
create or replace macro stg_components(v) as
    nullif(
        array_to_string(
            list_transform(
                list_sort(
                    list_filter(
                        list_transform(
                            string_split_regex(
                                coalesce(stg_upper(v), ''), '\s*[,;+&]\s*|\s+DAN\s+'
                            ),
                            lambda x: list_position(
                                ['HAMIL', 'BALITA', 'SD', 'SMP', 'SMA', 'DISABILITAS', 'LANSIA'],
                                stg_component(x)
                            )
                        ),
                        lambda p: p is not null
                    )
                ),
                lambda p: ['HAMIL', 'BALITA', 'SD', 'SMP', 'SMA', 'DISABILITAS', 'LANSIA'][p]
            ),
            ','
        ),
        ''
    );

-- School level SD, SMP, SMA or NULL.
create or replace macro stg_school_level(v) as
    case
        when stg_clean(v) is null then null
        when regexp_matches(stg_upper(v), '\bSMP|\bMTS|\bSLTP|PAKET B') then 'SMP'
        when regexp_matches(stg_upper(v), '\bSMA|\bSMK|\bMA\b|\bSLTA|PAKET C') then 'SMA'
        when regexp_matches(stg_upper(v), '\bSD\b|SEKOLAH DASAR|\bMI\b|PAKET A') then 'SD'
    end;

-- In school: `MASIH SEKOLAH`, `YA`, `1` are true; `TIDAK SEKOLAH LAGI`, `TIDAK/BELUM PERNAH
-- SEKOLAH`, `TAMAT` are false; blank is NULL.
create or replace macro stg_in_school(v) as
    case
        when stg_clean(v) is null then null
        else regexp_matches(stg_upper(v), '^(YA|Y|1|MASIH|SEDANG|AKTIF|SEKOLAH)\b')
    end;

-- BPJS segment: PBI APBN, PBI APBD, PPU, PBPU or BP.
create or replace macro stg_segment(v) as
    case
        when stg_clean(v) is null then null
        when regexp_matches(stg_upper(v), 'APBD|PEMDA|JAMKESDA') then 'PBI APBD'
        when regexp_matches(stg_upper(v), 'APBN|^PBI( JK| JKN)?$') then 'PBI APBN'
        when regexp_matches(stg_upper(v), '^PPU|PEKERJA PENERIMA UPAH') then 'PPU'
        when regexp_matches(stg_upper(v), '^PBPU|BUKAN PENERIMA UPAH|MANDIRI') then 'PBPU'
        when regexp_matches(stg_upper(v), '^BP\b|BUKAN PEKERJA') then 'BP'
    end;

-- Programme names: PKH, BPNT (Sembako), PBI; other text is kept in upper case.
create or replace macro stg_programme(v) as
    case
        when stg_clean(v) is null then null
        when regexp_matches(stg_upper(v), '\bPKH\b') then 'PKH'
        when regexp_matches(stg_upper(v), 'BPNT|SEMBAKO') then 'BPNT'
        when regexp_matches(stg_upper(v), '\bPBI\b|\bKIS\b|\bJKN\b') then 'PBI'
        else stg_upper(v)
    end;

-- BPJS-TK, PLN and Samsat extracts --------------------------------------------------------

-- Month number from an Indonesian or English month name or abbreviation (`OKT`, `Oktober`,
-- `Oct`, `Nop`), or NULL.
create or replace macro stg_month_number(w) as
    case
        when w like 'JAN%' then 1
        when w like 'FEB%' or w like 'PEB%' then 2
        when w like 'MAR%' then 3
        when w like 'APR%' then 4
        when w like 'MEI%' or w like 'MAY%' then 5
        when w like 'JUN%' then 6
        when w like 'JUL%' then 7
        when w like 'AG%' or w like 'AUG%' then 8
        when w like 'SEP%' then 9
        when w like 'OKT%' or w like 'OCT%' then 10
        when w like 'NOP%' or w like 'NOV%' then 11
        when w like 'DES%' or w like 'DEC%' then 12
    end;

-- First day of the month of a wage period: `2026-10`, `202610`, `10/2026`, `10-2026`,
-- `01/10/2026`, `2026-10-01`, `OKT 2026`, `Oktober 2026`. NULL when no year or month is found.
create or replace macro stg_month_date(v) as
    try(make_date(
        try_cast(regexp_extract(stg_upper(v), '((?:19|20)[0-9]{2})', 1) as integer),
        coalesce(
            stg_month_number(regexp_extract(stg_upper(v), '([A-Z]+)', 1)),
            try_cast(nullif(regexp_extract(
                stg_upper(v), '^(?:19|20)[0-9]{2}[-/. ]?([0-9]{1,2})(?:[-/. ][0-9]{1,2})?$', 1
            ), '') as integer),
            try_cast(nullif(regexp_extract(
                stg_upper(v), '^([0-9]{1,2})[-/. ](?:19|20)[0-9]{2}$', 1
            ), '') as integer),
            try_cast(nullif(regexp_extract(
                stg_upper(v), '^[0-9]{1,2}[-/. ]([0-9]{1,2})[-/. ](?:19|20)[0-9]{2}$', 1
            ), '') as integer)
        ),
        1
    ));

-- PLN tariff code from `R1/900`, `R-1M/900 VA`, `R1/TR`, `r1m`: `R1`, `R1M`, `R2`, `B1`...
create or replace macro stg_tariff(v) as
    nullif(
        regexp_extract(
            regexp_replace(stg_upper(v), '[\s\-_.]', '', 'g'), '^([A-Z]{1,2}[0-9]M?)', 1
        ),
        ''
    );

-- Power in VA from `1.300 VA`, `1300`, `900VA`, `2,2 kVA`, `5.500`.
create or replace macro stg_va_number(v) as
    case
        when regexp_matches(stg_upper(v), '[0-9]\s*KVA') then cast(round(
            try_cast(
                replace(regexp_extract(stg_upper(v), '([0-9]+(?:[.,][0-9]+)?)\s*KVA', 1), ',', '.')
                as double
            ) * 1000
        ) as integer)
        else try_cast(
            regexp_replace(regexp_extract(stg_upper(v), '([0-9][0-9.,]*)', 1), '[.,]', '', 'g')
            as integer
        )
    end;

-- Power from the power cell, else from the part after the slash of a tariff cell (`R1/1300`).
create or replace macro stg_power_va(power, tariff) as
    coalesce(
        stg_va_number(power),
        stg_va_number(nullif(
            regexp_extract(stg_upper(tariff), '/\s*([0-9][0-9.,]*(?:\s*K?\s*VA)?)', 1), ''
        ))
    );

-- Wheels from a wheel cell (`4`, `RODA 4`), else from the vehicle type: motorbikes 2, three-
-- wheelers 3, trucks 6, cars, pick-ups, vans and buses 4. NULL for an unknown type.
create or replace macro stg_wheels(wheels, vehicle_type) as
    coalesce(
        try_cast(nullif(regexp_extract(stg_upper(wheels), '([0-9]{1,2})', 1), '') as integer),
        try_cast(nullif(regexp_extract(stg_upper(vehicle_type), '\b(?:RODA|R)\s*([0-9])\b', 1), '')
            as integer),
        case
            when regexp_matches(
                stg_upper(vehicle_type), 'SEPEDA MOTOR|SPD\.?\s*MO?TO?R|^MOTOR|SKUTER|SCOOTER'
            ) then 2
            when regexp_matches(stg_upper(vehicle_type), 'RODA TIGA|BAJAJ|TOSSA|VIAR') then 3
            when regexp_matches(stg_upper(vehicle_type), 'TRUK|TRUCK|DUMP|TANGKI|TRAILER') then 6
            when regexp_matches(
                stg_upper(vehicle_type),
                'MOBIL|SEDAN|MINIBUS|MINI BUS|MICROBUS|MIKROBUS|JEEP|PICK ?UP|\bPU\b|BOX|'
                || '\bBUS\b|CABIN|SUV|MPV|WAGON|VAN\b|ANGKUTAN'
            ) then 4
        end
    );

-- Police number as `G 1234 AB`; other text is kept in upper case.
create or replace macro stg_plate(v) as
    case
        when regexp_full_match(
            regexp_replace(stg_upper(v), '[^A-Z0-9]', '', 'g'), '[A-Z]{1,2}[0-9]{1,4}[A-Z]{0,3}'
        ) then trim(regexp_replace(
            regexp_replace(stg_upper(v), '[^A-Z0-9]', '', 'g'),
            '^([A-Z]{1,2})([0-9]{1,4})([A-Z]{0,3})$',
            '\1 \2 \3'
        ))
        else stg_upper(v)
    end;
