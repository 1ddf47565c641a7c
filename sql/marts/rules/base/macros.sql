-- Scalar macros shared by the rule models. Temporary: they live for one
-- connection.

-- Digits of an identifier cell after trimming whitespace, zero-width
-- characters, separators (space, dot, dash) and quotes or a leading apostrophe,
-- with full-width digits read as digits, as staging reads them.
create or replace temp macro __rules_digits(value) as
    translate(
        regexp_replace(
            coalesce(value, ''),
            '[\s\.\-''"`\x{200B}\x{200C}\x{200D}\x{FEFF}\x{00A0}]',
            '',
            'g'
        ),
        '０１２３４５６７８９',
        '0123456789'
    );

-- True for empty cells and placeholders: "-", "0", one digit repeated (16
-- zeros), text such as BELUM ADA or TIDAK PUNYA.
create or replace temp macro __rules_is_placeholder(digits) as
    digits = ''
    or length(replace(digits, left(digits, 1), '')) = 0
    or upper(digits) in ('BELUMADA', 'TIDAKPUNYA', 'TIDAKADA', 'NULL', 'NA', 'N/A');

-- Completed years between a birth date and a reference date.
create or replace temp macro __rules_age(birth, reference) as
    year(reference) - year(birth)
    - case
        when strftime(reference, '%m%d') < strftime(birth, '%m%d') then 1
        else 0
    end;

-- Date from the DDMMYY digits of a No KK (a NIK's female day must have 40 taken
-- off first); NULL when the digits are not a calendar date. Two-digit years
-- above `pivot_yy` are read as 19YY.
create or replace temp macro __rules_embedded_date(ddmmyy, pivot_yy) as
    case
        when regexp_full_match(ddmmyy, '[0-9]{6}') then try_cast(
            printf(
                '%04d-%02d-%02d',
                case
                    when cast(substr(ddmmyy, 5, 2) as integer) > pivot_yy
                        then 1900 + cast(substr(ddmmyy, 5, 2) as integer)
                    else 2000 + cast(substr(ddmmyy, 5, 2) as integer)
                end,
                cast(substr(ddmmyy, 3, 2) as integer),
                cast(substr(ddmmyy, 1, 2) as integer)
            ) as date
        )
    end;

-- Upper-case letters and single spaces of a name.
create or replace temp macro __rules_name_letters(value) as
    trim(regexp_replace(
        regexp_replace(upper(coalesce(value, '')), '[^A-Z ]', ' ', 'g'), '\s+', ' ', 'g'
    ));

-- Name key for similarity: upper case, letters only, common spelling variants
-- mapped to one form, old Indonesian spelling (TJ, DJ, OE, SJ, NJ, CH) mapped
-- to the 1972 spelling and single-letter initials dropped. Staging has already
-- removed titles and BIN/BINTI.
create or replace temp macro __rules_name_key(value) as
    array_to_string(
        list_filter(
            list_transform(
                string_split(
                    trim(regexp_replace(
                        regexp_replace(upper(coalesce(value, '')), '[^A-Z ]', ' ', 'g'),
                        '\s+',
                        ' ',
                        'g'
                    )),
                    ' '
                ),
                lambda word: case
                    when word in (
                        'M', 'MUH', 'MUHAMAD', 'MUHAMMAD', 'MOH', 'MOCH', 'MOCHAMAD',
                        'MOCHAMMAD', 'MOHAMAD', 'MOHAMMAD', 'MOHAMMED', 'MUCH', 'MUKHAMAD',
                        'MUCHAMAD', 'MUCHAMMAD', 'MOHD', 'MUHD'
                    ) then 'MUHAMMAD'
                    when word in ('ACHMAD', 'AKHMAD', 'AHMAD', 'AHMAT') then 'AHMAD'
                    when word in ('ABD', 'ABDUL') then 'ABDUL'
                    when word in ('ST', 'SITTI', 'SITI') then 'SITI'
                    when word in ('NOER', 'NUR', 'NURUL') then 'NUR'
                    else replace(replace(replace(replace(replace(replace(
                        word, 'TJ', 'C'), 'DJ', 'J'), 'OE', 'U'), 'SJ', 'SY'), 'NJ', 'NY'),
                        'CH', 'KH')
                end
            ),
            lambda word: length(word) > 1
        ),
        ' '
    );

-- Programme of a source kind.
create or replace temp macro __rules_programme_of(kind) as
    case kind
        when 'pkh' then 'PKH'
        when 'bpnt' then 'BPNT'
        when 'pbi' then 'PBI'
        else 'ALL'
    end;

-- Similarity of two names from 0 to 1: rapidfuzz `fuzz.ratio` (Indel distance)
-- over 100, registered from Python as __rules_name_ratio. The higher of two
-- readings counts: the name keys (spelling variants mapped) and the plain
-- letters, because the old-spelling map can hurt a typo ("PRIYOEO" holds OE).
-- A one-letter typo or a swap of two letters in a seven-letter name scores
-- about 0.86.
create or replace temp macro __rules_name_similarity(key_a, key_b, letters_a, letters_b) as
    case
        when key_a = key_b or letters_a = letters_b then 1.0
        when greatest(length(key_a), length(key_b)) = 0 then null
        else greatest(
            __rules_name_ratio(key_a, key_b),
            __rules_name_ratio(letters_a, letters_b)
        )
    end;

-- The most common value of a list, the lowest of them on a tie, so that every run picks
-- the same one. For a family's desil, the lowest is the poorer decile: records that
-- disagree evenly do not make a family look richer than one of them records.
create or replace temp macro __rules_mode_lowest(vals) as
    list_sort(list_distinct(vals))[
        list_position(
            list_transform(
                list_sort(list_distinct(vals)),
                lambda k: len(list_filter(vals, lambda v: v = k))
            ),
            list_max(
                list_transform(
                    list_sort(list_distinct(vals)),
                    lambda k: len(list_filter(vals, lambda v: v = k))
                )
            )
        )
    ];

-- The cells of a quarantined row as one text. raw_values is a JSON object of
-- the row's cells, and its values are read unescaped, so that an escaped line
-- break or control character (\n, \u0001) does not touch a number. Text that
-- is not JSON is returned as it is. The desk lookup reads quarantined register
-- rows through this macro too.
create or replace temp macro __rules_quarantine_text(raw_values) as
    case
        when json_valid(raw_values)
            then array_to_string(json_extract_string(raw_values, '$.*'), ' ')
        else raw_values
    end;

-- Rupiah in evidence text, written as the report writes it: "Rp 2,554,000" in
-- English evidence and "Rp 2.554.000" in Indonesian.
create or replace temp macro __rules_rupiah_en(amount) as
    printf('Rp %,d', amount);

create or replace temp macro __rules_rupiah_id(amount) as
    'Rp ' || replace(printf('%,d', amount), ',', '.');

-- Sort key of a programme in the report's order: PKH, BPNT, then PBI and any other.
create or replace temp macro __rules_programme_rank(programme) as
    case programme when 'PKH' then 0 when 'BPNT' then 1 else 2 end;
