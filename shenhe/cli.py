"""The `shenhe` command."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shenhe import __version__

BUILTIN_RULESETS = ("hubei-yanxuan", "changzhi-shifan")

app = typer.Typer(help="审核：读取中小企业服务机构的申报材料，告诉评审人员材料实际证明了什么。",
                  no_args_is_help=True, add_completion=False)
fixtures_app = typer.Typer(help="生成带真值的测试申报批次。", no_args_is_help=True)
app.add_typer(fixtures_app, name="fixtures")
console = Console()


def _version(value: bool) -> None:
    if value:
        console.print(f"shenhe {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本号并退出。")] = False,
) -> None:
    """审核 (shenhe)."""


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console)


def _check_ruleset(rules: str) -> str:
    if rules in BUILTIN_RULESETS or Path(rules).is_file():
        return rules
    console.print(f"[red]未知的规则集：{rules}[/red]（内置：{'、'.join(BUILTIN_RULESETS)}，或给出规则文件路径）")
    raise typer.Exit(2)


@app.command()
def process(
    batch: Annotated[Path, typer.Argument(help="批次目录：每个申请一个子目录或一个 .zip")],
    rules: Annotated[str, typer.Option("--rules", help="规则集 id 或规则文件路径")],
    as_of: Annotated[str, typer.Option("--as-of", help="评审基准日 YYYY-MM-DD")],
    db: Annotated[str | None, typer.Option("--db", help="数据库 URL（默认：工作目录下的内嵌数据库）")] = None,
    out: Annotated[Path, typer.Option("--out", help="输出目录，写入 results.jsonl")] = Path("out"),
) -> None:
    """读取批次中的每个申请并写出 results.jsonl（当前版本：收件清点，识别与评估尚在开发）。"""
    from models.results import ApplicationResult, DocumentResult, write_results
    from pipeline.intake import read_batch

    ruleset = _check_ruleset(rules)
    try:
        as_of_day = date.fromisoformat(as_of)
    except ValueError:
        console.print(f"[red]--as-of 日期格式不正确：{as_of}（应为 YYYY-MM-DD）[/red]")
        raise typer.Exit(2) from None
    if not batch.is_dir():
        console.print(f"[red]批次目录不存在或不是目录：{batch}[/red]")
        raise typer.Exit(2)
    entries = [e for e in sorted(batch.iterdir()) if e.is_dir() or e.suffix.lower() == ".zip"]
    records, errors, files = [], 0, 0
    with _progress() as bar:
        task = bar.add_task("清点申请", total=len(entries))
        for intake in read_batch(batch):
            documents = [DocumentResult(path=f.path, sha256=f.sha256, doc_type=None, pages=f.pages,
                                        status="error" if f.error else "ok", error=f.error, kind=f.kind)
                         for f in intake.files]
            for f in intake.files:
                if f.error:
                    errors += 1
                    console.print(f"[yellow]{intake.application_id}/{f.path}：{f.error}[/yellow]")
            if intake.error:
                console.print(f"[red]{intake.application_id}：{intake.error}[/red]")
            files += len(intake.files)
            records.append(ApplicationResult(application_id=intake.application_id, ruleset=Path(ruleset).stem,
                                             ruleset_version="unversioned", as_of=as_of_day.isoformat(), documents=documents))
            bar.advance(task)
    write_results(records, out / "results.jsonl")
    console.print(f"已清点 {len(records)} 个申请、{files} 个文件，其中 {errors} 个文件无法读取；结果写入 {out / 'results.jsonl'}")
    console.print("[dim]说明：本版本只完成收件清点（文件、哈希、格式、页数、损坏检测）；文档分类、事实抽取与规则评估将在后续版本提供。[/dim]")


@app.command("eval")
def evaluate(
    truth: Annotated[Path, typer.Option("--truth", help="真值文件 truth.jsonl")],
    results: Annotated[Path, typer.Option("--results", help="待评测的 results.jsonl")],
    json_out: Annotated[Path | None, typer.Option("--json", help="另存全部指标为 JSON")] = None,
) -> None:
    """用真值给一份 results.jsonl 打分。"""
    from fixtures.evaluate import score

    for p in (truth, results):
        if not p.is_file():
            console.print(f"[red]文件不存在：{p}[/red]")
            raise typer.Exit(2)
    s = score(truth, results)
    summary = s.summary()
    table = Table(title=f"评测：{results}（对照 {truth}）")
    table.add_column("指标")
    table.add_column("数值", justify="right")

    def pct(v: float | None) -> str:
        return "—" if v is None else f"{v:.1%}"

    apps = summary["applications"]
    rows = [
        ("申请（结果/真值）", f"{apps['found']}/{apps['expected']}"),
        ("文档类型准确率", pct(summary["doc_type_accuracy"])),
        ("文档读取状态准确率", pct(summary["doc_status_accuracy"])),
        ("事实准确率（全部键）", pct(summary["fact_accuracy"])),
        ("申报数据准确率", pct(summary["claim_accuracy"])),
        ("不一致项 精确率 / 召回率", f"{pct(summary['mismatch_precision'])} / {pct(summary['mismatch_recall'])}"),
        ("规则结论一致率", pct(summary["rule_agreement"])),
        ("规则依据一致率", pct(summary["rule_basis_agreement"])),
        ("决定准确率（全部 / 材料清晰的）", f"{pct(summary['decision_accuracy'])} / {pct(summary['decision_accuracy_legible'])}"),
        ("误通过 / 误否决", f"{summary['false_accepts']} / {summary['false_rejects']}"),
        ("转人工复核比例", pct(summary["review_rate"])),
        ("标记 精确率 / 召回率", f"{pct(summary['flag_precision'])} / {pct(summary['flag_recall'])}"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)
    weak = {k: v for k, v in summary["fact_accuracy_by_key"].items() if v is not None and v < 1}
    if weak:
        console.print("事实键准确率低于100%：" + "，".join(f"{k} {v:.0%}" for k, v in sorted(weak.items(), key=lambda kv: kv[1])[:15]))
    for line in apps["bad_lines"][:10]:
        console.print(f"[yellow]{line}[/yellow]")
    if apps["unknown"]:
        console.print(f"[yellow]结果中有 {len(apps['unknown'])} 个真值里没有的申请：{'、'.join(apps['unknown'][:10])}[/yellow]")
    if json_out:
        json_out.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")


@fixtures_app.command("generate")
def fixtures_generate(
    out: Annotated[Path, typer.Option("--out", help="输出目录；每个规则集一个子目录")],
    count: Annotated[int, typer.Option("--count", min=1, help="每个规则集的申请数")] = 40,
    seed: Annotated[int, typer.Option("--seed", help="随机种子：同一种子生成的文件逐字节相同")] = 1,
    ruleset: Annotated[list[str] | None, typer.Option("--ruleset", help="只生成这些规则集（可重复）")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="评审基准日（默认按规则集）")] = None,
) -> None:
    """生成申报批次（batch/）、真值（truth.jsonl）和说明（batch.json）。"""
    from fixtures.generate import generate_batch
    from fixtures.render.fonts import FontsMissing

    chosen = ruleset or list(BUILTIN_RULESETS)
    for name in chosen:
        if name not in BUILTIN_RULESETS:
            console.print(f"[red]未知的规则集：{name}[/red]")
            raise typer.Exit(2)
    day = date.fromisoformat(as_of) if as_of else None
    with _progress() as bar:
        for name in chosen:
            task = bar.add_task(f"生成 {name}", total=count)
            try:
                paths = generate_batch(out / name, name, count, seed, day, progress=lambda done, _total, t=task: bar.update(t, completed=done))
            except (FontsMissing, FileExistsError) as exc:
                console.print(f"[red]{exc}[/red]")
                raise typer.Exit(2) from None
            console.print(f"{name}：{paths.batch}（真值 {paths.truth}）")
