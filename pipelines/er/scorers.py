"""Pair scorers: pure functions over two aligned arrays, vectorised with rapidfuzz.

Every scorer receives the left and right values of N pairs and returns N float32 scores.
`score_pairs` wraps them once: a pair with a NULL on either side gets a NULL score. (NaN would
be wrong here because DuckDB sorts NaN above every number, so `NaN >= 0.9` is true.)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import distance, fuzz, process

Scorer = Callable[[list, list], np.ndarray]


def _cpdist(scorer, left: list, right: list, scale: float = 1.0) -> np.ndarray:
    scores = process.cpdist(left, right, scorer=scorer, workers=-1, dtype=np.float32)
    if scale != 1.0:
        scores = scores / np.float32(scale)
    return scores.astype(np.float32, copy=False)


def jaro_winkler(left: list, right: list) -> np.ndarray:
    """Jaro-Winkler similarity in [0, 1]."""
    return _cpdist(distance.JaroWinkler.normalized_similarity, left, right)


def jaro(left: list, right: list) -> np.ndarray:
    """Jaro similarity in [0, 1]."""
    return _cpdist(distance.Jaro.normalized_similarity, left, right)


def ratio(left: list, right: list) -> np.ndarray:
    """Indel similarity (rapidfuzz fuzz.ratio) in [0, 1]."""
    return _cpdist(fuzz.ratio, left, right, scale=100.0)


def token_set_ratio(left: list, right: list) -> np.ndarray:
    """Similarity in [0, 1] of the shared words against the rest; 1 when one name's words
    are a subset of the other's."""
    return _cpdist(fuzz.token_set_ratio, left, right, scale=100.0)


def token_sort_ratio(left: list, right: list) -> np.ndarray:
    """Indel similarity in [0, 1] after sorting the words."""
    return _cpdist(fuzz.token_sort_ratio, left, right, scale=100.0)


def levenshtein(left: list, right: list) -> np.ndarray:
    """Levenshtein distance (insertions, deletions, substitutions)."""
    return _cpdist(distance.Levenshtein.distance, left, right)


def damerau_osa(left: list, right: list) -> np.ndarray:
    """Optimal string alignment distance: Levenshtein plus adjacent transpositions."""
    return _cpdist(distance.OSA.distance, left, right)


def hamming(left: list, right: list) -> np.ndarray:
    """Number of differing positions; strings of unequal length count the extra characters."""
    return _cpdist(distance.Hamming.distance, left, right)


def days_apart(left: list, right: list) -> np.ndarray:
    """Absolute difference in days between two dates."""
    left_days = np.array(left, dtype="datetime64[D]")
    right_days = np.array(right, dtype="datetime64[D]")
    return np.abs((left_days - right_days).astype(np.float32))


SCORERS: dict[str, Scorer] = {
    "jaro_winkler": jaro_winkler,
    "jaro": jaro,
    "ratio": ratio,
    "token_set_ratio": token_set_ratio,
    "token_sort_ratio": token_sort_ratio,
    "levenshtein": levenshtein,
    "damerau_osa": damerau_osa,
    "hamming": hamming,
    "days_apart": days_apart,
}

# Scorers that read dates instead of strings.
DATE_SCORERS = frozenset({"days_apart"})


def score_pairs(scorer_name: str, left: pa.Array, right: pa.Array) -> pa.Array:
    """Score aligned arrays with the named scorer; pairs with a NULL side get NULL."""
    scorer = SCORERS[scorer_name]
    is_null = np.asarray(left.is_null(), dtype=bool) | np.asarray(right.is_null(), dtype=bool)
    scores = np.full(len(left), np.nan, dtype=np.float32)
    if is_null.all():
        return pa.array(scores, mask=is_null)
    keep = pa.array(~is_null)
    left_values = left.filter(keep)
    right_values = right.filter(keep)
    if scorer_name in DATE_SCORERS:
        computed = scorer(left_values.to_numpy(zero_copy_only=False), right_values.to_numpy(zero_copy_only=False))
    else:
        computed = scorer(_python_strings(left_values), _python_strings(right_values))
    scores[~is_null] = computed
    return pa.array(scores, mask=is_null)


def _python_strings(values: pa.Array) -> list[str]:
    """Return the values as a list of str, creating each distinct string object once.

    Pairs repeat the same record values many times; building the list from a dictionary
    encoding costs one Python object per distinct value instead of one per pair.
    """
    encoded = pc.dictionary_encode(values.cast(pa.string()))
    distinct = np.array(encoded.dictionary.to_pylist(), dtype=object)
    return distinct[encoded.indices.to_numpy(zero_copy_only=False)].tolist()
