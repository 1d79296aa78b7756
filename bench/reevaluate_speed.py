"""Re-evaluation speed: `shenhe reevaluate` over many stored applications, as a whole process.

    python -m bench.reevaluate_speed --db sqlite:///processed.db --rules hubei-yanxuan [--applications 1000] [--repeat 3]

The processed store's results (facts, claims, documents) are copied, under new application ids,
into a fresh SQLite store until it holds `--applications` of them; `shenhe reevaluate` then runs
on it `--repeat` times as a subprocess (interpreter start-up, imports, reading and writing the
store included). Reports the median wall time, and its share of the time `process` took to read
that many applications, from the processed store's own first run (seconds per application).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.store import Store


def first_run_seconds_per_application(store: Store) -> float:
    """Seconds per application of the store's longest `process` run (the one that read the files)."""
    from sqlalchemy import select

    from models.store import Run

    with store.sessions() as session:
        runs = [run.counts for run in session.scalars(select(Run)) if run.counts]
    longest = max(runs, key=lambda counts: counts.get("seconds", 0))
    return longest["seconds"] / max(longest.get("applications", 1), 1)


def fill_store(source: Store, target: Store, applications: int) -> None:
    """`applications` results records in `target`, cycling through the source's with new ids."""
    payloads = [stored.payload for stored in source.latest_results()]
    run = target.start_run("bench-batch", payloads[0]["ruleset"], payloads[0]["as_of"], "bench")
    rows = []
    for index in range(applications):
        payload = dict(payloads[index % len(payloads)])
        payload["application_id"] = f"BENCH-{index + 1:05d}"
        application_pk = target.save_application(run, payload["application_id"], "bench", None, [])
        rows.append((application_pk, run.id, payload))
    target.save_results(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a store `shenhe process` filled")
    parser.add_argument("--rules", required=True)
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    source = Store(args.db)
    per_application = first_run_seconds_per_application(source)
    with tempfile.TemporaryDirectory() as work:
        url = f"sqlite:///{work}/bench.db"
        target = Store(url)
        fill_store(source, target, args.applications)
        target.close()
        shenhe = Path(sys.executable).with_name("shenhe")
        walls = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            subprocess.run([str(shenhe), "reevaluate", "--rules", args.rules, "--db", url, "--out", f"{work}/out"],
                           check=True, capture_output=True)
            walls.append(time.perf_counter() - started)
        written = len((Path(work) / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines())
    source.close()
    median = statistics.median(walls)
    report = {
        "applications": args.applications, "results_written": written,
        "reevaluate_wall_s_median": round(median, 3), "reevaluate_wall_s_runs": [round(w, 3) for w in walls],
        "process_s_per_application": round(per_application, 3),
        "reevaluate_share_of_process": round(median / (per_application * args.applications), 5),
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
