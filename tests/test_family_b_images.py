"""Family b's licences, credit screenshots and activity photos: deterministic, marks where the values are."""

from __future__ import annotations

import copy
import io
import random
from datetime import date

import numpy as np
import pytest
from PIL import Image

from fixtures.documents import PDF_PAGE_DPI, RenderedDoc
from fixtures.family_b import licence, photos, screens
from fixtures.world import Application, Penalty, make_application


def _app(index: int = 0, seed: int = 7) -> Application:
    return make_application("hubei-yanxuan", index, seed)


def _kind(app: Application, kind: str) -> Application:
    """The application's entity turned into another kind, as the traps do."""
    app = copy.deepcopy(app)
    e = app.entity
    codes = {"institution": "12", "social_org": "51", "private_nonenterprise": "52", "individual": "92"}
    names = {"institution": "黄石市中小企业服务中心", "social_org": "黄石市信息技术协会", "private_nonenterprise": "黄石市博睿科技服务中心",
             "individual": "黄石市汇通企业管理咨询服务部", "partnership": "黄石市众创科技服务中心（有限合伙）"}
    types = {"institution": "事业单位", "social_org": "社会团体", "private_nonenterprise": "民办非企业单位", "individual": "个体工商户",
             "partnership": "有限合伙企业"}
    if kind == "branch":
        e.name += "洪山分公司"
        e.type_text = "有限责任公司分公司（自然人投资或控股）"
        e.capital_amount = None
    elif kind == "shenzhen":
        e.capital_amount = None
        e.term_printed = False
    elif kind != "company":
        e.kind = kind  # type: ignore[assignment]
        e.name, e.type_text = names[kind], types[kind]
        e.credit_code = codes.get(kind, "91") + e.credit_code[2:]
        if kind in ("individual", "partnership"):
            e.capital_amount = None
        if kind == "individual":
            e.term_printed = False
    return app


def _size(doc: RenderedDoc) -> tuple[int, int]:
    """Pixel size of the page the marks refer to."""
    if doc.fmt == "scan_pdf":
        import pypdfium2 as pdfium

        page = pdfium.PdfDocument(doc.data)[0]
        w, h = page.get_size()
        return round(w * PDF_PAGE_DPI / 72), round(h * PDF_PAGE_DPI / 72)
    return Image.open(io.BytesIO(doc.data)).size


def _inside(doc: RenderedDoc) -> None:
    w, h = _size(doc)
    for m in doc.marks:
        x0, y0, x1, y1 = m.bbox
        assert 0 <= x0 <= x1 <= w + 0.5 and 0 <= y0 <= y1 <= h + 0.5, (doc.name, m)
        assert m.text, m


KINDS = ("company", "individual", "partnership", "branch", "shenzhen", "institution", "social_org", "private_nonenterprise")


def test_licence_is_deterministic() -> None:
    app = _app()
    a = licence.licence_document(app, random.Random("x"))
    b = licence.licence_document(app, random.Random("x"))
    assert a.data == b.data and a.marks == b.marks and a.effects == b.effects


def test_screens_and_photos_are_deterministic() -> None:
    app = _app(3)
    for index in (0, 1):
        a = screens.credit_document(app, index, random.Random(f"q{index}"))
        b = screens.credit_document(app, index, random.Random(f"q{index}"))
        assert a.data == b.data and a.marks == b.marks
    pa = photos.service_photo_documents(app, random.Random("p"), None)
    pb = photos.service_photo_documents(app, random.Random("p"), None)
    assert [d.data for d in pa] == [d.data for d in pb]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_its_layouts_and_marks(kind: str) -> None:
    app = _kind(_app(), kind)
    e = app.entity
    layouts = licence.layouts_for(e)
    assert layouts
    for layout in layouts:
        sheet, _ = licence.draw(e, random.Random(layout), layout)
        keys = {m.key for m in sheet.marks}
        assert {"org_name", "legal_representative", "address"} <= keys, (kind, layout, keys)
        assert ("credit_code" in keys) == (layout != "registration_number_only"), (kind, layout)
        has_capital = bool(keys & {"registered_capital_cny", "registered_capital"})
        assert has_capital == (e.capital_amount is not None), (kind, layout)
        if kind in ("institution", "social_org", "private_nonenterprise"):
            title = next(m for m in sheet.marks if m.key == "entity_type")
            assert title.text == licence.CERTS[kind]
            assert "registration_date" not in keys and "business_term" not in keys
        else:
            assert "registration_date" in keys
        labels = {m.key: m.text.split(" ", 1)[0] for m in sheet.marks}
        expected_rep = {"individual": "经营者", "partnership": "执行事务合伙人", "branch": "负责人"}.get(kind, "法定代表人")
        assert labels["legal_representative"] == expected_rep
        if kind == "individual":
            assert labels["address"] == "经营场所" and labels["registration_date"] == "注册日期"
        if kind == "branch":
            assert labels["address"] == "营业场所"
        if kind == "partnership":
            assert labels["address"] == "主要经营场所"
        if layout.startswith("shenzhen"):
            assert "business_term" not in keys
    doc = licence.licence_document(app, random.Random(kind))
    expected_type = "legal_person_certificate" if kind in ("institution", "social_org", "private_nonenterprise") else "business_license"
    assert doc.doc_type == expected_type
    _inside(doc)


def test_landscape_shares_lines_between_columns() -> None:
    app = _app()
    app.entity.term_printed = True
    sheet, _ = licence.draw(app.entity, random.Random(1), "landscape")
    marks = {m.key: m.bbox for m in sheet.marks}
    rep, term = marks["legal_representative"], marks["business_term"]
    assert rep[2] < term[0]  # left column, right column
    assert min(rep[3], term[3]) - max(rep[1], term[1]) > 0  # on one line


def test_registration_number_only_licence_has_no_code() -> None:
    app = _app()
    app.entity.issue_date = date(2015, 3, 2)
    app.entity.registration_date = date(2013, 6, 8)
    sheet, _ = licence.draw(app.entity, random.Random(2), "registration_number_only")
    assert "credit_code" not in {m.key for m in sheet.marks}
    number = licence.registration_number(app.entity, random.Random(3))
    assert len(number) == 15 and number.isdigit()


def test_many_documents_keep_their_marks_inside() -> None:
    for i in range(6):
        app = _app(i, seed=11)
        for kind in ("company", "institution") if i % 2 else ("company",):
            _inside(licence.licence_document(_kind(app, kind), random.Random(f"l{i}{kind}")))
        for index in (0, 1):
            _inside(screens.credit_document(app, index, random.Random(f"c{i}{index}")))
    for form in ("detail", "search", "mobile", "cropped", "monitor"):
        _inside(screens.credit_document(_app(2), 0, random.Random(form), form=form))


def test_ccgp_hit_row_and_no_record_page() -> None:
    app = _app()
    q = app.credit[1]
    q.ccgp_listed = True
    hit = screens.credit_document(app, 1, random.Random(5))
    assert hit.doc_type == "ccgp_record" and hit.source is q
    listed = [m for m in hit.marks if m.key == "ccgp_listed"]
    assert len(listed) == 1 and q.subject_code in listed[0].text and q.subject_name in listed[0].text
    q.ccgp_listed = False
    clean = screens.credit_document(app, 1, random.Random(5))
    listed = [m for m in clean.marks if m.key == "ccgp_listed"]
    assert len(listed) == 1 and listed[0].text in ("没有该企业的相关记录", "暂无数据")
    assert any(m.key == "ccgp_subject_name" and q.subject_name in m.text for m in clean.marks)


def test_penalty_decision_date_marked_and_publication_dates_not() -> None:
    app = _app()
    q = app.credit[0]
    q.penalties.append(Penalty(date(2025, 3, 12), "黄石市市场监督管理局", "黄市罚〔2025〕123号", "发布虚假广告"))
    for form in ("detail", "mobile", "cropped"):
        doc = screens.credit_document(app, 0, random.Random(form), form=form)
        assert doc.doc_type == "creditchina_report"
        texts = [m.text for m in doc.marks if m.key == "credit_penalties"]
        assert any("处罚决定日期" in t and "2025-03-12" in t for t in texts), (form, texts)
        assert any("黄市罚〔2025〕123号" in t for t in texts) and any("黄石市市场监督管理局" in t for t in texts)
        assert not any("公示" in m.text or "更新" in m.text for m in doc.marks), form
        assert any(m.key == "credit_subject_name" and m.text == q.subject_name for m in doc.marks)


def test_query_date_only_where_shown() -> None:
    app = _app()
    cropped = screens.credit_document(app, 0, random.Random(1), form="cropped")
    assert not any(m.key == "credit_query_date" for m in cropped.marks)
    monitor = screens.credit_document(app, 0, random.Random(1), form="monitor")
    exif = Image.open(io.BytesIO(monitor.data)).getexif().get_ifd(0x8769)
    assert exif[0x9003].startswith(app.credit[0].query_date.strftime("%Y:%m:%d"))
    assert any(m.key == "credit_query_date" and m.text.startswith("EXIF") for m in monitor.marks)
    detail = screens.credit_document(app, 0, random.Random(4), form="detail")
    clocks = [m.text for m in detail.marks if m.key == "credit_query_date"]
    d = app.credit[0].query_date
    assert clocks and all(f"{d.month}" in t and (str(d.year) in t or f"{d.month}月{d.day}日" in t) for t in clocks)


def test_other_company_screenshot_shows_the_other_company() -> None:
    app = _app()
    q = app.credit[0]
    q.subject_name = app.entity.name.replace("有限公司", "") + "发展有限公司"
    doc = screens.credit_document(app, 0, random.Random(9))
    assert [m.text for m in doc.marks if m.key == "credit_subject_name"] == [q.subject_name]


def test_photos_with_and_without_exif() -> None:
    seen = {"exif": 0, "none": 0}
    for i in range(4):
        for doc in photos.service_photo_documents(_app(i), random.Random(f"ph{i}"), None):
            _inside(doc)
            exif = Image.open(io.BytesIO(doc.data)).getexif().get_ifd(0x8769)
            has_exif = 0x9003 in exif
            seen["exif" if has_exif else "none"] += 1
            marks = [m for m in doc.marks if m.key == "photo_taken_at"]
            assert any(m.text.startswith("EXIF") for m in marks) == has_exif
            stamps = [m for m in marks if not m.text.startswith("EXIF")]
            assert ("stamp:camera" in doc.effects or "stamp:app" in doc.effects) == bool(stamps)
            taken, shared = doc.source
            if has_exif:
                assert exif[0x9003] == taken.strftime("%Y:%m:%d %H:%M:%S")
            for m in stamps:
                assert taken.strftime("%H:%M") in m.text
            if stamps and not has_exif:
                assert taken.second == 0  # nothing tells the seconds
    assert seen["exif"] and seen["none"]


def test_shared_photo_is_the_same_picture_resaved() -> None:
    first = photos.service_photo_documents(_app(2), random.Random("a"), 12345)[0]
    second = photos.service_photo_documents(_app(3), random.Random("b"), 12345)[0]
    assert first.source[1] == second.source[1] == 12345 and first.source[0] == second.source[0]
    big = Image.open(io.BytesIO(first.data)).convert("L")
    small = Image.open(io.BytesIO(second.data)).convert("L")
    assert small.width < big.width
    assert 0x9003 in Image.open(io.BytesIO(first.data)).getexif().get_ifd(0x8769)
    assert 0x9003 not in Image.open(io.BytesIO(second.data)).getexif().get_ifd(0x8769)
    diff = np.abs(np.asarray(big.resize(small.size), dtype=float) - np.asarray(small, dtype=float)).mean()
    assert diff < 6
