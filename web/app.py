"""The web application: routes for signing in, the batch overview, an application (evidence, overrides,
audit trail), rule updates, exports. Every route that shows an application asks web.views first."""

from __future__ import annotations

import io
import json
import secrets
import threading
import time
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Depends, FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from pipeline.export import (
    BASIS_NAMES,
    DECISION_NAMES,
    DOC_TYPE_NAMES,
    FACT_NAMES,
    FLAG_NAMES,
    STATUS_NAMES,
    rule_titles,
    write_xlsx,
)
from pipeline.intake import submitted_file
from pipeline.process import rejudge
from pipeline.review import (
    ACCEPT,
    DOC_TYPE,
    FACT,
    STATUSES,
    VERDICT,
    as_overrides,
    parse_fact_value,
    reviewed,
)
from pipeline.store import ReviewConflict, Store
from web import auth, views
from web.evidence import batch_source, evidence_jpeg

__all__ = ["create_app"]

HERE = Path(__file__).parent
LOGIN_CSRF_COOKIE = "shenhe_login_csrf"
# The browser runs only our own script and styles: text from a document can never become code.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; "
                               "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
DONE_MESSAGES = {"fact": "已改写事实，结论已重新计算。", "verdict": "已改判规则，结论已重新计算。",
                 "doc_type": "已更正文档类型，事实与结论已重新计算。", "accept": "已确认结论。"}


class NotSignedIn(Exception):
    """A page asked for without a live session: the login page answers."""


def current_viewer(request: Request) -> auth.Viewer:
    """The signed-in account of a request; NotSignedIn (the login page) without a live session."""
    found = auth.viewer_of(request.app.state.store, request.cookies.get(auth.SESSION_COOKIE))
    if found is None:
        raise NotSignedIn()
    return found


Signed = Annotated[auth.Viewer, Depends(current_viewer)]


def create_app(db: str | None = None, secure_cookies: bool = False) -> FastAPI:
    """The application over the store at `db` (the embedded default when None)."""
    store = Store(db)
    store.fill_missing_summaries()  # a store processed before the web application existed
    app = FastAPI(title="审核 shenhe", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store = store
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(DECISION_NAMES=DECISION_NAMES, STATUS_NAMES=STATUS_NAMES, BASIS_NAMES=BASIS_NAMES,
                                 FLAG_NAMES=FLAG_NAMES, DOC_TYPE_NAMES=DOC_TYPE_NAMES, FACT_NAMES=FACT_NAMES,
                                 shown=shown, ROLES=auth.ROLES, RULE_TITLES=rule_titles())
    templates.env.filters["tojson_sorted"] = lambda value: json.dumps(value, ensure_ascii=False, sort_keys=True)
    reviewing = threading.Lock()
    cookie_flags: dict[str, Any] = {"httponly": True, "samesite": "lax", "secure": secure_cookies, "path": "/"}

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path != "/static":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(NotSignedIn)
    async def to_login(request: Request, _exc: NotSignedIn):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(HTTPException)
    async def error_page(request: Request, exc: HTTPException):
        messages = {403: "您的账号无权进行此操作。", 404: "没有找到该页面，或您的账号无权查看。", 409: str(exc.detail),
                    400: str(exc.detail)}
        return templates.TemplateResponse(request, "error.html", {"viewer": None, "status": exc.status_code,
                                                                 "message": messages.get(exc.status_code, str(exc.detail))},
                                          status_code=exc.status_code)

    def checked_form(viewer: auth.Viewer, token: str) -> None:
        if not auth.check_csrf(viewer.csrf_token, token):
            raise HTTPException(403, "表单已失效，请刷新页面后重试")

    # ── signing in and out ──────────────────────────────────────────────────────────────

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = "/", failed: int = 0):
        token = secrets.token_urlsafe(32)
        response = templates.TemplateResponse(request, "login.html", {"viewer": None, "csrf": token, "next": _local(next),
                                                                       "failed": failed})
        response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, **cookie_flags)
        return response

    @app.post("/login")
    def login(request: Request, name: Annotated[str, Form()], password: Annotated[str, Form()],
              csrf_token: Annotated[str, Form()], next: Annotated[str, Form()] = "/"):
        if not auth.check_csrf(request.cookies.get(LOGIN_CSRF_COOKIE, ""), csrf_token):
            raise HTTPException(403, "表单已失效，请刷新页面后重试")
        token = auth.sign_in(store, name.strip(), password)
        if token is None:
            time.sleep(0.5)  # a guesser's every try costs time
            return RedirectResponse(f"/login?failed=1&next={quote(_local(next))}", status_code=303)
        response = RedirectResponse(_local(next), status_code=303)
        response.set_cookie(auth.SESSION_COOKIE, token, max_age=int(auth.ABSOLUTE_LIMIT.total_seconds()), **cookie_flags)
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
        return response

    @app.post("/logout")
    def logout(request: Request, viewer: Signed, csrf_token: Annotated[str, Form()]):
        checked_form(viewer, csrf_token)
        auth.end_session(store, request.cookies.get(auth.SESSION_COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(auth.SESSION_COOKIE, path="/")
        return response

    # ── the batch overview ──────────────────────────────────────────────────────────────

    @app.get("/", response_class=HTMLResponse)
    def overview(request: Request, viewer: Signed, batch: int | None = None, decision: str = "", rule: str = "",
                 status: str = "", flag: str = "", unit: str = "", q: str = "", sort: str = "application_id",
                 order: str = "asc", page: int = 1):
        known = views.batches(store)
        batch_id = batch if batch in {b for b, _p in known} else (known[0][0] if known else None)
        rows = views.visible_rows(store, viewer, batch_id) if batch_id is not None else []
        shown_page = views.overview_rows(rows, decision, rule, status, flag, unit, q, sort, order, page)
        params = {"batch": batch_id, "decision": decision, "rule": rule, "status": status, "flag": flag, "unit": unit,
                  "q": q, "sort": sort, "order": order}

        def link(**changes: Any) -> str:
            merged = {k: v for k, v in (params | {"page": 1} | changes).items() if v not in ("", None)}
            return "/?" + urlencode(merged)

        return templates.TemplateResponse(request, "overview.html", {
            "viewer": viewer, "batches": known, "batch_id": batch_id, "view": shown_page, "params": params,
            "link": link, "sorts": views.SORTS})

    # ── one application ─────────────────────────────────────────────────────────────────

    def visible_application(viewer: auth.Viewer, application_pk: int) -> views.ApplicationView:
        view = views.application_view(store, viewer, application_pk)
        if view is None:
            raise HTTPException(404)
        return view

    @app.get("/applications/{application_pk}", response_class=HTMLResponse)
    def application(request: Request, viewer: Signed, application_pk: int, done: str = ""):
        view = visible_application(viewer, application_pk)
        return templates.TemplateResponse(request, "application.html", {
            "viewer": viewer, "view": view, "record": view.record, "done": DONE_MESSAGES.get(done),
            "doc_types": DOC_TYPE_NAMES, "statuses": STATUSES})

    @app.get("/applications/{application_pk}/print", response_class=HTMLResponse)
    def printable(request: Request, viewer: Signed, application_pk: int):
        view = visible_application(viewer, application_pk)
        return templates.TemplateResponse(request, "print.html", {"viewer": viewer, "view": view, "record": view.record})

    @app.get("/applications/{application_pk}/pages/{page_id}/image")
    def page_image(viewer: Signed, application_pk: int, page_id: int,
                   width: Annotated[int | None, Query(ge=40, le=4000)] = None):
        found = views.page_of(store, viewer, application_pk, page_id)
        if found is None:
            raise HTTPException(404)
        source = batch_source(found.batch_path, found.source)
        try:
            image = evidence_jpeg(found.kind, lambda: submitted_file(source, found.path, found.sha256), found.sha256,
                                  found.page, max_width=width)
        except (FileNotFoundError, ValueError) as exc:
            raise HTTPException(404, str(exc)) from None
        return Response(image, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"})

    # ── reviewers' acts ─────────────────────────────────────────────────────────────────

    @app.post("/applications/{application_pk}/review")
    def review(viewer: Signed, application_pk: int, csrf_token: Annotated[str, Form()], action: Annotated[str, Form()],
               key: Annotated[str, Form()] = "", value: Annotated[str, Form()] = "",
               reason: Annotated[str, Form()] = "", expected: Annotated[str, Form()] = "",
               version: Annotated[int | None, Form()] = None):
        checked_form(viewer, csrf_token)
        visible_application(viewer, application_pk)  # 404 before 403: another unit's application is not there
        if not viewer.may_review:
            raise HTTPException(403)
        reason = reason.strip()
        if action != ACCEPT and not reason:
            raise HTTPException(400, "请填写理由：每一次改写都要说明原因")
        # One act at a time, each checked against and applied to the record as the act before left it.
        with reviewing:
            view = visible_application(viewer, application_pk)
            if view.ruleset is None:
                raise HTTPException(409, f"本申请的规则集 {view.record.get('ruleset')} {view.record.get('ruleset_version')} "
                                         "不在本系统中，无法重新计算结论")
            old, new = _change_of(view, action, key, value)
            if action != ACCEPT and expected and json.dumps(old, ensure_ascii=False, sort_keys=True) != expected:
                raise HTTPException(409, "该项已被他人改写：请刷新页面，看过最新的值后再改")
            try:
                store.add_review_event(application_pk, viewer.account_id, action, key, old, new, reason,
                                       view.version(action, key) if version is None else version)
            except ReviewConflict:
                raise HTTPException(409, "该项已被他人改写：请刷新页面，看过最新的值后再改") from None
            if action == DOC_TYPE:
                rejudge(store, application_pk, view.ruleset, view.record)
            elif action in (FACT, VERDICT):
                events = as_overrides(store.review_events([application_pk]).get(application_pk, []))
                store.save_results([(application_pk, None, reviewed(view.ruleset, view.record, events))])
        return RedirectResponse(f"/applications/{application_pk}?done={action}", status_code=303)

    # ── rule updates and exports ────────────────────────────────────────────────────────

    @app.get("/changes", response_class=HTMLResponse)
    def changes(request: Request, viewer: Signed):
        return templates.TemplateResponse(request, "changes.html", {"viewer": viewer,
                                                                   "reevaluations": views.reevaluations(store, viewer)})

    @app.get("/export.xlsx")
    def export(viewer: Signed, batch: int | None = None):
        visible = {row.pk for row in views.visible_rows(store, viewer, batch)}
        buffer = io.BytesIO()
        write_xlsx(((r.batch, r.payload) for r in store.latest_results() if r.application_pk in visible), buffer)
        return Response(buffer.getvalue(), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": "attachment; filename=\"shenhe-results.xlsx\""})

    return app


def _change_of(view: views.ApplicationView, action: str, key: str, value: str) -> tuple[Any, Any]:
    """(value before, value after) of a reviewer's act; HTTPException 400 for one that makes no sense."""
    record = view.record
    if action == FACT:
        row = next((r for r in view.fact_rows if r.key == key), None)
        if row is None or not row.overridable:
            raise HTTPException(400, "该事实不能在此改写")
        old = (row.extracted or {}).get("value")
        current = old if old is not None else (row.claimed or {}).get("value")
        try:
            return old, parse_fact_value(key, value, current)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
    if action == VERDICT:
        rule = next((r for r in record.get("rules") or [] if r["id"] == key), None)
        if rule is None or value not in STATUSES:
            raise HTTPException(400, "规则或改判结论不正确")
        return rule["status"], value
    if action == DOC_TYPE:
        path, _, start = key.rpartition("#")
        document = next((d for d in record.get("documents") or []
                         if d.get("path") == path and str(d.get("page_start", 1)) == start and d.get("status") == "ok"), None)
        if document is None or value not in DOC_TYPE_NAMES:
            raise HTTPException(400, "文档或文档类型不正确")
        return document.get("doc_type"), value
    if action == ACCEPT:
        return None, record.get("decision")
    raise HTTPException(400, "未知的操作")


def _local(target: str) -> str:
    """Only a path on this site may follow a login (never another site's address)."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def shown(value: Any) -> str:
    """A value as a reviewer reads it: lists joined, booleans in Chinese, nothing as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}" if abs(value) >= 10000 else str(int(value))
    if isinstance(value, int) and abs(value) >= 10000:
        return f"{value:,}"
    if isinstance(value, list):
        return "；".join(shown(item) for item in value) or "—"
    if isinstance(value, dict) and set(value) == {"start", "end"}:  # a term: 营业期限
        return f"{shown(value['start'])} 至 {value['end'] or '长期'}"
    if isinstance(value, dict):
        return "，".join(f"{FACT_NAMES.get(k, k)}：{shown(v)}" for k, v in value.items())
    return str(value)
