"""kill -9 at random moments, over and over: after each kill the store must be consistent, and a run to
the end must give the clean run's results without reading again anything stored before the kill.

    python -m bench.kill_loop --work WORK [--trials 20] [--count 3] [--seed 5] [--json FILE]

A batch of `count` generated applications (some scanned) is processed once cleanly. Then, trial after
trial on one store, `shenhe process` is started and its whole process group killed with SIGKILL at a
random moment within the clean run's duration (a run that ends first does not count, and the next
starts from an empty store); the store is checked (SQLite's integrity check, no
duplicate rows, every content read has all its pages, every document's file read); every fourth trial
(and the last) the run is let finish, its results compared with the clean run's, and the store started
again empty, so kills land in every stage.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from pipeline.store.consistency import store_problems


def read_at(db: Path) -> dict[str, str]:
    if not db.exists():
        return {}
    with sqlite3.connect(db) as connection:
        return dict(connection.execute("select sha256, read_at from contents where read_at is not null"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    shenhe = str(Path(sys.executable).with_name("shenhe"))
    work = args.work.resolve()
    fixtures = work / "fixtures"
    if not (fixtures / "hubei-yanxuan" / "batch").is_dir():
        subprocess.run([shenhe, "fixtures", "generate", "--out", str(fixtures), "--count", str(args.count), "--seed",
                        str(args.seed), "--ruleset", "hubei-yanxuan"], check=True, stdout=subprocess.DEVNULL)
    batch = fixtures / "hubei-yanxuan" / "batch"
    as_of = json.loads((fixtures / "hubei-yanxuan" / "batch.json").read_text(encoding="utf-8"))["as_of"]
    env = os.environ | {"PREFECT_HOME": str(work / "prefect")}

    def command(db: Path, out: Path) -> list[str]:
        return [shenhe, "process", str(batch), "--rules", "hubei-yanxuan", "--as-of", as_of, "--db", str(db),
                "--out", str(out)]

    clean_db = work / "clean.db"
    for leftover in work.glob("clean.db*"):
        leftover.unlink()
    started = time.perf_counter()
    subprocess.run(command(clean_db, work / "clean"), env=env, check=True, stdout=subprocess.DEVNULL)
    clean_s = time.perf_counter() - started
    clean = (work / "clean" / "results.jsonl").read_text(encoding="utf-8")
    print(f"干净运行：{clean_s:.0f} 秒", flush=True)

    rng = random.Random(args.seed)
    db, out = work / "loop.db", work / "loop"
    trials: list[dict[str, Any]] = []
    for leftover in work.glob("loop.db*"):
        leftover.unlink()
    finished_first = 0
    while len(trials) < args.trials:
        before = read_at(db)
        moment = rng.uniform(0.5, clean_s)
        run = subprocess.Popen(command(db, out), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
        time.sleep(moment)
        if run.poll() is not None:  # it finished first: not a kill; the next starts from an empty store
            finished_first += 1
            for leftover in work.glob("loop.db*"):
                leftover.unlink()
            continue
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
        after = read_at(db)
        record = {"trial": len(trials) + 1, "killed_after_s": round(moment, 1), "store_problems": store_problems(db),
                  "read_again": sum(1 for sha, at in before.items() if after.get(sha) != at)}
        if record["trial"] % 4 == 0 or record["trial"] == args.trials:
            stored = read_at(db)
            done = subprocess.run(command(db, out), env=env, capture_output=True, text=True)
            record["completed"] = done.returncode == 0
            record["same_results"] = (out / "results.jsonl").read_text(encoding="utf-8") == clean
            record["read_again"] += sum(1 for sha, at in stored.items() if read_at(db).get(sha) != at)
            record["store_problems_after"] = store_problems(db)
            for leftover in work.glob("loop.db*"):
                leftover.unlink()
        trials.append(record)
        print(json.dumps(record, ensure_ascii=False), flush=True)
    survived = sum(1 for t in trials if not t["store_problems"] and not t["read_again"] and not t.get("store_problems_after")
                   and t.get("same_results", True) and t.get("completed", True))
    report = {"clean_run_s": round(clean_s, 1), "trials": trials, "survived": survived, "finished_before_kill": finished_first}
    print(f"kill -9：{len(trials)} 次（另有 {finished_first} 次在杀死前已运行完，不计），存储一致、未重读、结果相同的 {survived} 次",
          flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
