"""The generated batches: laid out per interface.md, truth consistent with the files, deterministic."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from openpyxl import load_workbook
from PIL import Image

from fixtures.generate import generate_batch
from fixtures.package import zip_bytes
from models.results import ApplicationResult
from pipeline.intake import zip_entry_name
from tests.conftest import read_truth


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def application_files(batch: Path, app_id: str) -> dict[str, bytes]:
    """An application's files by relative path, from its folder or its zip."""
    folder = batch / app_id
    if folder.is_dir():
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    with zipfile.ZipFile(batch / f"{app_id}.zip") as zf:
        return {zip_entry_name(i): zf.read(i) for i in zf.infolist()}


def records_with_files(batches: dict[str, Path]):
    """Every truth record of the batches with its application's files."""
    for root in batches.values():
        for record in read_truth(root):
            yield record, application_files(root / "batch", record["application_id"])


def test_same_seed_gives_byte_identical_batches(tmp_path):
    a = generate_batch(tmp_path / "a", "hubei-yanxuan", 3, 42).root
    b = generate_batch(tmp_path / "b", "hubei-yanxuan", 3, 42).root
    assert tree_digest(a) == tree_digest(b)
    c = generate_batch(tmp_path / "c", "hubei-yanxuan", 3, 43).root
    assert tree_digest(a) != tree_digest(c)


def test_batch_entries_are_folders_or_zips_named_by_application_id(small_batches):
    for root in small_batches.values():
        ids = {r["application_id"] for r in read_truth(root)}
        entries = {p.name.removesuffix(".zip") for p in (root / "batch").iterdir()}
        assert entries == ids


def test_truth_lines_have_the_results_shape(small_batches):
    for root in small_batches.values():
        for record in read_truth(root):
            parsed = ApplicationResult.model_validate(record)
            assert parsed.decision in ("eligible", "ineligible", "needs_review")
            assert parsed.rules and all(r.article.startswith("第") for r in parsed.rules)


def test_every_truth_document_is_in_the_package_with_its_hash(small_batches):
    for root in small_batches.values():
        for record in read_truth(root):
            files = application_files(root / "batch", record["application_id"])
            for doc in record["documents"]:
                assert doc["path"] in files, doc["path"]
                assert hashlib.sha256(files[doc["path"]]).hexdigest() == doc["sha256"]


def test_decisions_vary_and_traps_leave_their_mark(small_batches):
    records = [r for root in small_batches.values() for r in read_truth(root)]
    assert {r["decision"] for r in records} == {"eligible", "ineligible", "needs_review"}
    inflated = [r for r in records if "claim_area_inflated" in r["fixture"]["traps"] and "missing_premises" not in r["fixture"]["traps"]]
    assert inflated and all(any(m["key"] == "premises_area_m2" for m in r["mismatches"]) for r in inflated)
    batch_level = {"photo_reused", "staff_on_two_rosters"}
    clean = [r for r in records if set(r["fixture"]["traps"]) <= batch_level]
    assert clean and all(r["decision"] == "eligible" and not r["mismatches"] for r in clean)


def test_text_layer_pdfs_carry_the_fact_text_on_the_evidence_page(small_batches):
    checked = 0
    for root in small_batches.values():
        for record in read_truth(root):
            files = application_files(root / "batch", record["application_id"])
            text_pdfs = {d["path"] for d in record["documents"] if d["format"] == "text_pdf"}
            for key, fact in record["facts"].items():
                for ev in fact["evidence"]:
                    if ev["path"] in text_pdfs and ev["text"] and key in ("premises_lessee", "total_assets_cny", "service_smes_served"):
                        with pdfplumber.open(io.BytesIO(files[ev["path"]])) as pdf:
                            page_text = pdf.pages[ev["page"] - 1].extract_text().replace(" ", "").replace("\n", "")
                        assert ev["text"].replace(" ", "")[:12] in page_text
                        checked += 1
    assert checked >= 3


def test_image_evidence_boxes_lie_on_ink(small_batches):
    """A box that missed its text after rotation or perspective would cover blank paper."""
    checked = 0
    for record, files in records_with_files(small_batches):
        kinds = {d["path"]: d for d in record["documents"]}
        for key in ("org_name", "credit_code", "registration_date"):
            for ev in record["facts"].get(key, {}).get("evidence", []):
                if not ev["bbox"] or kinds[ev["path"]]["format"] not in ("jpg", "png"):
                    continue
                img = Image.open(io.BytesIO(files[ev["path"]])).convert("L")
                x0, y0, x1, y1 = ev["bbox"]
                assert 0 <= x0 < x1 <= img.width + 1 and 0 <= y0 < y1 <= img.height + 1
                crop = img.crop((int(x0), int(y0), int(x1), int(y1)))
                assert crop.getextrema()[0] < 120, (record["application_id"], key)
                checked += 1
    assert checked >= 5


def test_photos_carry_their_capture_time_in_exif(small_batches):
    for record, files in records_with_files(small_batches):
        times = set(record["facts"].get("photo_taken_at", {}).get("value", []))
        photos = [d for d in record["documents"] if d["doc_type"] == "service_photo"]
        assert photos
        for doc in photos:
            exif = Image.open(io.BytesIO(files[doc["path"]])).getexif().get_ifd(0x8769)
            stamp = exif[0x9003].replace(":", "-", 2).replace(" ", "T")
            assert stamp in times


def test_xlsx_rosters_list_the_people_of_the_staff_fact(small_batches):
    seen = 0
    for root in small_batches.values():
        for record in read_truth(root):
            files = application_files(root / "batch", record["application_id"])
            for doc in record["documents"]:
                if doc["format"] == "xlsx":
                    sheet = load_workbook(io.BytesIO(files[doc["path"]])).active
                    names = {row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
                    assert names == {p["name"] for p in record["facts"]["staff"]["value"]}
                    seen += 1
    assert seen >= 1


def test_broken_files_are_truly_broken(small_batches):
    for root in small_batches.values():
        for record in read_truth(root):
            files = application_files(root / "batch", record["application_id"])
            for doc in record["documents"]:
                if doc["status"] == "error":
                    with pytest.raises(OSError):
                        Image.open(io.BytesIO(files[doc["path"]])).load()


def test_gbk_zip_names_are_stored_without_the_utf8_flag():
    data = zip_bytes({"附件/营业执照.jpg": b"x"}, gbk_names=True)
    info = zipfile.ZipFile(io.BytesIO(data)).infolist()[0]
    assert not info.flag_bits & 0x800
    assert info.filename.encode("cp437") == "附件/营业执照.jpg".encode("gbk")
    assert zip_entry_name(info) == "附件/营业执照.jpg"


def test_the_year_mix_scans_a_third_of_applications_and_sends_the_rest_as_made(tmp_path):
    root = generate_batch(tmp_path / "year", "changzhi-shifan", 3, 42, mix="year").root
    made_digitally = {"application_report", "lease_contract", "staff_roster", "audit_report", "service_evidence",
                      "authenticity_declaration", "recommendation_form"}  # the rest exist on paper only
    born_digital = {"docx", "text_pdf", "xlsx"}
    sent = [[(d["doc_type"], d["format"]) for d in r["documents"] if d["status"] == "ok" and d["legible"]]
            for r in read_truth(root)]
    paper, *digital = sent  # the first of every three applicants scans everything
    assert not {fmt for _type, fmt in paper} & born_digital
    for documents in digital:
        assert all(fmt in born_digital for doc_type, fmt in documents if doc_type in made_digitally), documents
    varied = generate_batch(tmp_path / "varied", "changzhi-shifan", 3, 42).root
    assert tree_digest(varied / "batch") != tree_digest(root / "batch")
    with pytest.raises(ValueError, match="材料构成"):
        generate_batch(tmp_path / "bad", "changzhi-shifan", 1, 42, mix="yearly")
