"""Anchor for the dedupe benchmark: Splink (DuckDB backend) on the FEBRL sets.

Usage: python dedupe_splink.py DATA_DIR febrl3|febrl4 [--threshold 0.9]
Prints one JSON object: {"set", "seconds", "precision", "recall", "f1", "predicted", "true"}.
The model follows Splink's own FEBRL demos: name, date-of-birth, id and address comparisons,
u from random sampling, m by expectation-maximisation on two blocking rules. Time covers
loading, training, prediction (the whole job), not the interpreter start.
"""

import json
import sys
import time

import duckdb
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

BLOCKING = [
    block_on("given_name", "surname"),
    block_on("surname", "date_of_birth"),
    block_on("given_name", "date_of_birth"),
    block_on("soc_sec_id"),
    block_on("postcode", "street_number"),
    block_on("date_of_birth"),
]


def comparisons():
    return [
        cl.NameComparison("given_name"),
        cl.NameComparison("surname"),
        cl.DateOfBirthComparison(
            "date_of_birth", input_is_string=True, datetime_format="%Y%m%d"
        ),
        cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
        cl.ExactMatch("street_number"),
        cl.LevenshteinAtThresholds("address_1", [2]),
        cl.PostcodeComparison("postcode"),
        cl.ExactMatch("suburb"),
        cl.ExactMatch("state"),
    ]


def read(con, path):
    # Every column as text; empty fields are NULL (missing), as Splink expects.
    return con.read_csv(path, all_varchar=True, header=True)


def truth(path):
    with open(path) as f:
        next(f)
        return {tuple(sorted(line.strip().split(","))) for line in f if line.strip()}


def run(data_dir, name, threshold):
    start = time.perf_counter()
    con = duckdb.connect()
    db = DuckDBAPI(connection=con)
    if name == "febrl4":
        frames = [
            db.register(read(con, f"{data_dir}/febrl4a.csv"), dataset_display_name="a"),
            db.register(read(con, f"{data_dir}/febrl4b.csv"), dataset_display_name="b"),
        ]
        link_type = "link_only"
        true_pairs = truth(f"{data_dir}/febrl4_true_pairs.csv")
    else:
        frames = db.register(read(con, f"{data_dir}/{name}.csv"))
        link_type = "dedupe_only"
        true_pairs = truth(f"{data_dir}/{name}_true_pairs.csv")
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type=link_type,
        blocking_rules_to_generate_predictions=BLOCKING,
        comparisons=comparisons(),
    )
    linker = Linker(frames, settings, log_level=40)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("soc_sec_id", "date_of_birth")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("date_of_birth")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "surname")
    )
    pred = linker.inference.predict(threshold_match_probability=threshold).as_record_list()
    seconds = time.perf_counter() - start
    predicted = {tuple(sorted((r["rec_id_l"], r["rec_id_r"]))) for r in pred}
    tp = len(predicted & true_pairs)
    p = tp / len(predicted) if predicted else 0.0
    r = tp / len(true_pairs) if true_pairs else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "set": name,
        "seconds": round(seconds, 3),
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f1, 4),
        "predicted": len(predicted),
        "true": len(true_pairs),
    }


if __name__ == "__main__":
    args = sys.argv[1:]
    thr = 0.9
    if "--threshold" in args:
        i = args.index("--threshold")
        thr = float(args[i + 1])
        del args[i : i + 2]
    print(json.dumps(run(args[0], args[1], thr)))
