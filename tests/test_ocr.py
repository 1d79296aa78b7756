"""OCR clean-up and engines: seals, quarter turns, skew, reading order, boxes back on the stored image."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from fixtures.render.fonts import pil_font
from models.pages import PageText, bbox_to_source, page_box_to_source
from pipeline.ocr import OcrUnavailable, make_engine
from pipeline.ocr.preprocess import (
    flatten_sheet,
    reading_order,
    rotate_quarter,
    suppress_red_seals,
    vertical_share,
)
from tests.conftest import read_truth


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
def test_box_on_upright_page_maps_back_to_the_stored_image(turns):
    stored = np.zeros((300, 500), np.uint8)
    stored[40:60, 100:220] = 255  # a bright bar at x 100..220, y 40..60
    upright = rotate_quarter(stored, turns)
    ys, xs = np.nonzero(upright)
    box = (float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1))
    height, width = upright.shape
    assert bbox_to_source(box, turns, width, height) == (100, 40, 220, 60)


def _photographed_sheet(corners: list[tuple[int, int]], size: tuple[int, int] = (1400, 1000)) -> np.ndarray:
    """A ruled white sheet (800 × 1100) laid at `corners` on an olive desk, as a phone sees it."""
    import cv2

    sheet = np.full((1100, 800, 3), 250, np.uint8)
    for row in range(150, 1000, 60):
        cv2.line(sheet, (80, row), (720, row), (20, 20, 20), 3)  # table rows: level on the sheet
    warp = cv2.getPerspectiveTransform(np.float32([[0, 0], [799, 0], [799, 1099], [0, 1099]]), np.float32(corners))
    desk = np.empty((*size, 3), np.uint8)
    desk[:] = (60, 110, 100)
    return cv2.warpPerspective(sheet, warp, (size[1], size[0]), dst=desk, borderMode=cv2.BORDER_TRANSPARENT)


def test_a_photographed_sheet_is_flattened_and_its_boxes_map_back_to_the_photo():
    import cv2

    corners = [(160, 140), (860, 100), (900, 1300), (120, 1240)]  # leaning, one side nearer the lens
    photo = _photographed_sheet(corners)
    flat, homography = flatten_sheet(photo)
    assert homography is not None
    assert abs(flat.shape[1] / flat.shape[0] - 800 / 1100) < 0.1  # roughly the sheet's proportions (the lens foreshortens)
    dark_rows = np.nonzero((cv2.cvtColor(flat, cv2.COLOR_BGR2GRAY) < 100).mean(axis=1) > 0.5)[0]
    assert len(dark_rows) > 0 and np.ptp(dark_rows) > 0.5 * flat.shape[0]  # ruled lines run level, across
    page = PageText(page_no=1, width=flat.shape[1], height=flat.shape[0], flattened=homography.tolist())
    x0, y0, x1, y1 = page_box_to_source(page, (0, 0, flat.shape[1], flat.shape[0]))
    assert abs(x0 - 120) < 15 and abs(y0 - 100) < 15 and abs(x1 - 900) < 15 and abs(y1 - 1300) < 15


@pytest.mark.parametrize("corners", [
    [(0, 0), (999, 0), (999, 1399), (0, 1399)],  # a scan: the paper is the whole image
    [(0, 300), (999, 300), (999, 1399), (0, 1399)],  # a screenshot's white panel under a coloured bar
])
def test_an_image_that_is_not_a_sheet_on_a_desk_is_read_as_it_is(corners):
    photo = _photographed_sheet(corners)
    flat, homography = flatten_sheet(photo)
    assert homography is None and flat is photo


def test_reading_order_rows_then_columns_despite_skew():
    # Two rows of two boxes, the page tilted 2°: the right box of row 1 sits lower than the left of row 2 would.
    boxes = [(600, 130, 900, 160), (100, 100, 400, 130), (100, 200, 400, 230), (600, 228, 900, 258)]
    assert reading_order(boxes, skew_deg=2.9) == [1, 0, 2, 3]


def test_vertical_share_sees_a_page_turned_by_ninety_degrees():
    wide = [np.array([[0, 0], [300, 0], [300, 30], [0, 30]], np.float32)] * 5
    tall = [np.array([[0, 0], [30, 0], [30, 300], [0, 300]], np.float32)] * 5
    assert vertical_share(wide) == 0.0
    assert vertical_share(tall) == 1.0


def _page_with_seal() -> np.ndarray:
    img = Image.new("RGB", (1200, 800), "white")
    draw = ImageDraw.Draw(img)
    draw.ellipse((700, 300, 1000, 600), outline=(220, 30, 30), width=12)
    draw.text((760, 400), "印章印章", fill=(220, 30, 30), font=pil_font("song", 40))
    draw.rectangle((100, 100, 600, 140), fill=(200, 20, 20))  # a long red title bar, not a seal
    draw.rectangle((100, 450, 900, 470), fill=(0, 0, 0))  # black text passing under the seal
    return np.asarray(img)[:, :, ::-1].copy()


def test_red_seal_fades_but_red_title_and_black_text_stay():
    page = _page_with_seal()
    cleaned = suppress_red_seals(page)
    assert (cleaned[300:310, 845:855] == 255).all()  # top of the ring
    assert (cleaned[115:125, 300:310] == page[115:125, 300:310]).all()  # title bar kept
    assert (cleaned[455:465, 820:830] == 0).all()  # black line under the seal kept
    assert (cleaned[450, 702:711] == 0).all()  # ... also its edge where the red ring touches it
    assert (page[300:310, 845:855] != 255).any()  # the input itself is left alone


def test_unknown_engine_and_missing_paddle_models_say_what_to_do(tmp_path):
    with pytest.raises(OcrUnavailable, match="未知的OCR引擎"):
        make_engine("abbyy")
    with pytest.raises(OcrUnavailable, match="模型目录"):
        make_engine("paddleocr", model_dir=str(tmp_path))


@pytest.fixture(scope="module")
def rapid():
    return make_engine("rapidocr")


def _scanned_docs(small_batches, effect: str | None = None):
    for root in small_batches.values():
        for record in read_truth(root):
            for d in record["documents"]:
                scanned = d["format"] in ("scan_jpg", "jpg") and d["status"] == "ok" and d["legible"]
                if scanned and (effect is None or effect in (d["effects"] or [])):
                    yield root, record, d


@pytest.mark.parametrize("effect", ["rot90", "rot180", "rot270"])
def test_rapidocr_turns_stored_rotated_scans_upright(small_batches, rapid, effect):
    found = next(_scanned_docs(small_batches, effect), None)
    if found is None:
        pytest.skip(f"这组样例中没有 {effect} 的扫描件")
    root, record, doc = found
    data = _file_bytes(root, record["application_id"], doc["path"])
    bgr = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))[:, :, ::-1].copy()
    result = rapid(bgr)
    assert result.rotation == {"rot90": 3, "rot180": 2, "rot270": 1}[effect]
    evidence = [e for fact in record["facts"].values() if isinstance(fact, dict)
                for e in fact.get("evidence", []) if e.get("path") == doc["path"] and e.get("text")]
    assert evidence, "truth has evidence text for this scan"
    text = "".join(line.text for line in result.lines)
    expected = "".join(e["text"] for e in evidence).replace(" ", "").replace("\n", "")
    found = sum(1 for char in expected if char in text)
    assert found >= 0.6 * len(expected), (expected, text)


def _file_bytes(root, application_id: str, path: str) -> bytes:
    from pipeline.intake import read_batch

    for app in read_batch(root / "batch"):
        if app.application_id == application_id:
            return next(f.data for f in app.files if f.path == path)
    raise KeyError(path)


def test_tesseract_reads_a_clean_page():
    try:
        engine = make_engine("tesseract")
    except OcrUnavailable as exc:
        pytest.skip(str(exc))
    img = Image.new("RGB", (1240, 900), "white")
    draw = ImageDraw.Draw(img)
    lines = ["房屋租赁合同", "出租方（甲方）：荆州市宏图投资发展有限公司", "承租方（乙方）：荆州市鼎信数字科技有限公司",
             "租赁期限自2025年1月1日起至2027年12月31日止。"]
    for i, text in enumerate(lines):
        draw.text((100, 120 + 120 * i), text, fill="black", font=pil_font("song", 40))
    result = engine(np.asarray(img)[:, :, ::-1].copy())
    text = "".join(line.text for line in result.lines)
    assert "租赁期限" in text and "承租方" in text
    assert all(line.bbox and line.bbox[2] > line.bbox[0] for line in result.lines)


def test_boxes_of_one_row_a_character_apart_are_joined_and_other_rows_are_not():
    from pipeline.ocr.rapid import join_close_boxes

    def quad(x0, y0, x1, y1):
        return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)

    joined = join_close_boxes([quad(300, 10, 600, 40), quad(0, 12, 280, 42), quad(0, 80, 200, 110)])
    boxes = sorted(tuple(int(v) for v in (q[0][0], q[0][1], q[2][0], q[2][1])) for q in joined)
    assert boxes == [(0, 10, 600, 42), (0, 80, 200, 110)]


@pytest.mark.parametrize("effects, seed", [(["watermark"], 2), (["watermark", "skew", "noise"], 5)])
def test_a_watermarked_certificate_is_read_again_with_the_watermark_faded(rapid, effects, seed):
    import random

    from fixtures.documents import scanned_pages
    from fixtures.render.layout import Heading, Para

    lines = ["编号：2060355268", "单位名称：襄阳市领航法律咨询有限公司", "住所：湖北省襄阳市樊城区黄河大道204号"]
    blocks = [Heading("融资担保业务经营许可证", 24), *(Para(line, 13, indent=False) for line in lines)]
    image, _marks = scanned_pages(blocks, random.Random(seed), effects)[0]
    read = [line.text for line in rapid(np.asarray(image.convert("RGB"))[:, :, ::-1].copy()).lines]
    assert "融资担保业务经营许可证" in read
    assert all(line.replace("：", ":") in (r.replace("：", ":") for r in read) for line in lines), read
    assert not any("仅供" in text or "使用" in text for text in read), read  # the watermark's own words are gone


def test_boxes_of_neighbouring_slanted_lines_are_not_one_line():
    from pipeline.ocr.rapid import _same_line

    def slanted(x0: float, x1: float, y: float, height: float = 30, slope: float = 0.1) -> np.ndarray:
        return np.array([[x0, y + slope * x0], [x1, y + slope * x1], [x1, y + slope * x1 + height],
                         [x0, y + slope * x0 + height]], dtype=np.float32)

    # A page slanted by ~6°: lines 42 px apart, whose upright bounding boxes overlap by half their height.
    line, next_line = slanted(100, 1000, 100), slanted(100, 1000, 142)
    assert not _same_line(line, next_line)
    assert _same_line(line, slanted(500, 800, 102))  # a piece of the same line, read again
