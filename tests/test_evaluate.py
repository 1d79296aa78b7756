"""The evaluator: the truth scores perfectly against itself; damage lowers the scores without a crash."""

from __future__ import annotations

import json

from fixtures.evaluate import score, values_match
from tests.conftest import read_truth


def test_truth_against_itself_scores_100_percent(small_batches):
    for root in small_batches.values():
        s = score(root / "truth.jsonl", root / "truth.jsonl").summary()
        for key in ("doc_type_accuracy", "doc_status_accuracy", "fact_accuracy", "claim_accuracy", "rule_agreement",
                    "rule_basis_agreement", "decision_accuracy", "mismatch_precision", "mismatch_recall",
                    "flag_precision", "flag_recall"):
            assert s[key] == 1.0, key
        assert s["false_accepts"] == 0 and s["false_rejects"] == 0


def test_damaged_results_score_lower_without_crashing(small_batches, tmp_path):
    root = small_batches["hubei-yanxuan"]
    records = read_truth(root)
    flipped = next(r for r in records if r["decision"] != "eligible")
    flipped["decision"] = "eligible"
    damaged_fact = next(r for r in records if "org_name" in r["facts"])
    damaged_fact["facts"]["org_name"]["value"] = "别的公司"
    records[0]["rules"] = records[0]["rules"][:3]
    records[1]["mismatches"].append({"key": "credit_code", "claimed": "x", "extracted": "y"})
    dropped = records.pop()
    path = tmp_path / "results.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in records] + ["{not json", json.dumps({"no_id": 1}), json.dumps({"application_id": "9999"})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    s = score(root / "truth.jsonl", path).summary()
    assert s["applications"]["found"] == len(records)
    assert s["false_accepts"] >= 1
    assert s["fact_accuracy_by_key"]["org_name"] < 1
    assert s["rule_agreement"] < 1
    assert s["mismatch_precision"] < 1
    assert s["decision_accuracy"] < 1
    assert len(s["applications"]["bad_lines"]) == 2
    assert s["applications"]["unknown"] == ["9999"]
    assert sum(n for k, n in s["decision_confusion"].items() if k.endswith("->missing")) == 1  # the dropped one
    assert dropped["application_id"] not in {r["application_id"] for r in records}


def test_empty_results_score_zero_not_crash(small_batches, tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("", encoding="utf-8")
    s = score(small_batches["changzhi-shifan"] / "truth.jsonl", path).summary()
    assert s["applications"]["found"] == 0
    assert s["decision_accuracy"] == 0.0 and s["fact_accuracy"] == 0.0


def test_values_match_normalises_width_and_tolerates_rounding():
    assert values_match("科沃电子（杭州）有限公司", "科沃电子(杭州)有限公司")
    assert values_match(126.5, 126.52)
    assert not values_match(126.5, 150)
    assert values_match([{"a": 1}, {"a": 2}], [{"a": 2}, {"a": 1}])
    assert values_match(True, True) and not values_match(True, False)


def test_facts_are_scored_per_degradation_of_the_document_they_come_from(small_batches, tmp_path):
    root = small_batches["hubei-yanxuan"]
    records = read_truth(root)
    # A fact whose truth document was degraded: damaging it lowers that degradation's rate only.
    record, key, effect = next(
        (r, k, d["effects"][0])
        for r in records for k, item in r["facts"].items() if k != "staff" and item.get("evidence")
        for d in r["documents"] if d["path"] == item["evidence"][0]["path"] and d["effects"])
    record["facts"][key]["value"] = "读错的值"
    path = tmp_path / "results.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    s = score(root / "truth.jsonl", path).summary()
    assert s["fact_accuracy_by_key_and_condition"][f"{key}|{effect}"] < 1
    assert s["fact_accuracy_by_condition"][effect] < 1 and s["fact_accuracy_degraded"] < 1
    assert s["fact_accuracy_degraded_by_key"][key] < 1
    assert s["fact_accuracy_by_condition"]["clean"] == 1.0


def test_wrong_facts_are_told_apart_from_missing_ones_and_counted_by_confidence(small_batches, tmp_path):
    root = small_batches["hubei-yanxuan"]
    records = read_truth(root)
    keys = [k for k in records[0]["facts"] if k not in ("staff", "premises")]
    records[0]["facts"][keys[0]] = {"value": "读错的值", "confidence": 0.95}
    records[0]["facts"][keys[1]] = {"value": "读错的值", "confidence": 0.5}
    del records[0]["facts"][keys[2]]
    path = tmp_path / "results.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    s = score(root / "truth.jsonl", path).summary()
    assert (s["facts_missing"], s["facts_wrong"], s["facts_wrong_confident"]) == (1, 2, 1)


def test_a_misread_name_costs_staff_name_only_when_the_id_finds_the_person():
    from fixtures.evaluate import _score_staff
    truth = [{"name": "龙娟", "degree": "中专", "title": "初级", "fulltime": True, "id_masked": "421000********6900"},
             {"name": "黎雨", "degree": "大专", "title": "无", "fulltime": False, "id_masked": "421000********5510"}]
    found = [{"name": "龙", "degree": "中专", "title": "初级", "fulltime": True, "id_masked": "421000********6900"},
             {"name": "黎丽", "degree": "大专", "title": "无", "fulltime": False}]  # no ID read: not found
    scored = {(key, right) for key, right, _reported in _score_staff(truth, found)}
    assert ("staff.name", False) in scored and ("staff.degree", True) in scored
    assert sum(1 for key, right, reported in _score_staff(truth, found) if reported) == 4  # 龙娟's four fields


def test_scores_are_given_per_style_family_and_the_full_time_count_is_scored_per_application(small_batches, tmp_path):
    root = small_batches["hubei-yanxuan"]
    records = read_truth(root)
    for record in records[::2]:
        record["fixture"]["family"] = "b"
    truth = tmp_path / "truth.jsonl"
    truth.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    damaged = [json.loads(json.dumps(r)) for r in records]
    roster = next(r for r in damaged[::2] if r["facts"].get("staff"))
    person = next(p for p in roster["facts"]["staff"]["value"] if p["fulltime"])
    person["fulltime"] = False
    results = tmp_path / "results.jsonl"
    results.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in damaged), encoding="utf-8")
    s = score(truth, results).summary()
    assert set(s["families"]) == {"a", "b"}
    assert s["families"]["a"]["staff_fulltime_count_exact"] == 1.0
    assert s["families"]["b"]["staff_fulltime_count_exact"] < 1.0
    assert s["families"]["a"]["applications"]["expected"] + s["families"]["b"]["applications"]["expected"] == len(records)
    bands = s["fact_accuracy_by_confidence"]
    assert sum(b["total"] for b in bands.values()) > 0 and any(b["rate"] < 1 for b in bands.values())
