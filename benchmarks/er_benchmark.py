"""Benchmark the person linkage engine against Splink 5 (DuckDB backend), side by side.

    uv sync --group bench
    uv run python benchmarks/er_benchmark.py                 # FEBRL 1-4, Batang, 100k x 100k
    uv run python benchmarks/er_benchmark.py febrl4 batang20000

Each engine runs every dataset in its own child process, so wall time, CPU time (user plus
system, all threads) and peak memory (ru_maxrss of that process) belong to one engine only.
Both times cover training and prediction (and for this engine also clustering, families and
explanations), not data loading. No labels are used for training.

Two pairwise figures are printed. precision, recall and F1 count the pairs each engine itself
scores at or above the default match probability 0.92 (config/rules.toml [linking]
match_threshold). clustF1 counts every pair of records within one output cluster: the
transitive closure of those decisions, less the merges that cluster constraints reject. It is
what each engine finally asserts.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import duckdb
from rich.console import Console

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from er_datasets import load  # noqa: E402

DEFAULT_DATASETS = ("febrl1", "febrl2", "febrl3", "febrl4", "batang50000", "febrl_large100000")
ENGINES = ("bansos", "splink")
OUT = HERE / "out"
FEBRL_SETTINGS = ROOT / "pipelines" / "er" / "settings" / "febrl_person.toml"
CONSOLE = Console(highlight=False, markup=False, width=200)
ERRORS = Console(stderr=True, highlight=False, markup=False, width=400)


def linking_config() -> dict:
    rules = tomllib.loads((ROOT / "config" / "rules.toml").read_text(encoding="utf-8"))
    return rules["linking"]


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """Return user plus system CPU time of this process so far, all threads included."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def evaluate(con: duckdb.DuckDBPyConnection, predicted_table: str) -> dict:
    tp, predicted, true = con.execute(
        f"""select
            (select count(*) from {predicted_table} p join truth t using (record_id_l, record_id_r)),
            (select count(*) from {predicted_table}),
            (select count(*) from truth)"""
    ).fetchall()[0]
    precision = tp / predicted if predicted else 0.0
    recall = tp / true if true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "tp": tp,
        "fp": predicted - tp,
        "fn": true - tp,
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


def drop_same_source_pairs(con: duckdb.DuckDBPyConnection, link_type: str) -> None:
    """In a link-only task, pairs inside one source are neither true nor predicted links."""
    if link_type == "link_only":
        con.execute(
            """delete from clustered using records as a, records as b
            where a.record_id = clustered.record_id_l and b.record_id = clustered.record_id_r
                and a.source_kind = b.source_kind"""
        )


def febrl_settings(link_type: str) -> Path:
    text = FEBRL_SETTINGS.read_text(encoding="utf-8")
    ours = "link_only" if link_type == "link_only" else "dedupe_and_link"
    OUT.mkdir(exist_ok=True)
    path = OUT / f"er_febrl_settings_{ours}.toml"
    path.write_text(
        text.replace('link_type = "dedupe_and_link"', f'link_type = "{ours}"'), encoding="utf-8"
    )
    return path


def run_bansos(dataset: str) -> dict:
    from pipelines.er import link_persons

    con = duckdb.connect()
    link_type = load(con, dataset)
    settings = None if dataset.startswith("batang") else febrl_settings(link_type)
    con.execute("create table int_person_records as select * from records")
    loaded_mib = peak_mib()
    start, cpu_start = time.perf_counter(), cpu_seconds()
    summary = link_persons(con, settings, linking_config(), None)
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
    con.execute(
        """create table predicted as select distinct least(record_id_l, record_id_r) as record_id_l,
        greatest(record_id_l, record_id_r) as record_id_r from link_pairs where decision = 'match'"""
    )
    con.execute(
        """create table clustered as select a.record_id as record_id_l, b.record_id as record_id_r
        from int_person_links a join int_person_links b on a.person_id = b.person_id and a.record_id < b.record_id"""
    )
    drop_same_source_pairs(con, link_type)
    result = {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_mib": peak_mib(),
        "loaded_mib": loaded_mib,
        "pairs": summary.candidate_pairs,
    }
    result.update(evaluate(con, "predicted"))
    result["cluster_f1"] = evaluate(con, "clustered")["f1"]
    result["stages"] = summary.stage_seconds
    return result


def splink_settings(dataset: str, link_type: str):
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    if dataset.startswith("batang"):
        comparisons = [
            cl.NameComparison("name").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("birth_date", input_is_string=False),
            cl.DamerauLevenshteinAtThresholds("nik", [1, 2]),
            cl.ExactMatch("sex"),
            cl.DamerauLevenshteinAtThresholds("no_kk", [1]),
            cl.ExactMatch("desa_code").configure(term_frequency_adjustments=True),
        ]
        rules = [
            block_on("nik"),
            block_on("name", "birth_date"),
            block_on("name", "desa_code"),
            block_on("birth_date", "desa_code"),
            block_on("no_kk"),
        ]
        deterministic = [
            "l.nik = r.nik and l.name = r.name",
            "l.name = r.name and l.birth_date = r.birth_date and l.desa_code = r.desa_code",
        ]
        training = [block_on("nik"), block_on("name", "desa_code"), block_on("birth_date")]
    else:
        comparisons = [
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d"
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                term_frequency_adjustments=True
            ),
        ]
        rules = [
            block_on("given_name", "surname"),
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("state", "address_1"),
            block_on("street_number", "address_1"),
            block_on("postcode"),
        ]
        deterministic = [
            "l.soc_sec_id = r.soc_sec_id",
            "l.given_name = r.given_name and l.surname = r.surname and l.date_of_birth = r.date_of_birth",
            "l.given_name = r.surname and l.surname = r.given_name and l.date_of_birth = r.date_of_birth",
        ]
        training = [block_on("given_name", "surname"), block_on("date_of_birth")]
    settings = SettingsCreator(
        unique_id_column_name="record_id",
        link_type="link_only" if link_type == "link_only" else "dedupe_only",
        blocking_rules_to_generate_predictions=rules,
        comparisons=comparisons,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    return settings, deterministic, training


def run_splink(dataset: str) -> dict:
    from splink import Linker
    from splink.backends.duckdb import DuckDBAPI

    con = duckdb.connect()
    link_type = load(con, dataset)
    threshold = float(linking_config()["match_threshold"])
    if dataset.startswith("batang"):
        con.execute(
            "create or replace table records as select * exclude (name), upper(trim(name)) as name from records"
        )
    loaded_mib = peak_mib()
    start, cpu_start = time.perf_counter(), cpu_seconds()
    db_api = DuckDBAPI(connection=con)
    settings, deterministic, training = splink_settings(dataset, link_type)
    if link_type == "link_only":
        con.execute("create table records_a as select * from records where source_kind = 'a'")
        con.execute("create table records_b as select * from records where source_kind = 'b'")
        inputs = [db_api.register("records_a"), db_api.register("records_b")]
    else:
        inputs = db_api.register("records")
    linker = Linker(inputs, settings, log_level=30)
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.9)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    for rule in training:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold)
    con.register("__predictions", predictions.as_duckdbpyrelation().to_arrow_table())
    con.register(
        "__clusters",
        clusters.as_duckdbpyrelation().select("cluster_id, record_id").to_arrow_table(),
    )
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
    con.execute(
        """create table predicted as select distinct least(record_id_l, record_id_r) as record_id_l,
        greatest(record_id_l, record_id_r) as record_id_r from __predictions"""
    )
    con.execute(
        """create table clustered as select a.record_id as record_id_l, b.record_id as record_id_r
        from __clusters a join __clusters b on a.cluster_id = b.cluster_id and a.record_id < b.record_id"""
    )
    drop_same_source_pairs(con, link_type)
    result = {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_mib": peak_mib(),
        "loaded_mib": loaded_mib,
    }
    result.update(evaluate(con, "predicted"))
    result["cluster_f1"] = evaluate(con, "clustered")["f1"]
    return result


def run_child(engine: str, dataset: str) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", engine, dataset]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        return {
            "error": completed.stderr.strip().splitlines()[-1]
            if completed.stderr.strip()
            else "failed"
        }
    return json.loads(completed.stdout.strip().splitlines()[-1])


def print_table(results: dict[str, dict[str, dict]]) -> None:
    header = f"{'dataset':<20}{'engine':<8}{'precision':>10}{'recall':>9}{'F1':>9}{'clustF1':>9}{'seconds':>9}{'cpu s':>8}{'peak MiB':>10}{'pairs':>11}"
    CONSOLE.print(header)
    CONSOLE.print("-" * len(header))
    for dataset, by_engine in results.items():
        for engine, r in by_engine.items():
            if "error" in r:
                CONSOLE.print(f"{dataset:<20}{engine:<8}  error: {r['error']}")
                continue
            cluster = f"{r['cluster_f1']:.4f}" if "cluster_f1" in r else "-"
            pairs = str(r.get("pairs", "-"))
            CONSOLE.print(
                f"{dataset:<20}{engine:<8}{r['precision']:>10.4f}{r['recall']:>9.4f}{r['f1']:>9.4f}{cluster:>9}"
                f"{r['seconds']:>9.1f}{r['cpu_seconds']:>8.1f}{r['peak_mib']:>10.0f}{pairs:>11}"
            )
        engines = [by_engine.get(e, {}) for e in ENGINES]
        if all("seconds" in r for r in engines):
            ours, theirs = engines
            CONSOLE.print(
                f"{'':<20}ratio   time {ours['seconds'] / theirs['seconds']:.2f}x, "
                f"CPU {ours['cpu_seconds'] / theirs['cpu_seconds']:.2f}x, peak memory "
                f"{ours['peak_mib'] / theirs['peak_mib']:.2f}x, F1 difference {ours['f1'] - theirs['f1']:+.4f}"
            )


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        engine, dataset = argv[1], argv[2]
        result = run_bansos(dataset) if engine == "bansos" else run_splink(dataset)
        CONSOLE.print(json.dumps(result), soft_wrap=True)
        return
    datasets = argv or list(DEFAULT_DATASETS)
    results: dict[str, dict[str, dict]] = {}
    for dataset in datasets:
        results[dataset] = {engine: run_child(engine, dataset) for engine in ENGINES}
        ERRORS.print(f"{dataset}: {json.dumps(results[dataset])}", soft_wrap=True)
    print_table(results)


if __name__ == "__main__":
    main(sys.argv[1:])
