"""What extraction adds to reading: CPU-seconds of fact extraction vs reading (OCR) of the same files.

    python -m bench.extract_speed --fixtures DIR [--files 30] [--json FILE]

Each scanned file of a generated batch is read through the page reader (PP-OCR, no cache),
identified, and every document extracted; the figures are sums and medians of CPU-seconds
and their ratio. Text-layer PDFs, DOCX and XLSX are reported beside them, for scale.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from bench.pages_speed import batch_files, cpu
from extractors import DocumentText, extract
from pipeline.identify import Identifier
from pipeline.ocr import make_engine
from pipeline.pages import PageReader

SCANNED = ("scan_jpg", "scan_pdf", "jpg", "png")  # photos and screenshots are read by OCR too


def read_and_extract(reader: PageReader, identify: Identifier, path: str, kind: str,
                     data: bytes) -> tuple[float, float, int]:
    """(CPU-s reading, CPU-s extracting, facts found) for one file."""
    started = cpu()
    read = reader(kind, data)
    read_seconds = cpu() - started
    documents = identify(path, read.kind, read.pages)
    started = cpu()
    facts = 0
    for document in documents:
        pages = read.pages[document.page_start - 1:document.page_end]
        extraction = extract(DocumentText(path, document.doc_type, pages))
        facts += len(extraction.facts) + len(extraction.claims)
    return read_seconds, cpu() - started, facts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, required=True)
    parser.add_argument("--files", type=int, default=30, help="scanned files to time")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    files = batch_files(args.fixtures)
    reader, identify = PageReader(lambda: make_engine("rapidocr")), Identifier()
    scanned = [f for f in files if f[0] in SCANNED][:args.files]
    born_digital = [f for f in files if f[0] in ("text_pdf", "docx", "xlsx")][:args.files]
    read_and_extract(reader, identify, *scanned[0][1:])  # models and imports loaded before timing
    report: dict[str, object] = {}
    for name, group in (("scanned", scanned), ("born_digital", born_digital)):
        rows = [read_and_extract(reader, identify, path, kind, data) for _fmt, path, kind, data in group]
        reading, extracting = sum(r[0] for r in rows), sum(r[1] for r in rows)
        report[name] = {
            "files": len(rows), "facts": sum(r[2] for r in rows),
            "cpu_s_reading": round(reading, 2), "cpu_s_extracting": round(extracting, 3),
            "extracting / reading": round(extracting / reading, 4) if reading else None,
            "median_ms_extracting_per_file": round(1000 * statistics.median(r[1] for r in rows), 1) if rows else None,
        }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
