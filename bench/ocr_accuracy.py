"""OCR character error rate on fixture scans, per degradation, from the pages `shenhe process` stored.

    python -m bench.ocr_accuracy --fixtures DIR --db URL [--json FILE]

Every fact the truth marks on a scanned page has a box and its text; the lines OCR placed
inside that box (mapped back onto the stored image) are compared with it by edit distance
(recognition errors only: the text may match anywhere inside what was found).
"""

from __future__ import annotations

import argparse
import json
import unicodedata
from collections import defaultdict
from pathlib import Path

from sqlalchemy import select

from models.pages import PageText, page_box_to_source
from models.store import Page
from pipeline.store import Store, row_to_page

SCANNED_FORMATS = ("scan_jpg", "jpg", "scan_pdf", "bundle_pdf")


def normalise(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def errors_against(truth: str, found: str) -> int:
    """Edits to turn `truth` into the best-matching stretch of `found` (neighbouring lines cost nothing)."""
    previous = [0] * (len(found) + 1)  # free start anywhere in `found`
    for i, char_t in enumerate(truth, start=1):
        current = [i]
        for j, char_f in enumerate(found, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_t != char_f)))
        previous = current
    return min(previous)  # free end anywhere in `found`


def text_in_box(page: PageText, box: list[float], margin: float = 6.0) -> str:
    """The OCR lines whose centre lies in the box (on the stored image), in reading order."""
    x0, y0, x1, y1 = box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin
    chosen = []
    for line in page.lines:
        if line.bbox is None:
            continue
        lx0, ly0, lx1, ly1 = page_box_to_source(page, line.bbox)
        cx, cy = (lx0 + lx1) / 2, (ly0 + ly1) / 2
        if x0 <= cx <= x1 and y0 <= cy <= y1:
            chosen.append(line.text)
    return "".join(chosen)


def evidence_items(record: dict) -> list[dict]:
    items = []
    for section in ("facts", "claims"):
        for fact in record.get(section, {}).values():
            values = fact if isinstance(fact, list) else [fact]
            for value in values:
                if isinstance(value, dict):
                    items += [e for e in value.get("evidence", []) if e.get("bbox") and e.get("text")]
    return items


def measure(fixtures: Path, store: Store) -> dict:
    """{effect or type:doc_type: {chars, errors, cer, boxes}} over every scanned, legible document of the truth."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for line in (fixtures / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        documents = {d["path"]: d for d in record["documents"]}
        for evidence in evidence_items(record):
            doc = documents.get(evidence["path"])
            if not doc or doc["format"] not in SCANNED_FORMATS or not doc["legible"] or doc["status"] != "ok":
                continue
            page = _stored_page(store, doc["sha256"], evidence["page"])
            if page is None or page.source != "ocr":
                continue
            truth = normalise(evidence["text"])
            if truth.startswith("表格("):  # a whole table's box, not a text
                continue
            found = normalise(text_in_box(page, evidence["bbox"]))
            errors = min(errors_against(truth, found), len(truth))
            for group in [*(doc.get("effects") or ["clean"]), f"type:{doc['doc_type']}", "all"]:
                totals[group][0] += len(truth)
                totals[group][1] += errors
                totals[group][2] += 1
    return {effect: {"chars": c, "errors": e, "boxes": n, "cer": round(e / c, 4) if c else None}
            for effect, (c, e, n) in sorted(totals.items())}


def _stored_page(store: Store, sha256: str, page_no: int) -> PageText | None:
    with store.sessions() as session:
        row = session.scalar(select(Page).where(Page.content_sha256 == sha256, Page.page_no == page_no))
        return row_to_page(row) if row else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, required=True, help="folder with truth.jsonl (and batch/)")
    parser.add_argument("--db", required=True, help="the database `shenhe process` wrote")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = measure(args.fixtures, Store(args.db))
    print(f"{'退化类型':<12}{'字符数':>8}{'错误':>8}{'字段框':>8}{'字符错误率':>12}")
    for effect, row in result.items():
        print(f"{effect:<12}{row['chars']:>8}{row['errors']:>8}{row['boxes']:>8}{row['cer']:>12.2%}")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
