"""Page reading speed on the same pages in one run: text layer, whole pipeline, raw PP-OCR, raw Tesseract.

    python -m bench.pages_speed --fixtures DIR [--scans 20] [--repeat 3] [--json FILE]

Figures are medians of CPU-seconds per page (steadier than wall time on a shared machine)
and their ratios; the pipeline and raw PP-OCR take the least of `--repeat` alternating runs
per page. The pipeline is also timed without its second recogniser, and the engine counts how
many lines the second opinion read and how many pages were read the other way up. Peak RSS
covers this process and its children (Tesseract).
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import statistics
import time
from pathlib import Path

import numpy as np
from PIL import Image

from pipeline.intake import read_batch
from pipeline.ocr import make_engine
from pipeline.pages import RENDER_DPI, PageReader, pil_to_bgr, render_pdf_page


def batch_files(fixtures: Path) -> list[tuple[str, str, str, bytes]]:
    """(format, path, kind, bytes) of every readable file of a generated batch, formats from its truth."""
    formats = {}
    for line in (fixtures / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for d in record["documents"]:
            if d["status"] == "ok":
                formats[(record["application_id"], d["path"])] = d["format"]
    return [(formats[(app.application_id, f.path)], f.path, f.kind, f.data)
            for app in read_batch(fixtures / "batch") for f in app.files if (app.application_id, f.path) in formats]


def sample_files(fixtures: Path) -> tuple[list[bytes], list[tuple[str, bytes]]]:
    """(text-layer PDFs, scanned files as (kind, bytes)) of a generated batch, from its truth."""
    files = batch_files(fixtures)
    text_pdfs = [data for fmt, _path, _kind, data in files if fmt == "text_pdf"]
    scans = [(kind, data) for fmt, _path, kind, data in files
             if fmt in ("scan_jpg", "scan_pdf") and kind in ("jpeg", "pdf")]
    return text_pdfs, scans


def scan_images(scans: list[tuple[str, bytes]], limit: int) -> list[tuple[str, bytes]]:
    """The first `limit` scanned pages, each as a single-page file (JPEG or one-page PDF)."""
    import pypdfium2

    pages = []
    for kind, data in scans:
        if kind == "pdf":
            pdf = pypdfium2.PdfDocument(data)
            for index in range(len(pdf)):
                single = pypdfium2.PdfDocument.new()
                single.import_pages(pdf, [index])
                buffer = io.BytesIO()
                single.save(buffer)
                pages.append(("pdf", buffer.getvalue()))
        else:
            pages.append((kind, data))
        if len(pages) >= limit:
            break
    return pages[:limit]


def decode(kind: str, data: bytes) -> np.ndarray:
    """The page image the pipeline would OCR (PDF pages rendered at 200 DPI)."""
    if kind == "pdf":
        import pypdfium2

        return render_pdf_page(pypdfium2.PdfDocument(data)[0], RENDER_DPI / 72)
    return pil_to_bgr(Image.open(io.BytesIO(data)))


def cpu() -> float:
    own = time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own + children.ru_utime + children.ru_stime


def timed(function, *args) -> float:
    started = cpu()
    function(*args)
    return cpu() - started


def _extra_readings(counts: dict, before: dict) -> dict:
    """What the second recogniser and the other-way-up reading did on the timed pages (all repeats)."""
    done = {key: counts[key] - before[key] for key in counts}
    return {
        "pages": done["pages"],
        "pages_read_the_other_way_up": done["other_way_up_tried"],
        "pages_turned_over": done["other_way_up_kept"],
        "lines": done["lines"],
        "lines_given_a_second_opinion": done["second_opinion_lines"],
        "share_of_lines": round(done["second_opinion_lines"] / max(done["lines"], 1), 3),
        "lines_the_recognisers_disagreed_on": done["second_opinion_disputed"],
        "second_opinion_cpu_s_per_page": round(done["second_opinion_cpu_s"] / max(done["pages"], 1), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, required=True)
    parser.add_argument("--scans", type=int, default=20, help="scanned pages to time")
    parser.add_argument("--repeat", type=int, default=3, help="timings per page for the pipeline and raw PP-OCR")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    text_pdfs, scans = sample_files(args.fixtures)
    engine = make_engine("rapidocr")
    reader = PageReader(lambda: engine)  # no cache: every page is really read
    one_opinion = PageReader(lambda: make_engine("rapidocr", second_opinion=False))

    text_pages, started_wall, started_cpu = 0, time.perf_counter(), cpu()
    for data in text_pdfs:
        text_pages += len(reader("pdf", data).pages)
    text_wall, text_cpu = time.perf_counter() - started_wall, cpu() - started_cpu

    from rapidocr import RapidOCR

    raw_default = RapidOCR(params={"Global.use_cls": False, "Global.log_level": "error"})
    tuned = make_engine("rapidocr")
    raw_tuned = tuned.pp._ocr  # the same RapidOCR object the pipeline uses, called the plain way
    tesseract = make_engine("tesseract")
    import pytesseract

    rows = {"pipeline": [], "pipeline_without_second_opinion": [], "raw_rapidocr_tuned": [], "raw_rapidocr_default": [],
            "raw_tesseract": [], "pipeline_tesseract": []}
    pages = scan_images(scans, args.scans)
    raw_default(decode(*pages[0]))  # load the models and imports before timing
    for kind in {kind for kind, _data in pages}:
        reader(*next(page for page in pages if page[0] == kind))
        one_opinion(*next(page for page in pages if page[0] == kind))
    counted_from = dict(engine.counts)  # the warm-up pages are not counted
    for kind, data in pages:
        image = decode(kind, data)
        # The pipeline and raw PP-OCR alternate on the same page; each keeps its least time, since
        # another process on the machine can only add to it.
        pipeline_times, raw_times, single_times = [], [], []
        for _ in range(args.repeat):
            pipeline_times.append(timed(reader, kind, data))
            raw_times.append(timed(raw_tuned, image))
            single_times.append(timed(one_opinion, kind, data))
        rows["pipeline"].append(min(pipeline_times))
        rows["pipeline_without_second_opinion"].append(min(single_times))
        rows["raw_rapidocr_tuned"].append(min(raw_times))
        rows["raw_rapidocr_default"].append(timed(raw_default, image))
        rows["raw_tesseract"].append(timed(lambda img: pytesseract.image_to_data(img[:, :, ::-1], lang="chi_sim",
                                                                                  config="--psm 3"), image))
        rows["pipeline_tesseract"].append(timed(tesseract, image))
    per_page_ratio = statistics.median(p / r for p, r in zip(rows["pipeline"], rows["raw_rapidocr_tuned"],
                                                             strict=True))
    medians = {name: round(statistics.median(values), 3) for name, values in rows.items()}
    peak_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
               + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    report = {
        "text_layer": {"files": len(text_pdfs), "pages": text_pages,
                       "pages_per_s_wall": round(text_pages / text_wall, 1),
                       "pages_per_cpu_s": round(text_pages / max(text_cpu, 1e-9), 1)},
        "scanned_pages": len(pages),
        "cpu_s_per_scanned_page_median": medians,
        "ratios": {
            "pipeline / raw rapidocr (same settings), median of per-page ratios": round(per_page_ratio, 3),
            "pipeline / raw rapidocr (same settings), ratio of medians":
                round(medians["pipeline"] / medians["raw_rapidocr_tuned"], 3),
            "pipeline / raw rapidocr (defaults)": round(medians["pipeline"] / medians["raw_rapidocr_default"], 3),
            "raw rapidocr defaults / tuned": round(medians["raw_rapidocr_default"] / medians["raw_rapidocr_tuned"], 2),
            "pipeline / raw tesseract": round(medians["pipeline"] / medians["raw_tesseract"], 3),
            "pipeline / pipeline without second opinion":
                round(medians["pipeline"] / medians["pipeline_without_second_opinion"], 3),
        },
        "extra_readings": _extra_readings(engine.counts, counted_from),
        "peak_rss_mb": round(peak_mb),
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
