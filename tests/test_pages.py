"""Pages from every accepted format: text layer vs OCR per page, images, DOCX/XLSX structure, legacy Office."""

from __future__ import annotations

import io
import shutil
import subprocess

import numpy as np
import pypdfium2
import pytest
from PIL import Image, ImageDraw

from extractors import DocumentText, extract
from fixtures.render.fonts import pil_font
from pipeline.intake import read_batch, sniff
from pipeline.ocr import make_engine
from pipeline.pages import PageReader
from pipeline.textlayer import text_layer_is_usable
from tests.conftest import REPO, read_truth

SAMPLE = REPO / "samples" / "hubei-yanxuan"
LINES = ["房屋租赁合同", "出租方（甲方）：荆州市宏图投资发展有限公司", "承租方（乙方）：荆州市鼎信数字科技有限公司",
         "租赁期限自2025年1月1日起至2027年12月31日止。"]


@pytest.fixture(scope="module")
def reader() -> PageReader:
    return PageReader(lambda: make_engine("rapidocr"))


@pytest.fixture(scope="module")
def page_image() -> Image.Image:
    img = Image.new("RGB", (1000, 700), "white")
    draw = ImageDraw.Draw(img)
    for i, text in enumerate(LINES):
        draw.text((60, 80 + 110 * i), text, fill="black", font=pil_font("song", 36))
    return img


def _sample_files(fmt: str) -> list[bytes]:
    wanted = {(r["application_id"], d["path"]) for r in read_truth(SAMPLE) for d in r["documents"] if d["format"] == fmt}
    return [f.data for app in read_batch(SAMPLE / "batch") for f in app.files if (app.application_id, f.path) in wanted]


def test_text_layer_usability():
    assert text_layer_is_usable("房屋租赁合同 出租方（甲方）：荆州市宏图投资发展有限公司")
    assert not text_layer_is_usable("")
    assert not text_layer_is_usable("\ufffd" * 40 + "房屋")
    assert not text_layer_is_usable("(cid:12)(cid:55)(cid:91)" * 10)
    assert not text_layer_is_usable("第1页")  # a page number stamped on a scan


def test_text_layer_pdf_gives_lines_with_character_boxes(reader):
    data = _sample_files("text_pdf")[0]
    read = reader("pdf", data)
    assert read.error is None and read.ocr_pages == 0
    page = read.pages[0]
    assert page.source == "text_layer" and page.dpi == 200
    assert (page.width, page.height) == (1654, 2339)  # A4 at 200 DPI
    line = max(page.lines, key=lambda item: len(item.text))
    assert len(line.char_boxes) == len(line.text)
    assert all(0 <= box[0] < box[2] <= page.width and 0 <= box[1] < box[3] <= page.height for box in line.char_boxes)


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_text_layer_boxes_fall_on_the_printed_characters_of_a_rotated_page(reader, rotation):
    from pipeline.pages import render_pdf_page

    pdf = pypdfium2.PdfDocument(_sample_files("text_pdf")[0])
    page = pdf[0]
    page.set_rotation(rotation)
    buffer = io.BytesIO()
    pdf.save(buffer)
    read = reader("pdf", buffer.getvalue())
    stored = read.pages[0]
    image = render_pdf_page(pypdfium2.PdfDocument(buffer.getvalue())[0], stored.dpi / 72)
    assert (stored.width, stored.height) == (image.shape[1], image.shape[0])
    line = max(stored.lines, key=lambda item: len(item.text))
    for x0, y0, x1, y1 in line.char_boxes[:10]:
        ink = image[int(y0):int(y1) + 1, int(x0):int(x1) + 1]
        assert ink.min() < 128, (rotation, line.text)  # a dark stroke inside every character's box


def test_mixed_pdf_reads_text_pages_and_ocrs_scanned_ones(reader):
    merged = pypdfium2.PdfDocument.new()
    merged.import_pages(pypdfium2.PdfDocument(_sample_files("text_pdf")[0]), [0])
    merged.import_pages(pypdfium2.PdfDocument(_sample_files("scan_pdf")[0]), [0])
    buffer = io.BytesIO()
    merged.save(buffer)
    read = reader("pdf", buffer.getvalue())
    assert [p.source for p in read.pages] == ["text_layer", "ocr"]
    assert read.ocr_pages == 1 and read.pages[1].image_sha256 and len(read.pages[1].lines) > 3


def test_ruled_table_of_a_text_pdf_keeps_its_cells(reader):
    import random

    from fixtures.documents import text_pdf
    from fixtures.render.layout import Heading, Table

    rows = [["序号", "姓名", "学历", "职称", "职务", "是否专职"],
            ["1", "雷伟红", "本科", "研究员", "市场专员", "√"],
            ["2", "付艳", "大学本科", "会计师", "技术工程师兼项目经理", "√"]]
    data, _, _ = text_pdf([Heading("人员名册", 16), Table(rows, [0.1, 0.15, 0.15, 0.15, 0.12, 0.15], 10)],
                          random.Random(3))
    read = reader("pdf", data)
    assert read.ocr_pages == 0 and read.pages[0].source == "text_layer"
    assert read.pages[0].tables == [rows]  # the wrapped 职务 cell joined without a space
    staff = extract(DocumentText("人员名册.pdf", "staff_roster", read.pages)).facts["staff"]
    assert [(p["name"], p["degree"], p["title"]) for p in staff.value] == [("雷伟红", "本科", "高级"), ("付艳", "本科", "中级")]
    assert [e.text.split()[1] for e in staff.evidence] == ["雷伟红", "付艳"] and all(e.bbox for e in staff.evidence)


def test_ruled_tables_match_pdfplumbers_own_extraction(reader):
    import functools

    import pdfplumber

    from extractors.values import join_wrapped, mask_id_numbers

    def as_stored(cell: str | None) -> str:
        return mask_id_numbers(functools.reduce(join_wrapped, (p.strip() for p in (cell or "").split("\n")), ""))

    compared = 0
    for data in _sample_files("text_pdf"):
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            expected = [[[[as_stored(c) for c in row] for row in table] for table in page.extract_tables() if len(table) >= 2]
                        for page in pdf.pages]
        assert [page.tables for page in reader("pdf", data).pages] == expected
        compared += sum(len(tables) for tables in expected)
    assert compared >= 3


@pytest.mark.parametrize("fmt", ["PNG", "BMP", "WEBP", "HEIF"])
def test_image_formats_are_read(reader, page_image, fmt):
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    page_image.save(buffer, format=fmt, **({"lossless": True} if fmt == "WEBP" else {}))
    data = buffer.getvalue()
    read = reader(sniff(data), data)
    assert read.error is None, read.error
    assert "租赁期限" in read.pages[0].text


def test_multipage_tiff_gives_one_page_per_frame(reader, page_image):
    buffer = io.BytesIO()
    page_image.save(buffer, format="TIFF", save_all=True, append_images=[page_image.rotate(180)])
    read = reader("tiff", buffer.getvalue())
    assert [p.page_no for p in read.pages] == [1, 2]
    assert [p.rotation for p in read.pages] == [0, 2]
    assert all("承租方" in p.text for p in read.pages)


def test_exif_orientation_is_applied_before_reading(reader, page_image):
    stored = page_image.transpose(Image.Transpose.ROTATE_90)  # what the camera wrote
    exif = Image.Exif()
    exif[0x0112] = 6  # "turn 90° clockwise to display"
    buffer = io.BytesIO()
    stored.save(buffer, format="JPEG", exif=exif, quality=95)
    read = reader("jpeg", buffer.getvalue())
    assert (read.pages[0].width, read.pages[0].height) == page_image.size
    assert read.pages[0].rotation == 0 and "出租方" in read.pages[0].text


def test_sixteen_bit_greyscale_tiff_is_read(reader, page_image):
    grey = (np.asarray(page_image.convert("L")).astype(np.uint16) * 257)
    buffer = io.BytesIO()
    Image.fromarray(grey).save(buffer, format="TIFF")
    read = reader("tiff", buffer.getvalue())
    assert read.error is None and "出租方" in read.pages[0].text


def test_docx_keeps_paragraphs_and_table_cells():
    import docx

    document = docx.Document()
    document.add_paragraph("服务人员名册")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells + table.rows[1].cells, ["姓名", "学历", "职称", "张三", "本科", "工程师"], strict=True):
        cell.text = text
    document.add_paragraph("填表日期：2026年5月1日")
    buffer = io.BytesIO()
    document.save(buffer)
    read = PageReader(lambda: None)("docx", buffer.getvalue())
    page = read.pages[0]
    assert page.source == "docx"
    assert [line.text for line in page.lines] == ["服务人员名册", "姓名\t学历\t职称", "张三\t本科\t工程师", "填表日期：2026年5月1日"]
    assert page.tables == [[["姓名", "学历", "职称"], ["张三", "本科", "工程师"]]]


def test_xlsx_sheets_become_pages_with_rows():
    import datetime

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["姓名", "入职日期", "专职"])
    book.active.append(["李四", datetime.datetime(2021, 3, 1), "是"])
    book.create_sheet("说明").append(["数据来源：人事部"])
    buffer = io.BytesIO()
    book.save(buffer)
    pages = PageReader(lambda: None)("xlsx", buffer.getvalue()).pages
    assert [p.page_no for p in pages] == [1, 2]
    assert pages[0].tables == [[["姓名", "入职日期", "专职"], ["李四", "2021-03-01", "是"]]]


def _legacy_doc(tmp_path) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("真实性声明")
    document.add_paragraph("本单位郑重声明：所提交的全部申报材料均真实、合法、有效。")
    document.save(tmp_path / "声明.docx")
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "doc",
                    "--outdir", str(tmp_path), str(tmp_path / "声明.docx")], capture_output=True, timeout=120, check=True)
    return (tmp_path / "声明.doc").read_bytes()


def test_legacy_doc_is_converted_with_libreoffice(tmp_path):
    if not shutil.which("soffice"):
        pytest.fail("LibreOffice 未安装：scripts/setup.sh 应已安装 libreoffice-writer-nogui")
    data = _legacy_doc(tmp_path)
    assert sniff(data) == "ole"
    read = PageReader(lambda: None)("ole", data)
    assert read.error is None and read.converted_from == "ole" and read.kind == "docx"
    assert read.pages[0].lines[0].text == "真实性声明"


def test_legacy_doc_without_libreoffice_says_how_to_convert(tmp_path, monkeypatch):
    if not shutil.which("soffice"):
        pytest.fail("LibreOffice 未安装：scripts/setup.sh 应已安装 libreoffice-writer-nogui")
    data = _legacy_doc(tmp_path)
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    read = PageReader(lambda: None)("ole", data)
    assert read.pages == [] and "LibreOffice" in read.error and "另存为" in read.error


def test_a_damaged_pdf_is_an_error_not_an_exception(reader):
    read = reader("pdf", b"%PDF-1.7\n garbage")
    assert read.pages == [] and read.error
