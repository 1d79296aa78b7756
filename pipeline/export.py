"""Stored results → results.jsonl or an Excel workbook (one row per application, one per document)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

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
BASIS_NAMES = {"evidence": "依据证明材料", "claim": "依据申报数据", "none": "无依据"}
FLAG_NAMES = {"credit_screenshot_stale": "信用截图过旧", "lease_ending_soon": "租赁即将到期",
              "photo_reused": "照片重复使用", "staff_on_two_rosters": "人员重复申报"}
# domain.md's keys, as a reviewer reads them.
FACT_NAMES = {
    "org_name": "机构名称", "credit_code": "统一社会信用代码", "entity_type": "主体类型", "legal_representative": "法定代表人",
    "registered_capital_cny": "注册资本（元）", "registered_capital": "注册资本（原文）", "registration_date": "成立日期",
    "business_term": "营业期限", "address": "住所", "business_scope": "经营范围", "recommender": "推荐单位",
    "recommender_opinion": "推荐意见", "premises": "服务场所", "premises_area_m2": "场所面积（平方米）",
    "premises_address": "场所地址", "premises_lessor": "出租方", "premises_lessee": "承租方", "premises_owner": "权利人",
    "premises_lease_start": "租期起", "premises_lease_end": "租期止", "credit_subject_name": "信用中国主体名称",
    "credit_subject_code": "信用中国信用代码", "credit_query_date": "信用中国查询日期", "credit_penalties": "行政处罚",
    "credit_dishonest_listed": "严重失信主体名单", "credit_abnormal_listed": "经营异常名录",
    "ccgp_subject_name": "政府采购网主体名称", "ccgp_query_date": "政府采购网查询日期", "ccgp_listed": "政府采购严重违法失信名单",
    "staff": "人员名册", "roster_org_name": "名册填报单位", "staff_fulltime_count": "专职人员数",
    "staff_qualified_count": "符合学历职称要求人数", "total_assets_cny": "资产总额（元）", "audit_year": "审计年度",
    "service_activity_dates": "服务活动日期", "service_smes_served": "服务企业数（材料）", "service_satisfaction_rate": "满意度（材料）",
    "service_trainees": "培训人次（材料）", "service_activities_count": "服务活动次数（材料）",
    "photo_taken_at": "照片拍摄时间", "photo_hashes": "照片指纹", "qualification_kind": "资质类别",
    "qualification_number": "资质编号", "qualification_valid_until": "资质有效期至",
    "authenticity_declaration_sealed": "真实性声明已盖章", "smes_served_per_year": "年服务中小企业数",
    "smes_served_prev_year": "上年服务中小企业数", "satisfaction_rate": "服务满意度", "public_service_ratio": "公益性服务比例",
    "partner_institutions_count": "合作机构数", "service_category": "服务类别", "activities_per_year": "年服务活动次数",
    "trainees_per_year": "年培训人次", "financing_total_cny": "融资总额（元）", "guarantee_new_cny": "新增担保额（元）",
    "recognitions": "获得的认定、奖励或资助",
}


@lru_cache(maxsize=1)
def rule_titles() -> dict[str, str]:
    """Each rule id as a reviewer reads it: its title in the built-in rule sets (two sets titling one id
    differently are both named: 独立法人资格／独立法人或合伙人制)."""
    from rules import builtin_rulesets

    titles: dict[str, list[str]] = {}
    for ruleset in builtin_rulesets():
        for rule in ruleset.rules:
            if rule.title not in titles.setdefault(rule.id, []):
                titles[rule.id].append(rule.title)
    return {rule_id: "／".join(names) for rule_id, names in titles.items()}


def export_jsonl(store: Store, out: Path) -> int:
    """One line per application: its newest stored results record, written as `process` writes them."""
    payloads = [stored.payload for stored in store.latest_results()]
    write_results(payloads, out)
    return len(payloads)


def export_xlsx(store: Store, out: Path) -> int:
    """The stored results as an Excel workbook (see write_xlsx)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    return write_xlsx(((stored.batch, stored.payload) for stored in store.latest_results()), out)


# The facts a reviewer compares first, each as the documents give it and as the report claims it.
KEY_FACTS = ("org_name", "credit_code", "registration_date", "registered_capital_cny", "premises_area_m2",
             "staff_fulltime_count", "total_assets_cny", "recommender")


def write_xlsx(records: Iterable[tuple[str, dict[str, Any]]], out: Path | IO[bytes]) -> int:
    """Sheet 申请 (one row per application: decision, key facts beside their claims, mismatches, each
    rule's verdict, flags) and sheet 文档 (one row per document); how many applications."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    apps = book.active
    apps.title = "申请"
    docs = book.create_sheet("文档")
    docs.append(["申请编号", "文件", "起始页", "页数", "文档类型", "状态", "问题"])
    rule_ids: list[str] = []
    rows = []
    for batch, payload in records:
        rules = {rule["id"]: rule for rule in payload.get("rules") or []}
        rule_ids += [rule_id for rule_id in rules if rule_id not in rule_ids]
        rows.append((batch, payload, rules))
        for d in payload.get("documents", []):
            docs.append([payload["application_id"], d.get("path"), d.get("page_start", 1), d.get("pages"),
                         DOC_TYPE_NAMES.get(d.get("doc_type") or "", "—"), "正常" if d.get("status") == "ok" else "错误",
                         d.get("error") or ""])
    header = ["批次", "申请编号", "规则集", "规则版本", "评审基准日", "结论", "文档数", "无法读取的文件", "文档类型"]
    for key in KEY_FACTS:
        header += [f"{FACT_NAMES[key]}（材料）", f"{FACT_NAMES[key]}（申报）"]
    titles = rule_titles()
    header += ["不一致项", "标记"] + [titles.get(rule_id, rule_id) for rule_id in rule_ids] + ["人工改写"]
    apps.append(header)
    for batch, payload, rules in rows:
        documents = payload.get("documents", [])
        facts, claims = payload.get("facts") or {}, payload.get("claims") or {}
        types = Counter(DOC_TYPE_NAMES.get(d.get("doc_type") or "", "—") for d in documents if d.get("status") == "ok")
        row = [batch, payload["application_id"], payload.get("ruleset"), payload.get("ruleset_version"),
               payload.get("as_of"), DECISION_NAMES.get(payload.get("decision") or "", "未评估"),
               len(documents), sum(1 for d in documents if d.get("status") == "error"),
               "、".join(f"{name}×{n}" if n > 1 else name for name, n in sorted(types.items()))]
        for key in KEY_FACTS:
            row += [_cell((facts.get(key) or {}).get("value")), _cell((claims.get(key) or {}).get("value"))]
        row.append("；".join(f"{FACT_NAMES.get(m['key'], m['key'])}：申报{_cell(m.get('claimed'))}，材料{_cell(m.get('extracted'))}"
                            for m in payload.get("mismatches") or []))
        row.append("；".join(f"{FLAG_NAMES.get(f['code'], f['code'])}：{f.get('detail', '')}" for f in payload.get("flags") or []))
        for rule_id in rule_ids:
            rule = rules.get(rule_id)
            row.append(f"{STATUS_NAMES[rule['status']]}：{rule['reason']}" if rule else "")
        row.append(sum(1 for f in facts.values() if f.get("overridden")) + sum(1 for r in rules.values() if r.get("overridden")))
        apps.append(row)
    for sheet in (apps, docs):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for cells in sheet.iter_rows():
            for cell in cells:
                if cell.data_type == "f":  # text from a document that starts with "=" stays text, never a formula
                    cell.data_type = "s"
    book.save(out)
    return len(rows)


def _cell(value: Any) -> Any:
    """A value as one spreadsheet cell: numbers and text as they are, anything else as text."""
    if value is None or isinstance(value, int | float | str):
        return value
    return json.dumps(value, ensure_ascii=False)
