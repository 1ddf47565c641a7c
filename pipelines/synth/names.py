"""Common Javanese and Indonesian Muslim names, and the written variants found in bansos files.

The lists are the generator's own selection of common names; they describe no real person.
"""

from __future__ import annotations

import re

import numpy as np
from rapidfuzz import fuzz

MALE_MONONYMS = np.array(
    "SUPARDI SLAMET SUGENG SUTRISNO SUKARDI WARSITO KASTARI KASMURI TARMUJI RASMAN DARSONO "
    "SUNARDI WAHYUDI SAMSUDIN TASRIP DASUKI KARSONO RUSLAN SARMIDI SUYATNO PAIMAN SUKIRNO "
    "TARYONO WARJO SUHARTO SUMARNO SUNARTO BAMBANG JOKO BUDI AGUS EKO HERU PRIYONO SISWANTO "
    "TOTOK SUJONO CAHYONO KUSNADI MUKHLIS SOLICHIN MASRURI NURHADI SYAIFUDIN TAMAM RASIDI "
    "KASIMAN DULKHAMID SAPARI TURMUDI WAGIMAN SUPRIYADI MARYONO SUROSO TUGIMAN SUKARNO "
    "SUPARMAN KHAERUDIN MAHFUD ABDULLAH ROSYID SUDARNO WIJI KARTONO SALIM".split()
)
FEMALE_MONONYMS = np.array(
    "SUMIYATI SAINEM SUPARMI KASMINAH JUMINAH WARSINAH RASMINI TARMINAH SUMARNI SUWARNI KARSIH "
    "DARMI WAGINEM PAINEM YANTI ROMLAH AMINAH FATIMAH MASRUROH SUTINAH KASIYAH RUMIYATI "
    "TUMINAH SARINAH WASTINAH KHOTIJAH MUNAWAROH SITI SRI SUNARSIH SUPRIHATIN TASMINAH "
    "RUSMINI KHAYATUN SUKINAH JUWARIYAH MUSRIPAH DARSINAH WARTINI CASMINI SUWARTI SUMIRAH "
    "NURHAYATI MUTMAINAH SUPINAH KASTINAH ROHMAH TARSIH".split()
)
MALE_FIRST = np.array(
    "MUHAMMAD AHMAD ABDUL KHOIRUL RAHMAT ZAINAL IMAM ARIF RIZKI FAJAR DIMAS ADI BAYU DWI TRI "
    "EKO AGUS NUR SYAIFUL YUSUF ILHAM FERI ANDI HENDRA".split()
)
MALE_SECOND = np.array(
    "FAIZIN RIZKI HIDAYAT PRASETYO NUGROHO WIBOWO SANTOSO SETIAWAN FIRMANSYAH SAPUTRA MAULANA "
    "ROSYIDI ARIFIN MUSTOFA HAKIM SYAHRONI KURNIAWAN RAMADHAN WAHYUDI ANSORI FAUZI SOLEH".split()
)
FEMALE_FIRST = np.array(
    "SITI NUR DEWI ANIS SRI UMI LAILATUL KHUSNUL ENDANG RATNA TUTIK NOVI PUTRI RINA WULAN "
    "ERNA INDAH FITRI YULI DIAH".split()
)
FEMALE_SECOND = np.array(
    "AMINAH ROMLAH FITRIANI LESTARI RAHAYU WULANDARI SAFITRI NURHAYATI KHASANAH MUSTAFIDAH "
    "MAULIDA KHOTIMAH ZULAIKHA ASTUTI NINGSIH HANDAYANI SUSANTI ANGGRAENI MARFUAH AZIZAH".split()
)
DUSUN_NAMES = np.array(
    "KRAJAN KARANGANYAR SIDOMULYO KALIWUNGU KRASAK PENDOWO SINGOSARI KEDUNGSARI PANDANSARI "
    "GEDONG KALIMALANG TEGALREJO SUMBERSARI NGALIAN WATUGAJAH".split()
)

# Pre-1972 spelling still found on older documents, keyed by the current spelling.
OLD_SPELLING = {
    "SUJONO": "SOEDJONO",
    "CAHYONO": "TJAHJONO",
    "JUMINAH": "DJUMINAH",
    "YANTI": "JANTI",
    "SUHARTO": "SOEHARTO",
    "JOKO": "DJOKO",
    "SUKARNO": "SOEKARNO",
    "SUTRISNO": "SOETRISNO",
    "SUPARMAN": "SOEPARMAN",
    "SUROSO": "SOEROSO",
    "JUWARIYAH": "DJOEWARIJAH",
    "KHOTIJAH": "CHOTIDJAH",
}
NEW_SPELLING = {old: new for new, old in OLD_SPELLING.items()}
MUHAMMAD_FORMS = ("M.", "MOCH.", "MOH.", "MOCHAMAD", "MUHAMAD", "MOCHAMMAD")
MALE_PREFIXES = ("H.", "DRS.", "BPK.")
FEMALE_PREFIXES = ("HJ.", "DRA.", "IBU")
SUFFIXES = ("S.PD.", "S.PD.I", "S.E.", "S.H.", "A.MA.")

_TITLE_RE = re.compile(
    r"\b(ALMH?|H|HJ|KH|DRS|DRA|BPK|IBU|NY|MBAH|S\.PD\.I|S\.PD|S\.E|S\.H|A\.MA)\.?(?=\s|$)"
)


def strip_titles(name: str) -> str:
    """Upper-case `name` and remove titles, honorifics and a BIN/BINTI patronym."""
    upper = name.upper()
    upper = re.split(r"\s+BINTI?\s+", upper)[0]
    upper = _TITLE_RE.sub(" ", upper)
    upper = upper.replace(",", " ")
    return " ".join(upper.split())


def name_similarity(a: str, b: str) -> float:
    """Score two names 0-100 after removing titles (the generator's own check, not the audit's)."""
    return fuzz.ratio(strip_titles(a), strip_titles(b))


def canonical_key(name: str) -> str:
    """Map old spellings to the current ones so that variant spellings compare equal."""
    return " ".join(NEW_SPELLING.get(word, word) for word in name.split())


def respell(name: str) -> str | None:
    """Return `name` with one word in the other spelling (old or current), or None."""
    words = name.split()
    for i, word in enumerate(words):
        other = OLD_SPELLING.get(word) or NEW_SPELLING.get(word)
        if other:
            return " ".join(words[:i] + [other] + words[i + 1 :])
    return None


def typo(name: str, rng: np.random.Generator) -> str | None:
    """Return `name` with one letter replaced or two letters swapped, still scoring >= 85."""
    if len(name) < 6:
        return None
    letters = list(name)
    positions = [i for i, c in enumerate(letters[1:-1], start=1) if c.isalpha()]
    i = int(rng.choice(positions))
    if rng.random() < 0.5 and letters[i + 1].isalpha():
        letters[i], letters[i + 1] = letters[i + 1], letters[i]
    else:
        letters[i] = "AIUEO"[int(rng.integers(5))] if letters[i] not in "AIUEO" else "Y"
    candidate = "".join(letters)
    if candidate == name or fuzz.ratio(candidate, name) < 85:
        return None
    return candidate


def benign_variant(name: str, sex: str, father: str, rng: np.random.Generator) -> str:
    """Write `name` the way another office might: a title, patronym, spelling or short form."""
    choices = ["title", "patronym", "muhammad", "spelling", "case", "suffix"]
    for kind in rng.permutation(choices):
        variant = _apply_variant(str(kind), name, sex, father)
        if variant and variant != name:
            return variant
    return name.title()


def _apply_variant(kind: str, name: str, sex: str, father: str) -> str | None:
    if kind == "title":
        prefix = MALE_PREFIXES[len(name) % 2] if sex == "L" else FEMALE_PREFIXES[len(name) % 2]
        return f"{prefix} {name}"
    if kind == "patronym" and father:
        return f"{name} {'BIN' if sex == 'L' else 'BINTI'} {father}"
    if kind == "muhammad" and name.startswith("MUHAMMAD "):
        return MUHAMMAD_FORMS[len(name) % len(MUHAMMAD_FORMS)] + name[len("MUHAMMAD") :]
    if kind == "spelling":
        return respell(name)
    if kind == "case":
        return name.title()
    if kind == "suffix" and len(name.split()) > 1:
        return f"{name}, {SUFFIXES[len(name) % len(SUFFIXES)]}"
    return None


def different_name(
    name: str, pool: np.ndarray, rng: np.random.Generator, max_score: float = 60.0
) -> str:
    """Draw a name from `pool` that scores below `max_score` against `name`."""
    for _ in range(50):
        candidate = str(pool[int(rng.integers(len(pool)))])
        if name_similarity(candidate, name) < max_score:
            return candidate
    raise RuntimeError(f"no dissimilar name found for a {len(name)}-letter name")


def build_names(sex: np.ndarray, age: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw true names: mostly mononyms for older adults, two words for the young."""
    n = len(sex)
    female = sex == "P"
    mono = np.where(
        female,
        FEMALE_MONONYMS[rng.integers(len(FEMALE_MONONYMS), size=n)],
        MALE_MONONYMS[rng.integers(len(MALE_MONONYMS), size=n)],
    )
    first = np.where(
        female,
        FEMALE_FIRST[rng.integers(len(FEMALE_FIRST), size=n)],
        MALE_FIRST[rng.integers(len(MALE_FIRST), size=n)],
    )
    second = np.where(
        female,
        FEMALE_SECOND[rng.integers(len(FEMALE_SECOND), size=n)],
        MALE_SECOND[rng.integers(len(MALE_SECOND), size=n)],
    )
    two_words = np.char.add(np.char.add(first.astype(str), " "), second.astype(str))

    p_mononym = np.select([age >= 55, age >= 25], [0.9, 0.5], default=0.15)
    is_mononym = rng.random(n) < p_mononym
    names = np.where(is_mononym, mono, two_words).astype(object)

    old_candidates = (age >= 55) & np.isin(names, list(OLD_SPELLING)) & (rng.random(n) < 0.5)
    names[old_candidates] = [OLD_SPELLING[v] for v in names[old_candidates]]
    return names
