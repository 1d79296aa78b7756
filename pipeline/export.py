"""Stored results → results.jsonl or an Excel workbook (one row per application, one per document)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from models.results import write_results
from pipeline.store import Store

DOC_TYPE_NAMES = {
    "application_report": "申请报告", "recommendation_form": "推荐表", "business_license": "营业执照",
    "legal_person_certificate": "法人证书", "lease_contract": "租赁合同", "property_certificate": "不动产权证书",
    "creditchina_report": "信用中国截图/报告", "ccgp_record": "政府采购网查询", "staff_roster": "人员名册",
    "audit_report": "审计报告", "service_evidence": "服务证明材料", "service_photo": "服务照片",
    "qualification_certificate": "资质证书", "authenticity_declaration": "真实性声明", "other": "其他",
}
DECISION_NAMES = {"eligible": "符合条件", "ineligible": "不符合条件", "needs_review": "需人工复核"}
STATUS_NAMES = {"pass": "通过", "review": "待复核", "fail": "不通过"}


def export_jsonl(store: Store, out: Path) -> int:
    """One line per application: its newest stored results record, written as `process` writes them."""
    payloads = [stored.payload for stored in store.latest_results()]
    write_results(payloads, out)
    return len(payloads)


def export_xlsx(store: Store, out: Path) -> int:
    """Sheet 申请 (one row per application) and sheet 文档 (one row per document)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    apps = book.active
    apps.title = "申请"
    apps.append(["批次", "申请编号", "规则集", "规则版本", "评审基准日", "结论", "文档数", "无法读取的文件", "文档类型"])
    docs = book.create_sheet("文档")
    docs.append(["申请编号", "文件", "起始页", "页数", "文档类型", "状态", "问题"])
    count = 0
    for batch, _pk, payload in store.latest_results():
        documents = payload.get("documents", [])
        types = Counter(DOC_TYPE_NAMES.get(d.get("doc_type") or "", "—") for d in documents if d.get("status") == "ok")
        apps.append([batch, payload["application_id"], payload.get("ruleset"), payload.get("ruleset_version"),
                     payload.get("as_of"), DECISION_NAMES.get(payload.get("decision") or "", "未评估"),
                     len(documents), sum(1 for d in documents if d.get("status") == "error"),
                     "、".join(f"{name}×{n}" if n > 1 else name for name, n in sorted(types.items()))])
        for d in documents:
            docs.append([payload["application_id"], d.get("path"), d.get("page_start", 1), d.get("pages"),
                         DOC_TYPE_NAMES.get(d.get("doc_type") or "", "—"), "正常" if d.get("status") == "ok" else "错误",
                         d.get("error") or ""])
        count += 1
    for sheet in (apps, docs):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return count
