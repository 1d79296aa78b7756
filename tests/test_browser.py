"""The web application in Debian's chromium, driven by Playwright: sign in, open an application, follow
a disagreement to its evidence, override a verdict with a reason, see the audit trail. Screenshots of the
main pages are left in artifacts/screenshots/."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from models.store import Application
from pipeline.store import Store
from tests.conftest import REPO, copy_store
from web import create_app
from web.auth import hash_password

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = REPO / "artifacts" / "screenshots"
PASSWORD = "browser test password"


@pytest.fixture(scope="module")
def server(processed_batches, tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """The web application over a copy of the processed Hubei store, served by uvicorn on a free port."""
    import uvicorn

    if not Path(CHROMIUM).exists():
        pytest.fail("没有找到 Debian 的 chromium：请先运行 bash scripts/setup.sh（以 root 安装 chromium）")
    db = copy_store(processed_batches["hubei-yanxuan"]["db"], tmp_path_factory.mktemp("browser") / "s.db")
    store = Store(str(db))
    store.add_account("审核员甲", "reviewer", None, hash_password(PASSWORD))
    store.close()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    served = uvicorn.Server(uvicorn.Config(create_app(str(db)), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not served.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", db
    served.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def _application_with_evidence_on_a_page(db: Path) -> tuple[int, dict]:
    """An application whose first disagreement the documents show on a page image, and a rule not passed."""
    from web.auth import Viewer
    from web.views import application_view

    store = Store(str(db))
    with store.sessions() as session:
        candidates = [(pk, s) for pk, s in session.execute(select(Application.id, Application.summary))
                      if s and s["mismatches"] and any(v != "pass" for v in s["rules"].values())]
    for pk, summary in candidates:
        view = application_view(store, Viewer(0, "t", "reviewer", None, ""), pk)
        first = next(row for row in view.fact_rows if row.mismatch)
        if any(item["page_id"] for item in json.loads(view.evidence_json(first.extracted))):
            return pk, summary
    raise AssertionError("生成的批次应有在页面图像上可见的不一致")


def test_a_reviewer_follows_a_disagreement_to_its_evidence_and_overrides_with_a_reason(server, browser):
    base, db = server
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pk, summary = _application_with_evidence_on_a_page(db)
    page = browser.new_page(viewport={"width": 1500, "height": 1000}, locale="zh-CN")
    dialogs, errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(base + "/")
    assert page.url.startswith(base + "/login")
    page.fill("input[name=name]", "审核员甲")
    page.fill("input[name=password]", "wrong")
    page.click("button[type=submit]")
    assert page.locator(".error").inner_text() == "账号或密码不正确。"
    page.fill("input[name=name]", "审核员甲")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("table#applications")
    assert page.locator("table#applications tbody tr").count() == 8
    page.screenshot(path=str(SCREENSHOTS / "overview.png"), full_page=True)

    page.click(f"a[href='/applications/{pk}']")
    page.wait_for_selector("table.facts")
    assert page.locator("tr.mismatch").count() >= 1
    page.keyboard.press("d")  # the next disagreement, its evidence opened
    viewer = page.locator("#viewer")
    viewer.wait_for(state="visible")
    page.wait_for_function("() => { const i = document.getElementById('viewer-image'); "
                           "return document.getElementById('viewer-stage').hidden || (i.complete && i.naturalWidth > 0); }")
    assert page.locator("#viewer-caption").inner_text(), "证据应说明出自哪个文件"
    assert page.locator("#viewer-stage").is_visible()
    assert page.evaluate("document.getElementById('viewer-image').naturalWidth") > 0
    assert page.locator("#viewer-boxes rect").count() == 1  # the box drawn on the page image
    page.click("#zoom-in")
    assert page.evaluate("document.getElementById('viewer-sheet').style.width") == "125%"
    page.screenshot(path=str(SCREENSHOTS / "application.png"))
    viewer.screenshot(path=str(SCREENSHOTS / "evidence.png"))
    page.keyboard.press("Escape")
    assert viewer.is_hidden()

    rule = next(rule_id for rule_id, status in summary["rules"].items() if status != "pass")
    row = page.locator(f"#rule-{rule}")
    row.locator("summary").click()
    row.locator("select[name=value]").select_option("pass")
    row.locator("input[name=reason]").fill("已调阅原件，符合要求")
    row.locator("button[type=submit]").click()
    page.wait_for_selector("p.done")
    assert page.locator(f"#rule-{rule} .status").inner_text() == "通过"
    audit = page.locator("#audit tbody tr").first.inner_text()
    assert "审核员甲" in audit and "改判规则" in audit and "已调阅原件，符合要求" in audit
    page.locator("#audit").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "audit-trail.png"), full_page=True)

    # A reason is required: the browser will not send the form without one.
    row = page.locator(f"#rule-{rule}")
    row.locator("summary").click()
    row.locator("select[name=value]").select_option("fail")
    row.locator("button[type=submit]").click()
    assert page.locator("#audit tbody tr").count() == 1
    row.locator("summary").click()  # closed again, so the keys below reach the page

    page.keyboard.press("a")  # accept the decision as it now stands
    page.wait_for_selector("p.done")
    assert "确认结论" in page.locator("#audit tbody tr").first.inner_text()

    page.keyboard.press("n")
    page.wait_for_url(lambda url: f"/applications/{pk}" not in url)
    page.wait_for_selector("table.facts")
    assert page.locator("h1").inner_text() != summary["application_id"]
    assert dialogs == [] and errors == []
    page.close()
