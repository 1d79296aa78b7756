"""What a scan shows beyond its text: round seals (red or photocopied grey) and the ink map a faint tick is seen in."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

from extractors import DocumentText, extract
from fixtures.documents import scanned_pages
from fixtures.render.layout import Heading, Para, Signature
from models.pages import PageText, TextLine
from pipeline.ink import page_to_ink_map
from pipeline.ocr import OcrResult
from pipeline.ocr.preprocess import rotate_quarter
from pipeline.pages import PageReader
from pipeline.seals import page_to_seal_boxes

DECLARATION = "本单位郑重声明：所提交的全部申报材料均真实、合法、有效，复印件与原件一致，不存在任何虚假记载、误导性陈述或重大遗漏。" * 2


def _declaration_scan(effects: list[str], seal: str | None, seed: int) -> tuple[np.ndarray, tuple[float, ...]]:
    """A scanned declaration page (BGR) and the box of its signature lines, where the seal is stamped."""
    blocks = [Heading("真实性声明", 22), Para(DECLARATION, 13), Para(DECLARATION, 13),
              Signature(["申报单位（公章）：武汉市楚天科技服务有限公司", "法定代表人（签字）：王明", "2026年6月20日"],
                        seal=seal, marks=("authenticity_declaration_sealed",))]
    image, marks = scanned_pages(blocks, random.Random(seed), effects)[0]
    return np.asarray(image.convert("RGB"))[:, :, ::-1].copy(), marks[0].bbox


def _overlaps(box: tuple[float, ...], other: tuple[float, ...]) -> bool:
    return box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]


@pytest.mark.parametrize("effects, seed", [([], 1), (["photocopy"], 2), (["photocopy", "noise", "skew"], 3),
                                           (["watermark", "blur"], 4), (["phone", "photocopy"], 5)])
def test_the_seal_over_the_signature_is_found_red_or_photocopied(effects, seed):
    bgr, signature = _declaration_scan(effects, "武汉市楚天科技服务有限公司", seed)
    seals = page_to_seal_boxes(bgr)
    assert len(seals) == 1
    x0, y0, x1, y1 = seals[0]
    assert 0.8 < (x1 - x0) / (y1 - y0) < 1.25 and (x1 - x0) > 100  # round, and seal-sized at 150 DPI
    if "phone" not in effects:  # a phone photo moves the page; the marks stay where the layout drew them
        assert _overlaps(seals[0], signature)


@pytest.mark.parametrize("effects", [[], ["photocopy", "noise"], ["watermark"]])
def test_a_page_of_text_without_a_seal_has_none(effects):
    bgr, _ = _declaration_scan(effects, None, 6)
    assert page_to_seal_boxes(bgr) == []


def test_seal_boxes_are_on_the_page_as_ocr_turned_it():
    bgr, _ = _declaration_scan(["photocopy"], "武汉市楚天科技服务有限公司", 7)
    upright = page_to_seal_boxes(bgr)
    turned_back = page_to_seal_boxes(rotate_quarter(bgr, 3), turns=1)  # a page scanned lying on its side
    assert len(upright) == len(turned_back) == 1
    assert np.allclose(upright[0], turned_back[0], atol=6)


def _ocr_page(lines: list[tuple[str, tuple[float, float, float, float]]], seals: list) -> PageText:
    return PageText(page_no=1, width=1240, height=1753, source="ocr",
                    lines=[TextLine(text=t, bbox=b, confidence=0.98) for t, b in lines], seals=seals)


def test_a_declaration_is_sealed_by_the_seal_found_and_unsure_from_the_printed_place_alone():
    title = ("真实性声明", (520, 250, 720, 300))
    signature = ("申报单位（公章）：武汉市楚天科技服务有限公司", (520, 700, 1100, 730))
    seal = (560, 620, 740, 800)
    sealed = extract(DocumentText("声明.jpg", "authenticity_declaration", [_ocr_page([title], [seal])]))
    fact = sealed.facts["authenticity_declaration_sealed"]
    assert fact.value is True and fact.confidence >= 0.9 and fact.evidence[0].bbox == list(seal)
    place_only = extract(DocumentText("声明.jpg", "authenticity_declaration", [_ocr_page([title, signature], [])]))
    fact = place_only.facts["authenticity_declaration_sealed"]
    assert fact.value is True and fact.confidence <= 0.5 and place_only.notes
    nothing = extract(DocumentText("声明.jpg", "authenticity_declaration", [_ocr_page([title], [])]))
    assert "authenticity_declaration_sealed" not in nothing.facts


def test_the_ink_map_sees_a_faint_tick_in_a_ruled_cell_and_keeps_identity_numbers_blank():
    import cv2

    page = np.full((400, 600, 3), 235, np.uint8)  # greyish paper, as a photo gives
    for x in (100, 300, 400, 500):
        cv2.line(page, (x, 50), (x, 350), (20, 20, 20), 2)
    for y in (50, 150, 250, 350):
        cv2.line(page, (100, y), (500, y), (20, 20, 20), 2)
    cv2.polylines(page, [np.array([(425, 95), (440, 120), (470, 70)])], False, (150, 150, 150), 3)  # a faint √
    cv2.putText(page, "140411197805204881", (110, 220), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 2)
    hidden = [(105, 200, 295, 230)]
    read = PageText(page_no=1, width=600, height=400, source="ocr", ink=page_to_ink_map(page, hidden=hidden))
    assert read.ink_share((400, 50, 500, 150)) >= 0.04  # the ticked cell, borders and all
    assert read.ink_share((400, 150, 500, 250)) < 0.01  # an empty cell: its borders are not a mark
    assert read.ink_share((100, 150, 300, 250)) < 0.01  # the identity number is not kept, even as ink
    assert PageText(page_no=1).ink_share((0, 0, 10, 10)) is None


def test_a_tick_ocr_did_not_read_is_seen_in_the_roster_cell_and_a_blank_cell_stays_part_time():
    import cv2

    header = [("序号", (246, 100, 297, 130)), ("姓名", (305, 100, 360, 130)), ("学历", (450, 100, 500, 130)),
              ("职称", (600, 100, 650, 130)), ("是否专职", (760, 100, 860, 130))]
    people = [("张伟", 160, True), ("李娜", 220, False)]
    image = np.full((400, 1000, 3), 240, np.uint8)
    for x in (240, 300, 440, 590, 750, 880):
        cv2.line(image, (x, 90), (x, 260), (30, 30, 30), 2)
    for y in (90, 140, 200, 260):
        cv2.line(image, (240, y), (880, y), (30, 30, 30), 2)
    cv2.polylines(image, [np.array([(800, 165), (812, 185), (835, 148)])], False, (140, 140, 140), 3)  # faint √
    lines = [TextLine(text=text, bbox=box, confidence=1.0) for text, box in header]
    for number, (name, top, _ticked) in enumerate(people, start=1):
        lines += [TextLine(text=text, bbox=(left, top, left + width, top + 30), confidence=1.0)
                  for text, left, width in ((str(number), 250, 20), (name, 310, 60), ("本科", 455, 45), ("工程师", 605, 70))]
    page = PageText(page_no=1, width=1000, height=400, source="ocr", lines=lines, ink=page_to_ink_map(image))
    staff = extract(DocumentText("名册.jpg", "staff_roster", [page])).facts["staff"]
    assert [(p["name"], p["fulltime"]) for p in staff.value] == [(name, ticked) for name, _top, ticked in people]
    assert staff.confidence < 1.0  # a tick seen only as ink is less sure than one read


class _ScriptedEngine:
    """Stands in for OCR: the page's lines are given, so only which marks the reader adds is tested."""

    name, version, settings = "scripted", "1", {}

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def __call__(self, bgr: np.ndarray) -> OcrResult:
        height, width = bgr.shape[:2]
        return OcrResult(lines=[TextLine(text=t, bbox=(100, 100 + 40 * i, 900, 130 + 40 * i))
                                for i, t in enumerate(self.lines)], width=width, height=height)


@pytest.mark.parametrize("lines, has_seals, has_ink", [
    (["真实性声明", "本单位郑重声明：所提交的材料真实有效，并承担由此产生的一切法律责任。"], True, False),
    (["服务人员名册", "序号 姓名 学历 职称 是否专职"], True, True),
    (["房屋租赁合同", "甲方（盖章）： 乙方（盖章）："], False, False),
])
def test_seals_and_ink_are_kept_only_for_pages_whose_text_asks_for_them(lines, has_seals, has_ink):
    bgr, _ = _declaration_scan(["photocopy"], "武汉市楚天科技服务有限公司", 8)
    png = cv2.imencode(".png", bgr)[1].tobytes()
    page = PageReader(lambda: _ScriptedEngine(lines))("png", png).pages[0]
    assert (len(page.seals) == 1) is has_seals
    assert (page.ink is not None) is has_ink
