"""The hostile and broken files of fixtures/hostile.py, made for the limits in force (the defaults unless
SHENHE_* say otherwise), through one `shenhe process`: wall time, peak RSS of the process tree, and each
file's outcome.

    python -m bench.hostile_input --work WORK [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

from bench.year_scale import run_measured, stop_kept_server
from fixtures.hostile import write_hostile_batch
from pipeline.problems import limits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    work = args.work.resolve()
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    bounds = limits()
    started = time.perf_counter()
    cases = write_hostile_batch(work / "batch", work / "outside", bounds.max_file_mb, bounds.max_application_mb)
    made_s = time.perf_counter() - started
    size_mb = sum(p.stat().st_size for p in (work / "batch").rglob("*") if p.is_file() and not p.is_symlink()) >> 20
    print(f"{len(cases)} 个输入（{len({c.kind for c in cases})} 种），批次 {size_mb} MB，生成 {made_s:.0f} 秒；限制：{bounds}", flush=True)
    command = [str(Path(sys.executable).with_name("shenhe")), "process", str(work / "batch"), "--rules", "hubei-yanxuan",
               "--as-of", "2026-06-30", "--db", str(work / "data" / "s.db"), "--out", str(work / "out")]
    state = work / "data" / "prefect" / "shenhe-api.json"
    try:
        measured = run_measured(command, os.environ | {"PREFECT_HOME": str(work / "data" / "prefect")},
                                work / "process.log", state)
    finally:
        stop_kept_server(state)  # the bench leaves nothing running
    records = [json.loads(line) for line in (work / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    codes = Counter(d.get("error_code") or "ok" for r in records for d in r["documents"])
    codes.update(r["error_code"] for r in records if r.get("error_code"))
    report = {"inputs": len(cases), "kinds": len({c.kind for c in cases}), "batch_mb": size_mb, "limits": bounds.__dict__,
              **measured, "outcomes": dict(sorted(codes.items()))}
    print(f"shenhe process：{measured['wall_s']} 秒，进程树峰值内存 {measured['peak_rss_mb']} MB；结果：{report['outcomes']}")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
