"""Record features as DuckDB SQL: Indonesian name normalisation, phonetic keys, NIK parts.

Each registry entry takes column expressions and returns one SQL expression, so features are
computed once per record inside DuckDB and never per pair in Python. The name functions rely
on temporary macros that `name_macros_sql()` creates on the connection.
"""

from __future__ import annotations

from collections.abc import Callable

# Tokens dropped from a name: honorifics, religious and academic titles, and death markers.
# Compared after removing dots, so "S.Pd.I" matches SPDI and "Hj." matches HJ.
NAME_TITLES: tuple[str, ...] = (
    "H",
    "HJ",
    "HAJI",
    "HAJAH",
    "HAJJAH",
    "KH",
    "KIAI",
    "KYAI",
    "USTADZ",
    "USTAZ",
    "UST",
    "NY",
    "NYONYA",
    "TN",
    "TUAN",
    "SDR",
    "SDRI",
    "BPK",
    "BAPAK",
    "PAK",
    "IBU",
    "BU",
    "MBAH",
    "MBOK",
    "ALM",
    "ALMH",
    "ALMARHUM",
    "ALMARHUMAH",
    "DR",
    "DRS",
    "DRA",
    "DRG",
    "IR",
    "PROF",
    "SPD",
    "SPDI",
    "SPDSD",
    "SH",
    "SE",
    "ST",
    "SKOM",
    "SAG",
    "SSOS",
    "SIP",
    "SKEP",
    "SKM",
    "SSI",
    "SFARM",
    "SST",
    "STP",
    "SPT",
    "AMD",
    "AMA",
    "AMAPD",
    "AMKEB",
    "AMKEP",
    "MPD",
    "MM",
    "MSI",
    "MKES",
    "MAG",
    "MH",
    "MT",
    "SPSI",
    "SHI",
    "SEI",
    "SSIT",
)

# Spelling pairs applied in order to every token so that the pre-1972 spelling and today's
# spelling share one key: TJ->C, DJ->J, then J->Y (old J is today's Y, so every J and Y meet),
# which also makes NJ->NY and SJ->SY. OE->U; CH and KH->H; DH->D; TH->T; SY->S.
SPELLING_STEPS: tuple[tuple[str, str], ...] = (
    ("OE", "U"),
    ("TJ", "C"),
    ("DJ", "J"),
    ("J", "Y"),
    ("CH", "H"),
    ("KH", "H"),
    ("DH", "D"),
    ("TH", "T"),
    ("SY", "S"),
)

# Muhammad and its spellings and abbreviations (after the spelling steps and with doubled
# letters collapsed): MUHAMAD, MOHAMED, MUHAMAT, MOH, MUH, MHD, MOHD, MD and the initial M.
MUHAMMAD_PATTERN = r"^(M[OU]H?AM[AE][DT]|M[OU]H?|MHD|MOHD|MD|M)$"


def _sql_string_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + "]"


def name_macros_sql() -> list[str]:
    """Return the statements that create the name macros on a connection."""
    spelling = "t"
    for old, new in SPELLING_STEPS:
        spelling = f"replace({spelling}, '{old}', '{new}')"
    titles = _sql_string_list(NAME_TITLES)
    return [
        # Collapse doubled letters (MUHAMMAD -> MUHAMAD). RE2 has no back-references.
        """create or replace temp macro __er_collapse(t) as array_to_string(
            list_transform(range(1, length(t) + 1),
                lambda i: case when i = 1 or t[i] != t[i - 1] then t[i] else '' end), '')""",
        f"create or replace temp macro __er_spelling(t) as __er_collapse({spelling})",
        f"""create or replace temp macro __er_muhammad(t) as
            case when regexp_matches(t, '{MUHAMMAD_PATTERN}') then 'M' else t end""",
        # Upper case, drop apostrophes, the BIN/BINTI part and anything after a comma (degrees).
        r"""create or replace temp macro __er_raw_tokens(s) as string_split_regex(trim(
            regexp_replace(regexp_replace(regexp_replace(upper(s), '[''`´’]', '', 'g'),
                '\s+(BIN|BINTI)\.?(\s.*)?$', ''), ',.*$', '')), '\s+')""",
        f"""create or replace temp macro __er_untitled(tokens) as list_filter(tokens,
            lambda t: not list_contains({titles}, regexp_replace(t, '[^A-Z]', '', 'g')))""",
        # A name made only of titles ("MBAH") keeps its tokens.
        """create or replace temp macro __er_kept(tokens) as
            case when len(__er_untitled(tokens)) = 0 then tokens else __er_untitled(tokens) end""",
        r"""create or replace temp macro __er_split_dots(tokens) as list_filter(flatten(
            list_transform(tokens, lambda t: string_split_regex(
                trim(regexp_replace(t, '[^A-Z]+', ' ', 'g')), '\s+'))), lambda t: t != '')""",
        """create or replace temp macro __er_name_tokens(s) as case when s is null then null
            else list_transform(__er_split_dots(__er_kept(__er_raw_tokens(s))),
                lambda t: __er_muhammad(__er_spelling(t))) end""",
        # Phonetic token: first letter, then consonants without H, W and Y, doubled ones once.
        """create or replace temp macro __er_phonetic(t) as t[1] || __er_collapse(
            regexp_replace(t[2:], '[AEIOUHWY]', '', 'g'))""",
    ]


def name_key_sql(column: str) -> str:
    """Return the SQL of the name key of `column`, as the `name_key` feature of the linker
    settings computes it: the normalised name tokens joined by spaces, NULL for no name.

    The connection needs the macros of `name_macros_sql()`.
    """
    return _join_tokens(_name_tokens(column))


def _tokens_or_null(column: str, expression: str) -> str:
    return f"case when {column} is null or len({column}) = 0 then null else {expression} end"


def _name_tokens(column: str) -> str:
    return f"__er_name_tokens({column})"


def _join_tokens(column: str) -> str:
    return _tokens_or_null(column, f"array_to_string({column}, ' ')")


def _sorted_tokens(column: str) -> str:
    return _tokens_or_null(column, f"array_to_string(list_sort({column}), ' ')")


def _first_token(column: str) -> str:
    return _tokens_or_null(column, f"{column}[1]")


def _last_token(column: str) -> str:
    return _tokens_or_null(column, f"{column}[-1]")


def _initials(column: str) -> str:
    return _tokens_or_null(column, f"array_to_string(list_transform({column}, lambda t: t[1]), '')")


def _has_initial(column: str) -> str:
    return _tokens_or_null(column, f"len(list_filter({column}, lambda t: length(t) = 1)) > 0")


def _phonetic_key(column: str) -> str:
    expression = (
        f"array_to_string(list_sort(list_transform({column}, lambda t: __er_phonetic(t))), ' ')"
    )
    return _tokens_or_null(column, expression)


def _is_nik(column: str) -> str:
    return f"regexp_full_match(coalesce({column}, ''), '[0-9]{{16}}')"


def _nik_ddmmyy(column: str) -> str:
    day = f"(substr({column}, 7, 2)::integer % 40)"
    ddmmyy = f"lpad({day}::varchar, 2, '0') || substr({column}, 9, 4)"
    return f"case when {_is_nik(column)} then {ddmmyy} end"


def _nik_sex(column: str) -> str:
    sex = f"case when substr({column}, 7, 2)::integer > 40 then 'P' else 'L' end"
    return f"case when {_is_nik(column)} then {sex} end"


def _date_ddmmyy(column: str) -> str:
    return f"strftime({column}, '%d%m%y')"


def _year(column: str) -> str:
    return f"year({column})"


def _deletion_keys(column: str) -> str:
    without_i = f"substr({column}, 1, i - 1) || substr({column}, i + 1)"
    keys = f"list_transform(range(1, length({column}) + 1), lambda i: {without_i})"
    return f"case when {column} is not null then {keys} end"


def _upper_trim(column: str) -> str:
    return f"nullif(upper(trim({column})), '')"


def _lower_trim(column: str) -> str:
    return f"nullif(lower(trim({column})), '')"


def _digits(column: str) -> str:
    return f"nullif(regexp_replace({column}, '[^0-9]', '', 'g'), '')"


def _prefix(length: int) -> Callable[[str], str]:
    def prefix(column: str) -> str:
        return f"case when length({column}) >= {length} then substr({column}, 1, {length}) end"

    return prefix


FEATURE_FUNCTIONS: dict[str, Callable[..., str]] = {
    "name_tokens": _name_tokens,
    "join_tokens": _join_tokens,
    "sorted_tokens": _sorted_tokens,
    "first_token": _first_token,
    "last_token": _last_token,
    "initials": _initials,
    "has_initial": _has_initial,
    "phonetic_key": _phonetic_key,
    "nik_ddmmyy": _nik_ddmmyy,
    "nik_sex": _nik_sex,
    "date_ddmmyy": _date_ddmmyy,
    "year": _year,
    "deletion_keys": _deletion_keys,
    "upper_trim": _upper_trim,
    "lower_trim": _lower_trim,
    "digits": _digits,
    "prefix_2": _prefix(2),
    "prefix_3": _prefix(3),
    "prefix_4": _prefix(4),
}
