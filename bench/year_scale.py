"""A year's batch through `shenhe process`: pages/s, peak RSS of the whole process tree, the cached
re-run, 1 vs 2 OCR workers on scanned pages, and Prefect's overhead.

    shenhe fixtures generate --out DIR --count 200 --ruleset hubei-yanxuan --mix year
    python -m bench.year_scale --fixtures DIR/hubei-yanxuan --work WORK [--sizes 50 100 200]
                               [--scanned 6] [--repeat 3] [--json FILE]

Each size is the generated batch's first N applications (hard links, no copies), run twice on a
fresh SQLite store: the first run reads everything, the second finds it all stored. Every run is a
separate `shenhe process` with one shared Prefect home, warmed first, as an installed system has. The
Prefect API a command keeps running for the next (flows.settings) counts in every run's peak RSS; each
cached re-run is measured again with SHENHE_PREFECT_KEEP_SECONDS=0 (an API started for it alone).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from fixtures.documents import BORN_DIGITAL
from pipeline.intake import application_entries


def tree_rss(root: psutil.Process) -> int:
    """Resident bytes of a process and all its descendants now (0 for any that just ended)."""
    total = 0
    for proc in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += proc.memory_info().rss
    return total


def kept_server(state: Path) -> psutil.Process | None:
    """The Prefect API a command left running for the next one, from its state file."""
    with contextlib.suppress(OSError, ValueError, KeyError, psutil.Error):
        return psutil.Process(json.loads(state.read_text(encoding="utf-8"))["pid"])
    return None


def stop_kept_server(state: Path) -> None:
    server = kept_server(state)
    if server is not None:
        with contextlib.suppress(psutil.Error):
            server.terminate()
            server.wait(30)


def run_measured(command: list[str], env: dict[str, str], log: Path, state: Path) -> dict[str, float]:
    """Run a command to its end: wall seconds and the peak RSS of its process tree and of the Prefect API
    kept for it (`state`), sampled every 0.1 s."""
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
        root = psutil.Process(child.pid)
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                with contextlib.suppress(psutil.Error):
                    server = kept_server(state)
                    outside = server is not None and server.pid not in {p.pid for p in root.children(recursive=True)}
                    peak = max(peak, tree_rss(root) + (server.memory_info().rss if outside else 0))
                done.wait(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = child.wait()
        done.set()
        sampler.join()
    if code != 0:
        raise RuntimeError(f"{' '.join(command)} 退出码 {code}，见 {log}")
    return {"wall_s": round(time.perf_counter() - started, 2), "peak_rss_mb": round(peak / 2**20)}


def last_run_counts(db_file: Path) -> dict[str, Any]:
    """The counts the newest run stored (files read, pages, OCR pages, flow seconds)."""
    with sqlite3.connect(db_file) as db:
        row = db.execute("SELECT counts FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    return json.loads(row[0])


def link_subset(source_batch: Path, names: list[str], target: Path) -> Path:
    """A batch folder holding the named applications as hard links (the intake skips symbolic links)."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in names:
        entry = source_batch / name
        if entry.is_dir():
            shutil.copytree(entry, target / name, copy_function=os.link)
        else:
            os.link(entry, target / name)
    return target


def paper_applications(fixtures: Path) -> list[str]:
    """Entries of applications that sent no born-digital file, from the batch's truth."""
    paper = set()
    for line in (fixtures / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if not any(d["format"] in BORN_DIGITAL for d in record["documents"]):
            paper.add(record["application_id"])
    return [e.name for e in application_entries(fixtures / "batch") if e.name.removesuffix(".zip") in paper]


class Bench:
    """Runs `shenhe process` on batches under `work`, one shared Prefect home."""

    def __init__(self, fixtures: Path, work: Path) -> None:
        self.fixtures = fixtures
        self.work = work
        manifest = json.loads((fixtures / "batch.json").read_text(encoding="utf-8"))
        self.ruleset, self.as_of = manifest["ruleset"], manifest["as_of"]
        self.env = os.environ | {"PREFECT_HOME": str(work / "prefect")}
        self.state = work / "prefect" / "shenhe-api.json"
        self.shenhe = str(Path(sys.executable).with_name("shenhe"))

    def process(self, batch: Path, store: Path, out: Path, workers: int = 0, keep: bool = True) -> dict[str, Any]:
        command = [self.shenhe, "process", str(batch), "--rules", self.ruleset, "--as-of", self.as_of,
                   "--db", f"sqlite:///{store}", "--out", str(out)] + (["--workers", str(workers)] if workers else [])
        env = self.env if keep else self.env | {"SHENHE_PREFECT_KEEP_SECONDS": "0"}
        measured = run_measured(command, env, out.with_suffix(".log"), self.state)
        counts = last_run_counts(store)
        pages = counts["pages"]
        return measured | {"flow_s": counts["seconds"], "applications": counts["applications"], "files_read": counts["files_read"],
                           "pages": pages, "ocr_pages": counts["ocr_pages"],
                           "pages_per_s": round(pages / measured["wall_s"], 2) if pages else 0.0,
                           "ocr_pages_per_flow_s": round(counts["ocr_pages"] / counts["seconds"], 3) if pages else 0.0}

    def fresh(self, name: str) -> Path:
        folder = self.work / name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        return folder

    def empty_batch(self, repeat: int) -> dict[str, Any]:
        """The flow with no documents: Prefect's and the CLI's own cost, with the API kept from the
        command before and with an API started for each command alone (a first run warms the home)."""
        stop_kept_server(self.state)
        folder = self.fresh("empty")
        (folder / "batch").mkdir()
        self.process(folder / "batch", folder / "shenhe.db", folder / "out-warming")  # also starts the kept API
        runs: dict[str, list[dict[str, Any]]] = {"kept": [], "alone": []}
        for k in range(repeat):
            for mode in runs:
                runs[mode].append(self.process(folder / "batch", folder / "shenhe.db", folder / f"out-{mode}{k}",
                                               keep=mode == "kept"))
        return {"runs": runs} | {f"median_wall_s_{mode}": statistics.median(r["wall_s"] for r in runs[mode]) for mode in runs}

    def size(self, count: int) -> dict[str, Any]:
        """First and cached run of the batch's first `count` applications."""
        folder = self.fresh(f"size-{count}")
        names = [e.name for e in application_entries(self.fixtures / "batch")][:count]
        if len(names) < count:
            raise SystemExit(f"{self.fixtures} 只有 {len(names)} 个申请，少于 {count}")
        batch = link_subset(self.fixtures / "batch", names, folder / "batch")
        first = self.process(batch, folder / "shenhe.db", folder / "out1")
        again = self.process(batch, folder / "shenhe.db", folder / "out2")
        alone = self.process(batch, folder / "shenhe.db", folder / "out3", keep=False)
        same = len({(folder / out / "results.jsonl").read_bytes() for out in ("out1", "out2", "out3")}) == 1
        return {"applications": count, "first": first, "again": again, "again_alone": alone, "same_results": same,
                "again_over_first": round(again["wall_s"] / first["wall_s"], 4),
                "again_alone_over_first": round(alone["wall_s"] / first["wall_s"], 4)}

    def workers(self, scanned: int, repeat: int, counts: tuple[int, ...] = (1, 2)) -> dict[str, Any]:
        """The same scanned applications read with 1 and with 2 OCR workers, alternating, each run on a
        fresh store; throughput is OCR pages per second of flow time, medians over `repeat` runs."""
        names = paper_applications(self.fixtures)[:scanned]
        folder = self.fresh("workers")
        batch = link_subset(self.fixtures / "batch", names, folder / "batch")
        runs: dict[int, list[dict[str, Any]]] = {w: [] for w in counts}
        for k in range(repeat):
            for workers in counts:
                out = folder / f"out-w{workers}-{k}"
                runs[workers].append(self.process(batch, folder / f"w{workers}-{k}.db", out, workers))
        same = len({(folder / f"out-w{w}-{k}" / "results.jsonl").read_bytes() for w in counts for k in range(repeat)}) == 1
        median = {w: statistics.median(r["ocr_pages_per_flow_s"] for r in runs[w]) for w in counts}
        return {"applications": names, "runs": runs, "median_ocr_pages_per_flow_s": median, "same_results": same,
                "speedup": round(median[counts[-1]] / median[counts[0]], 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, required=True, help="一个 --mix year 生成的规则集目录（含 batch/、truth.jsonl）")
    parser.add_argument("--work", type=Path, required=True, help="工作目录（会被清空重建的子目录放在这里）")
    parser.add_argument("--sizes", type=int, nargs="*", default=[50, 100, 200])
    parser.add_argument("--scanned", type=int, default=6, help="比较 1 与 2 个 OCR 进程所用的全扫描申请数（0 跳过）")
    parser.add_argument("--repeat", type=int, default=3, help="空批次运行次数；1 与 2 个 OCR 进程各运行的次数")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    bench = Bench(args.fixtures.resolve(), args.work.resolve())
    report: dict[str, Any] = {"fixtures": str(args.fixtures), "cpus": os.cpu_count()}

    def save() -> None:  # after every stage: a long run stopped halfway keeps what it measured
        if args.json:
            args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    try:
        measure(bench, args, report, save)
    finally:
        stop_kept_server(bench.state)  # the bench leaves nothing running


def measure(bench: Bench, args: argparse.Namespace, report: dict[str, Any], save: Any) -> None:
    report["empty_batch"] = empty = bench.empty_batch(args.repeat)
    print(f"空批次（Prefect 与 CLI 自身开销）：中位数 {empty['median_wall_s_kept']:.1f} 秒（沿用上一命令的 Prefect 服务），"
          f"{empty['median_wall_s_alone']:.1f} 秒（每个命令自启服务）", flush=True)
    save()
    if args.scanned:  # first, while the machine is quietest
        report["workers"] = bench.workers(args.scanned, args.repeat)
        w = report["workers"]
        print(f"全扫描 {len(w['applications'])} 个申请（{w['runs'][1][0]['ocr_pages']} 页 OCR，各 {args.repeat} 次，中位数）："
              f"1 个 OCR 进程 {w['median_ocr_pages_per_flow_s'][1]:.3f} 页/秒，"
              f"2 个 {w['median_ocr_pages_per_flow_s'][2]:.3f} 页/秒，加速 {w['speedup']:.2f}×；结果{'相同' if w['same_results'] else '不同！'}", flush=True)
        save()
    report["sizes"] = []
    for count in args.sizes:
        result = bench.size(count)
        report["sizes"].append(result)
        first, again = result["first"], result["again"]
        print(f"{count} 个申请：首次 {first['wall_s']:.0f} 秒（{first['pages']} 页，OCR {first['ocr_pages']} 页，"
              f"{first['pages_per_s']:.2f} 页/秒，进程树峰值内存 {first['peak_rss_mb']} MB）；"
              f"再次 {again['wall_s']:.1f} 秒 = 首次的 {100 * result['again_over_first']:.2f}%，"
              f"峰值内存 {again['peak_rss_mb']} MB（自启服务时 {result['again_alone']['wall_s']:.1f} 秒 = "
              f"{100 * result['again_alone_over_first']:.2f}%）；结果{'相同' if result['same_results'] else '不同！'}", flush=True)
        save()
    if report["sizes"]:
        base = report["sizes"][0]
        report["overhead_over_first_size"] = round(report["empty_batch"]["median_wall_s_alone"] / base["first"]["wall_s"], 4)
        report["rss_largest_over_smallest"] = round(report["sizes"][-1]["first"]["peak_rss_mb"] / base["first"]["peak_rss_mb"], 3)
        print(f"Prefect 开销（每个命令自启服务）= {base['applications']} 个申请首次用时的 {100 * report['overhead_over_first_size']:.1f}%；"
              f"峰值内存 {report['sizes'][-1]['applications']} 个 ÷ {base['applications']} 个 = {report['rss_largest_over_smallest']:.2f}", flush=True)
    save()


if __name__ == "__main__":
    main()
