"""Pair scorers: pure functions over two aligned arrays, vectorised with rapidfuzz.

Every scorer receives the left and right values of N pairs and returns N float32 scores.
`score_pairs` wraps them once: it scores each distinct pair of values once, and a pair with a
NULL on either side gets a NULL score. (NaN would be wrong here because DuckDB sorts NaN above
every number, so `NaN >= 0.9` is true.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
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


@dataclass(frozen=True)
class EncodedColumn:
    """A record column as integer codes per record (-1 for NULL) and its distinct values, so
    that pairs are scored from two code arrays without moving strings per pair."""

    codes: np.ndarray
    values: np.ndarray

    @classmethod
    def from_arrow(cls, column: pa.Array) -> EncodedColumn:
        encoded = pc.dictionary_encode(column)
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        values = np.array(encoded.dictionary.to_pylist(), dtype=object)
        return cls(codes=codes, values=values)


def score_pairs(
    scorer_name: str,
    column: EncodedColumn,
    left: np.ndarray,
    right: np.ndarray,
    right_column: EncodedColumn | None = None,
) -> pa.Array:
    """Score the pairs of record positions `left` and `right` on an encoded column; pairs
    with a NULL side get NULL. Each distinct pair of values is scored once.

    `right_column`, when given, is read for the right records instead of `column`, so two
    different fields can be compared (for example given name against surname)."""
    right_column = right_column or column
    codes_l, codes_r = column.codes[left], right_column.codes[right]
    is_null = (codes_l < 0) | (codes_r < 0)
    scores = np.full(len(left), np.nan, dtype=np.float32)
    if is_null.all():
        return pa.array(scores, mask=is_null)
    width = len(right_column.values) + 1
    keys = codes_l[~is_null] * width + codes_r[~is_null]
    inverse, distinct = pd.factorize(keys)
    values_l = column.values[distinct // width]
    values_r = right_column.values[distinct % width]
    if scorer_name in DATE_SCORERS:
        computed = SCORERS[scorer_name](values_l, values_r)
    else:
        computed = SCORERS[scorer_name](values_l.tolist(), values_r.tolist())
    scores[~is_null] = np.asarray(computed, dtype=np.float32)[inverse]
    return pa.array(scores, mask=is_null)
