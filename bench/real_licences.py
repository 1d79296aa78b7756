"""Every field of the 28 real licences in ../shared/dev-set, read through the pipeline's reader, identifier and extractor.

    python -m bench.real_licences [--dev-set ../shared/dev-set] [--cache /tmp/shenhe-real-licences] [--json FILE]

Pages are read once per reader version and kept in --cache (OCR is what costs), so a change to
identification or extraction is measured again in seconds. A field the truth marks `uncertain` is
not scored; a field neither printed nor reported is not scored either. `doc_type` is scored too.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import pickle
from pathlib import Path

from extractors import DocumentText, extract
from pipeline.identify import Identifier
from pipeline.intake import sniff
from pipeline.ocr import make_engine
from pipeline.pages import READER_VERSION, FileRead, PageReader

REPO = Path(__file__).resolve().parents[1]
FIELDS = ("credit_code", "org_name", "entity_type", "legal_representative", "registered_capital_cny",
          "registration_date", "business_term_end", "address")
# The truth's `uncertain` column names fields in Chinese (or by their key).
UNCERTAIN_NAMES = {"credit_code": ("uscc", "credit_code"), "org_name": ("名称", "org_name"),
                   "entity_type": ("类型", "entity_type"), "legal_representative": ("法定代表人", "legal_representative"),
                   "registered_capital_cny": ("注册资本", "registered_capital"),
                   "registration_date": ("成立日期", "registration_date"),
                   "business_term_end": ("营业期限", "business_term"), "address": ("住所", "address")}


def expected_value(truth: dict[str, str], key: str) -> object:
    """The truth row's value of a field, in the fact's own form (None: not printed)."""
    if key == "registered_capital_cny":
        return int(truth["registered_capital"]) if truth["registered_capital"] and truth["capital_currency"] in ("", "CNY") else None
    if key == "business_term_end":
        return term_end(truth["business_term"])
    value = truth[key].strip()
    return value or None


def term_end(printed: str) -> object:
    """The end of a printed 营业期限: an ISO date, "open" for 长期 or a starred or blank end, "absent" with no term."""
    import re

    if not printed:
        return "absent"
    dates = re.findall(r"(\d{4})年(\d{2})月(\d{2})日", printed)
    if len(dates) >= 2 or (len(dates) == 1 and not printed.startswith(dates[0][0])):
        y, m, d = dates[-1]
        return f"{y}-{m}-{d}"
    return "open"  # 长期, ******, 年 月 日


def found_value(facts: dict, key: str) -> object:
    """The extractor's value of a field in the same form as expected_value."""
    if key == "business_term_end":
        term = facts.get("business_term")
        if term is None:
            return "absent"
        value = term.value if isinstance(term.value, dict) else {}
        return value.get("end") or "open"
    fact = facts.get(key)
    return None if fact is None else fact.value


def read_cached(reader: PageReader, cache: Path, name: str, data: bytes) -> FileRead:
    """A file's pages from the cache, else read and cached."""
    key = cache / f"{READER_VERSION}-{hashlib.sha256(data).hexdigest()[:16]}.pickle"
    if key.exists():
        return pickle.loads(key.read_bytes())
    read = reader(sniff(data), data)
    cache.mkdir(parents=True, exist_ok=True)
    key.write_bytes(pickle.dumps(read))
    return read


def score(dev_set: Path, cache: Path) -> dict[str, object]:
    """Per field: right, scored, rate, and the wrong ones (file, expected, found)."""
    folder = dev_set / "real-licenses"
    truth = {row["file"]: row for row in csv.DictReader((folder / "truth.tsv").open(encoding="utf-8"), delimiter="\t")}
    reader, identify = PageReader(lambda: make_engine("rapidocr")), Identifier()
    fields: dict[str, dict] = {key: {"right": 0, "scored": 0, "wrong": []} for key in (*FIELDS, "doc_type")}
    invented_capital = []
    for image in sorted((folder / "images").iterdir()):
        row = truth[image.name]
        read = read_cached(reader, cache, image.name, image.read_bytes())
        documents = identify(image.name, read.kind, read.pages)
        doc_type = documents[0].doc_type if documents else None
        fields["doc_type"]["scored"] += 1
        fields["doc_type"]["right"] += doc_type == "business_license"
        if doc_type != "business_license":
            fields["doc_type"]["wrong"].append((image.name, "business_license", doc_type))
        facts = extract(DocumentText(image.name, "business_license", read.pages)).facts
        if not row["registered_capital_raw"] and ("registered_capital_cny" in facts or "registered_capital" in facts):
            invented_capital.append(image.name)
        for key in FIELDS:
            if any(name in row["uncertain"] for name in UNCERTAIN_NAMES[key]):
                continue
            expected, got = expected_value(row, key), found_value(facts, key)
            if expected is None and got is None or expected == "absent" and got == "absent":
                continue
            fields[key]["scored"] += 1
            fields[key]["right"] += expected == got
            if expected != got:
                fields[key]["wrong"].append((image.name, expected, got))
    for tally in fields.values():
        tally["rate"] = round(tally["right"] / tally["scored"], 4) if tally["scored"] else None
    return {"fields": fields, "invented_capital": invented_capital}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev-set", type=Path, default=REPO.parent / "shared" / "dev-set")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/shenhe-real-licences"))
    parser.add_argument("--json", type=Path)
    parser.add_argument("--wrong", action="store_true", help="list every wrong value")
    args = parser.parse_args()
    report = score(args.dev_set, args.cache)
    for key, tally in report["fields"].items():
        print(f"{key:24s} {tally['right']:3d}/{tally['scored']:3d}  {tally['rate']}")
        if args.wrong:
            for name, expected, got in tally["wrong"]:
                print(f"    {name}: expected {expected!r} got {got!r}")
    print(f"invented capitals: {report['invented_capital']}")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
