"""The `shenhe` command."""

from __future__ import annotations

import contextlib
import json
import os
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from shenhe import __version__

if TYPE_CHECKING:
    from models.rules import RuleSet

FIXTURE_RULESETS = ("hubei-yanxuan", "changzhi-shifan")  # the measures fixtures/ can generate batches for

app = typer.Typer(help="审核：读取中小企业服务机构的申报材料，告诉评审人员材料实际证明了什么。",
                  no_args_is_help=True, add_completion=False)
fixtures_app = typer.Typer(help="生成带真值的测试申报批次。", no_args_is_help=True)
app.add_typer(fixtures_app, name="fixtures")
rules_app = typer.Typer(help="规则集：列出、查看、比较。", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
users_app = typer.Typer(help="网页端账号。", no_args_is_help=True)
app.add_typer(users_app, name="users")
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


def _ruleset(name: str) -> RuleSet:
    """The rule set a --rules value names, or exit 2 with what is wrong."""
    from rules import RuleSetError, load_ruleset

    try:
        return load_ruleset(name)
    except RuleSetError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


@app.command()
def process(
    batch: Annotated[Path, typer.Argument(help="批次目录：每个申请一个子目录或一个 .zip")],
    rules: Annotated[str, typer.Option("--rules", help="规则集 id 或规则文件路径")],
    as_of: Annotated[str, typer.Option("--as-of", help="评审基准日 YYYY-MM-DD")],
    db: Annotated[str | None, typer.Option("--db", help="数据库 URL（默认：工作目录下的内嵌数据库 data/shenhe.db）")] = None,
    out: Annotated[Path, typer.Option("--out", help="输出目录，写入 results.jsonl")] = Path("out"),
    ocr_engine: Annotated[str, typer.Option("--ocr-engine", help="OCR 引擎：rapidocr（默认）、tesseract、paddleocr")] = "rapidocr",
    workers: Annotated[int, typer.Option("--workers", help="并行 OCR 进程数（默认：CPU 核数）")] = 0,
    cluster: Annotated[str | None, typer.Option("--cluster", help="Dask 调度器地址（如 tcp://10.0.0.5:8786），在集群上读取文件")] = None,
) -> None:
    """读取批次中的每个申请：识别每个文档、读取每页文字并入库，写出 results.jsonl。"""
    from pipeline.export import DECISION_NAMES
    from pipeline.intake import application_entries
    from pipeline.ocr import OcrUnavailable, make_engine

    _ruleset(rules)  # refused here, with its message, before any work starts
    as_of_day = _check_date(as_of)
    if not batch.is_dir():
        console.print(f"[red]批次目录不存在或不是目录：{batch}[/red]")
        raise typer.Exit(2)
    from flows.settings import data_dir_of, temporary_files_in

    with temporary_files_in(data_dir_of(db)):  # entered before the readers (onnxruntime) are imported
        server = _start_prefect(db)
        try:
            try:
                make_engine(ocr_engine)
            except OcrUnavailable as exc:
                console.print(f"[red]{exc}[/red]")
                raise typer.Exit(2) from None
            _open_store(db).close()  # the store opens (and is migrated) before the flow starts
            entries = application_entries(batch)
            from flows.batch import run_batch  # Prefect's import, while its API starts
            from flows.settings import without_heartbeats

            if server is not None:
                try:
                    server.wait_ready()
                except RuntimeError as exc:
                    console.print(f"[red]{exc}[/red]")
                    raise typer.Exit(2) from None

            with without_heartbeats() if server is not None else contextlib.nullcontext():
                done = _run_with_progress(run_batch, batch, entries, rules, as_of_day.isoformat(), db, ocr_engine, workers,
                                          cluster, out)
        finally:
            if server is not None:
                server.stop()
    counts = done.counts
    console.print(f"已处理 {counts.applications} 个申请、{counts.files} 个文件、{counts.documents} 个文档；"
                  f"新读取 {counts.files_read} 个文件（{counts.pages} 页，其中 OCR {counts.ocr_pages} 页），"
                  f"沿用已读取 {counts.files_reused} 个；{counts.file_errors} 个文件无法读取；用时 {counts.seconds:.1f} 秒")
    console.print("结论：" + "，".join(f"{DECISION_NAMES[d]} {done.decisions[d]}" for d in DECISION_NAMES if done.decisions.get(d)))
    console.print(f"结果写入 {out / 'results.jsonl'}")


@app.command()
def reevaluate(
    rules: Annotated[str, typer.Option("--rules", help="规则集 id、id@版本 或规则文件路径")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="评审基准日 YYYY-MM-DD（默认：各申请原来的基准日）")] = None,
    db: Annotated[str | None, typer.Option("--db", help="数据库 URL（默认：工作目录下的内嵌数据库 data/shenhe.db）")] = None,
    out: Annotated[Path, typer.Option("--out", help="输出目录，写入 results.jsonl")] = Path("out"),
) -> None:
    """按规则集重新评估所有已入库的申请（不重新读取任何文件），列出结论有变化的申请及原因。"""
    from models.results import write_results
    from pipeline.export import DECISION_NAMES, STATUS_NAMES
    from pipeline.reevaluate import reevaluate as reevaluate_stored

    ruleset = _ruleset(rules)
    day = _check_date(as_of).isoformat() if as_of else None
    store = _open_store(db)
    started = time.perf_counter()
    if os.environ.get("PREFECT_API_URL"):  # a Prefect server runs: the run shows in its UI
        from flows.reevaluate import reevaluate_stored as reevaluate_flow

        store.close()
        done = reevaluate_flow(rules, day, db)
    else:  # Prefect's ephemeral API would take longer to start than the work takes
        done = reevaluate_stored(store, ruleset, day)
        store.close()
    write_results(done.records, out / "results.jsonl")
    console.print(f"已按 {ruleset.title}（{ruleset.id} {ruleset.version}）重新评估 {len(done.records)} 个申请，"
                  f"用时 {time.perf_counter() - started:.2f} 秒；结论变化 {len(done.changes)} 个。")
    if done.changes:
        table = Table("申请编号", "原结论", "新结论", "变化的规则")
        for change in done.changes:
            moved = "\n".join(f"{rule_id}：{STATUS_NAMES.get(old or '', '—')}→{STATUS_NAMES[new]}（{reason}）"
                              for rule_id, old, new, reason in change.rules)
            table.add_row(change.application_id, f"{DECISION_NAMES.get(change.before or '', '未评估')}（{change.before_ruleset}）",
                          DECISION_NAMES[change.after], moved)
        console.print(table)
    console.print(f"结果写入 {out / 'results.jsonl'}")


@app.command()
def export(
    format: Annotated[str, typer.Option("--format", help="jsonl 或 xlsx")],
    out: Annotated[Path, typer.Option("--out", help="输出文件")],
    db: Annotated[str | None, typer.Option("--db", help="数据库 URL（默认：工作目录下的内嵌数据库）")] = None,
) -> None:
    """导出已入库的结果（每个申请最新的一条）。"""
    from pipeline.export import export_jsonl, export_xlsx

    if format not in ("jsonl", "xlsx"):
        console.print(f"[red]不支持的导出格式：{format}（可选 jsonl、xlsx）[/red]")
        raise typer.Exit(2)
    store = _open_store(db)
    count = (export_jsonl if format == "jsonl" else export_xlsx)(store, out)
    store.close()
    console.print(f"已导出 {count} 个申请的结果：{out}")


@app.command()
def serve(
    db: Annotated[str | None, typer.Option("--db", help="数据库 URL（默认：工作目录下的内嵌数据库）")] = None,
    host: Annotated[str, typer.Option("--host", help="监听地址（对外开放用 0.0.0.0，并放在 HTTPS 反向代理之后）")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口")] = 8000,
    secure_cookies: Annotated[bool, typer.Option("--secure-cookies", help="只经 HTTPS 发送登录 Cookie（经 HTTPS 反向代理提供服务时打开）")] = False,
) -> None:
    """评审人员的网页：申请总览、证据对照、人工改写与审核记录、规则更新、导出。未登录者只看到登录页。"""
    import uvicorn

    from web import create_app

    try:
        application = create_app(db, secure_cookies=secure_cookies)
    except Exception as exc:  # the store cannot be opened: said plainly
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    console.print(f"审核网页：http://{host}:{port}/（Ctrl+C 停止）")
    uvicorn.run(application, host=host, port=port, log_level="warning")


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="账号名")],
    role: Annotated[str, typer.Option("--role", help="reviewer（省级评审人员）、unit（推荐单位）或 admin（管理员）")],
    unit: Annotated[str | None, typer.Option("--unit", help="推荐单位名称（unit 账号必填，与推荐表上的名称一致）")] = None,
    db: Annotated[str | None, typer.Option("--db", help="数据库 URL（默认：工作目录下的内嵌数据库）")] = None,
) -> None:
    """开设网页账号；密码从标准输入读取（终端中输入两次，不回显）。"""
    import getpass
    import sys

    from pipeline.store import StoreError
    from web.auth import ROLES, hash_password

    if role not in ROLES:
        console.print(f"[red]未知的角色：{role}（可选：{'、'.join(ROLES)}）[/red]")
        raise typer.Exit(2)
    if role == "unit" and not (unit or "").strip():
        console.print("[red]推荐单位账号须用 --unit 给出单位名称[/red]")
        raise typer.Exit(2)
    if role != "unit" and unit:
        console.print("[red]只有推荐单位账号（--role unit）才有 --unit[/red]")
        raise typer.Exit(2)
    if not name.strip() or len(name) > 100:
        console.print("[red]账号名不能为空，且不超过 100 个字符[/red]")
        raise typer.Exit(2)
    if sys.stdin.isatty():
        password = getpass.getpass("密码：")
        if getpass.getpass("再输入一次：") != password:
            console.print("[red]两次输入的密码不一致[/red]")
            raise typer.Exit(2)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 8:
        console.print("[red]密码至少 8 个字符[/red]")
        raise typer.Exit(2)
    store = _open_store(db)
    try:
        store.add_account(name.strip(), role, unit.strip() if unit else None, hash_password(password))
    except StoreError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    finally:
        store.close()
    console.print(f"已开设账号 {name.strip()}（{ROLES[role]}{'：' + unit.strip() if unit else ''}）")


@app.command()
def deploy(
    pool: Annotated[str, typer.Option("--pool", help="Prefect 工作池名称（不存在时创建，类型 process）")],
    name: Annotated[str, typer.Option("--name", help="部署名称")] = "shenhe",
) -> None:
    """把批处理流程部署到 Prefect 工作池：装有 shenhe 并运行 `prefect worker start --pool 工作池` 的机器都可以执行批次。"""
    if not os.environ.get("PREFECT_API_URL"):
        console.print("[red]请先设置 PREFECT_API_URL，指向各台机器共用的 Prefect 服务器（如 http://10.0.0.5:4200/api）[/red]")
        raise typer.Exit(2)
    import httpx

    from flows.deploy import deploy_batch_flow

    try:
        done = deploy_batch_flow(pool, name)
    except httpx.ConnectError as exc:
        console.print(f"[red]无法连接 Prefect 服务器 {os.environ['PREFECT_API_URL']}：{exc}[/red]")
        raise typer.Exit(1) from None
    except Exception as exc:  # the server's refusal, worded by Prefect: shown, not a traceback
        console.print(f"[red]部署失败：{type(exc).__name__}：{exc}[/red]")
        raise typer.Exit(1) from None
    console.print(f"工作池 {pool}{'（新建）' if done.pool_created else ''}；部署 {done.full_name}（{done.deployment_id}）")
    console.print(f"在每台执行批次的机器上：prefect worker start --pool {pool}")
    console.print(f"提交一个批次：prefect deployment run '{done.full_name}' --params "
                  "'{\"batch\": \"/srv/2026/batch\", \"rules\": \"hubei-yanxuan\", \"as_of\": \"2026-06-30\", "
                  "\"out\": \"/srv/2026/out\", \"db\": \"postgresql://…\", \"cluster\": \"tcp://…:8786\"}'")


def _check_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        console.print(f"[red]--as-of 日期格式不正确：{text}（应为 YYYY-MM-DD）[/red]")
        raise typer.Exit(2) from None


def _open_store(db: str | None):
    from pipeline.store import Store, StoreError

    try:
        return Store(db)
    except StoreError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


def _start_prefect(db: str | None):
    """Prefect set up for this store's data folder (an embedded default), its API starting already."""
    from flows.settings import data_dir_of, start_embedded_server

    try:
        server = start_embedded_server(data_dir_of(db))
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    if server is not None and server.started_now and server.keep_seconds > 0:
        console.print(f"[dim]已在后台启动 Prefect 服务（{server.api_url}），空闲 {server.keep_seconds / 60:g} 分钟后自行退出，"
                      "供随后的命令直接使用；设 SHENHE_PREFECT_KEEP_SECONDS=0 则随命令退出。[/dim]")
    return server


def _run_with_progress(run_batch, batch: Path, entries: list[Path], rules: str, as_of: str, db: str | None,
                       ocr_engine: str, workers: int, cluster: str | None, out: Path):
    """The batch flow run under a progress bar (applications, files, documents, pages, pages/s, ETA)."""
    with _run_progress() as bar:
        task = bar.add_task("读取申请", total=len(entries), files=0, documents=0, pages=0, rate="—")
        started = time.perf_counter()
        tally = {"files": 0, "documents": 0, "pages": 0}

        def listen(event: str, data: dict) -> None:
            if event == "file":
                tally["files"] += 1
                tally["pages"] += data.get("pages", 0)
                if data.get("error"):
                    bar.console.print(f"[yellow]{data['path']}：{data['error']}[/yellow]")
            elapsed = max(time.perf_counter() - started, 1e-6)
            if event == "application":
                tally["documents"] += data.get("documents", 0)
            bar.update(task, advance=1 if event == "application" else 0, files=tally["files"],
                       documents=tally["documents"], pages=tally["pages"],
                       rate=f"{tally['pages'] / elapsed:.1f}")
            if event == "application" and not console.is_terminal:  # a log file gets one line per application
                done = int(bar.tasks[0].completed)
                console.print(f"[{done}/{len(entries)}] {data['application_id']}：累计文件 {tally['files']}，文档 {tally['documents']}，"
                              f"页 {tally['pages']}，{tally['pages'] / elapsed:.1f} 页/秒")

        return run_batch(batch, rules, as_of, db, ocr_engine, workers, cluster, listen, out)


def _run_progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("文件 {task.fields[files]}"), TextColumn("文档 {task.fields[documents]}"),
                    TextColumn("页 {task.fields[pages]}"),
                    TextColumn("{task.fields[rate]} 页/秒"), TimeElapsedColumn(), TimeRemainingColumn(), console=console)


@app.command("eval")
def evaluate(
    truth: Annotated[Path, typer.Option("--truth", help="真值文件 truth.jsonl")],
    results: Annotated[Path, typer.Option("--results", help="待评测的 results.jsonl")],
    json_out: Annotated[Path | None, typer.Option("--json", help="另存全部指标为 JSON")] = None,
) -> None:
    """用真值给一份 results.jsonl 打分。"""
    from fixtures.evaluate import CONFIDENT, score

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
    families = summary["families"]
    if len(families) > 1:
        table.add_column("全部", justify="right")
        for name in families:
            table.add_column(f"样式 {name}", justify="right")
    elif families:
        table.title = f"{table.title}（样式 {next(iter(families))}）"
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
        ("专职人数完全正确的申请", pct(summary["staff_fulltime_count_exact"])),
    ]
    for name, value in rows:
        table.add_row(name, value, *([_family_cell(name, s.families[f].summary(), pct) for f in families]
                                     if len(families) > 1 else []))
    console.print(table)
    by_type = summary["doc_type_accuracy_by_type"]
    if by_type:
        console.print("文档类型准确率（按类型）：" + "，".join(f"{k} {v:.0%}" for k, v in by_type.items() if v is not None))
    if summary["doc_type_confusion"]:
        console.print("[yellow]类型判错：" + "，".join(f"{k}×{n}" for k, n in summary["doc_type_confusion"].items()) + "[/yellow]")
    by_condition = summary["fact_accuracy_by_condition"]
    if by_condition:
        console.print("事实准确率（按文档状况）：" + "，".join(f"{k} {v:.1%}" for k, v in by_condition.items() if v is not None)
                      + f"；全部降质文档 {pct(summary['fact_accuracy_degraded'])}")
    weak_forms = {k: v for k, v in summary["fact_accuracy_by_form"].items() if v is not None and v < 1}
    if weak_forms:
        console.print("事实准确率（按版式或页面形式，低于100%的）：" + "，".join(f"{k} {v:.1%}" for k, v in sorted(weak_forms.items())))
    weak_degraded = {k: v for k, v in summary["fact_accuracy_degraded_by_key"].items() if v is not None and v < 1}
    if weak_degraded:
        console.print("降质文档上低于100%的事实键：" + "，".join(f"{k} {v:.1%}" for k, v in sorted(weak_degraded.items(), key=lambda kv: kv[1])))
    console.print(f"未读出的事实 {summary['facts_missing']}；读错的 {summary['facts_wrong']}，"
                  f"其中置信度≥{CONFIDENT:.0%}的 {summary['facts_wrong_confident']}")
    weak = {k: v for k, v in summary["fact_accuracy_by_key"].items() if v is not None and v < 1}
    if weak:
        console.print("事实键准确率低于100%：" + "，".join(f"{k} {v:.0%}" for k, v in sorted(weak.items(), key=lambda kv: kv[1])[:15]))
    bands = summary["fact_accuracy_by_confidence"]
    if bands:
        console.print("置信度校准（读出的事实按置信度分段：正确/总数）：" + "，".join(
            f"{band} {b['right']}/{b['total']}（{pct(b['rate'])}）" for band, b in bands.items()))
    for line in apps["bad_lines"][:10]:
        console.print(f"[yellow]{line}[/yellow]")
    if apps["unknown"]:
        console.print(f"[yellow]结果中有 {len(apps['unknown'])} 个真值里没有的申请：{'、'.join(apps['unknown'][:10])}[/yellow]")
    if json_out:
        json_out.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")


# The eval table's rows, by the summary keys each shows (for the per-family columns).
EVAL_ROW_KEYS = {
    "申请（结果/真值）": None, "文档类型准确率": "doc_type_accuracy", "文档读取状态准确率": "doc_status_accuracy",
    "事实准确率（全部键）": "fact_accuracy", "申报数据准确率": "claim_accuracy",
    "不一致项 精确率 / 召回率": ("mismatch_precision", "mismatch_recall"), "规则结论一致率": "rule_agreement",
    "规则依据一致率": "rule_basis_agreement",
    "决定准确率（全部 / 材料清晰的）": ("decision_accuracy", "decision_accuracy_legible"),
    "误通过 / 误否决": ("false_accepts", "false_rejects"), "转人工复核比例": "review_rate",
    "标记 精确率 / 召回率": ("flag_precision", "flag_recall"), "专职人数完全正确的申请": "staff_fulltime_count_exact",
}


def _family_cell(row: str, summary: dict, pct) -> str:
    """One family's figure for an eval table row."""
    keys = EVAL_ROW_KEYS[row]
    if keys is None:
        return f"{summary['applications']['found']}/{summary['applications']['expected']}"
    if isinstance(keys, str):
        return pct(summary[keys])
    values = [summary[k] for k in keys]
    return " / ".join(str(v) if isinstance(v, int) else pct(v) for v in values)


@fixtures_app.command("generate")
def fixtures_generate(
    out: Annotated[Path, typer.Option("--out", help="输出目录；每个规则集一个子目录")],
    count: Annotated[int, typer.Option("--count", min=1, help="每个规则集的申请数")] = 40,
    seed: Annotated[int, typer.Option("--seed", help="随机种子：同一种子生成的文件逐字节相同")] = 1,
    ruleset: Annotated[list[str] | None, typer.Option("--ruleset", help="只生成这些规则集（可重复）")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="评审基准日（默认按规则集）")] = None,
    mix: Annotated[str, typer.Option("--mix", help="材料构成：varied（每个文档随机格式，退化最多）或 year（一年的真实构成：三分之一申请全部扫描，其余为原生电子文件）")] = "varied",
    family: Annotated[str, typer.Option("--family", help="样式族：a（读取程序开发时所用的样式）或 b（另一套独立模板，用于衡量泛化）")] = "a",
) -> None:
    """生成申报批次（batch/）、真值（truth.jsonl）和说明（batch.json）。"""
    from fixtures.generate import FAMILIES, MIXES, generate_batch
    from fixtures.render.fonts import FontsMissing

    chosen = ruleset or list(FIXTURE_RULESETS)
    for name in chosen:
        if name not in FIXTURE_RULESETS:
            console.print(f"[red]未知的规则集：{name}[/red]")
            raise typer.Exit(2)
    if mix not in MIXES:
        console.print(f"[red]未知的材料构成：{mix}（可选：{'、'.join(MIXES)}）[/red]")
        raise typer.Exit(2)
    if family not in FAMILIES:
        console.print(f"[red]未知的样式族：{family}（可选：{'、'.join(FAMILIES)}）[/red]")
        raise typer.Exit(2)
    day = date.fromisoformat(as_of) if as_of else None
    with _progress() as bar:
        for name in chosen:
            task = bar.add_task(f"生成 {name}", total=count)
            try:
                paths = generate_batch(out / name, name, count, seed, day, mix=mix, family=family,
                                       progress=lambda done, _total, t=task: bar.update(t, completed=done))
            except (FontsMissing, FileExistsError) as exc:
                console.print(f"[red]{exc}[/red]")
                raise typer.Exit(2) from None
            console.print(f"{name}：{paths.batch}（真值 {paths.truth}）")


def _shown(value: object) -> str:
    return "—" if value is None else json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


@rules_app.command("list")
def rules_list() -> None:
    """列出内置规则集及其版本。"""
    from rules import builtin_rulesets

    table = Table("规则集", "版本", "生效日期", "规则数", "名称", "文件")
    for ruleset in builtin_rulesets():
        table.add_row(ruleset.id, ruleset.version, ruleset.effective.isoformat(), str(len(ruleset.rules)),
                      ruleset.title, Path(ruleset.source).name)
    console.print(table)


@rules_app.command("show")
def rules_show(ruleset_name: Annotated[str, typer.Argument(metavar="RULESET", help="规则集 id、id@版本 或规则文件路径")]) -> None:
    """显示规则集的每条规则：条款、原文、参数和理由模板。"""
    ruleset = _ruleset(ruleset_name)
    console.print(f"[bold]{ruleset.title}[/bold]  {ruleset.id} {ruleset.version}（{ruleset.effective} 起施行）  {ruleset.source}")
    table = Table("规则", "条款", "原文", "参数", show_lines=True)
    for rule in ruleset.rules:
        params = "\n".join(f"{k} = {_shown(v)}" for k, v in rule.params.items())
        table.add_row(rule.id, rule.article, rule.quote, params)
    console.print(table)
    if ruleset.relief:
        console.print(f"适当放宽（{ruleset.relief.article}）：{ruleset.relief.quote}\n  适用规则：{'、'.join(ruleset.relief.rules)}")
    if ruleset.for_reviewer:
        console.print("由评审人员判断、不计入自动结论的条件：")
        for item in ruleset.for_reviewer:
            console.print(f"  {item.article}：{item.quote}")


@rules_app.command("diff")
def rules_diff(
    old: Annotated[str, typer.Argument(metavar="A", help="原规则集（id、id@版本 或文件路径）")],
    new: Annotated[str, typer.Argument(metavar="B", help="新规则集")],
) -> None:
    """比较两个规则集：增删的规则，改动的条款、原文、参数和理由。"""
    from rules import diff_rulesets

    before, after = _ruleset(old), _ruleset(new)
    changes = diff_rulesets(before, after)
    if not changes:
        console.print(f"{before.label} 与 {after.label} 的规则相同。")
        return
    table = Table("规则或设置", "项目", before.label, after.label)
    for change in changes:
        table.add_row(change.where, change.what, _shown(change.before), _shown(change.after))
    console.print(table)
