"""The JSON API for the city's other systems: talents (consent respected), needs, events,
attendance and statistics, with a bearer token per client and the console's authorization.

Writes (a need submitted for an enterprise, a check-in, a cooperation outcome) take a JSON
object and call the same services as the console; a bad value is answered 422 with the
field and a Chinese message, and nothing is stored (one transaction per request).

Clients are created by an administrator (console 管理 page, or ``huaicai api-client create``);
each has a role like a console user, and an enterprise client sees only its own needs. Every
response that carries personal data is written to the audit log, as the console's pages are.
The OpenAPI document is served at ``/api/v1/openapi.json``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from functools import wraps
from typing import Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, abort, g, jsonify, request
from flask.typing import ResponseReturnValue

from bot.db import utcnow
from bot.models import (
    Demand,
    DemandStatus,
    Enterprise,
    Event,
    Match,
    Outcome,
    OutcomeKind,
    Role,
    Talent,
)
from bot.services import audit, enterprises, events, funnel, stats, talent_records, users
from bot.services.talent_records import TalentSelection
from bot.validators import ValidationError, validate_text
from bot.vocabulary import COOPERATION_MODES, county_name
from webhooks.extensions import config, db_session, one_transaction_per_request, runtime

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
STAFF = (Role.ADMIN, Role.ORGANISER)
EVERYONE = (Role.ADMIN, Role.ORGANISER, Role.ENTERPRISE)
MAX_LIMIT = 200
MAX_OFFSET = 2**31 - 1  # the largest value of a database INTEGER

View = TypeVar("View", bound=Callable[..., Any])


def requires(*roles: Role) -> Callable[[View], View]:
    """Let API clients with one of ``roles`` call the decorated view (401 without a token)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            client = (
                users.authenticate_api_client(db_session(), token.strip())
                if scheme.lower() == "bearer"
                else None
            )
            if client is None:
                response = jsonify({"error": "需要有效的接口令牌", "status": 401})
                response.status_code = 401
                response.headers["WWW-Authenticate"] = 'Bearer realm="huaicai"'
                abort(response)
            if client.role not in roles:
                abort(403)
            g.api_client = client
            return view(*args, **kwargs)

        wrapper.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


one_transaction_per_request(blueprint)


def _actor() -> str:
    return str(g.api_client.username)


def _page() -> tuple[int, int]:
    limit = request.args.get("limit", 50, type=int) or 50
    offset = request.args.get("offset", 0, type=int) or 0
    # Past the largest database integer there is nothing to skip to (and SQLite would overflow).
    return min(max(1, limit), MAX_LIMIT), min(max(0, offset), MAX_OFFSET)


def _talent_json(talent: Talent) -> dict[str, Any]:
    # No phone or e-mail: contact details go only to an enterprise a person said yes to.
    return {
        "id": talent.id,
        "name": talent.name,
        "origin": county_name(talent.origin_code) or talent.origin_name,
        "origin_code": talent.origin_code,
        "is_from_jiaozuo": talent.is_from_jiaozuo,
        "ties": list(talent.ties),
        "city": talent.city,
        "employer": talent.employer,
        "title": talent.title,
        "education": talent.education,
        "keywords": list(talent.keywords),
        "industries": list(talent.industries),
        "cooperation_wishes": list(talent.cooperation_wishes),
        "source": talent.source,
        "registered_at": talent.registered_at.isoformat(),
    }


def _demand_json(demand: Demand) -> dict[str, Any]:
    return {
        "id": demand.id,
        "enterprise": {"id": demand.enterprise.id, "name": demand.enterprise.name},
        "title": demand.title,
        "description": demand.description,
        "cooperation_mode": demand.cooperation_mode,
        "deadline": demand.deadline.isoformat() if demand.deadline else None,
        "status": demand.status.value,
        "review_note": demand.review_note,
        "keywords": list(demand.keywords),
        "industries": list(demand.industries),
        "created_at": demand.created_at.isoformat(),
    }


def _event_json(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "title": event.title,
        "kind": event.kind,
        "topics": list(event.topics),
        "location": event.location,
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat() if event.ends_at else None,
        "capacity": event.capacity,
        "status": event.status.value,
    }


@blueprint.get("/talents")
@requires(*STAFF)
def list_talents() -> ResponseReturnValue:
    """Talents who consent to being in the database, filtered like the console's list."""
    limit, offset = _page()
    selection = TalentSelection(
        text=request.args.get("q", "").strip()[:50],
        county=request.args.get("county", "")[:6],
        city=request.args.get("city", "").strip()[:50],
        industry=request.args.get("industry", "").strip()[:50],
        keyword=request.args.get("keyword", "").strip()[:50],
        consent="yes",
    )
    session = db_session()
    found = talent_records.search(
        session, selection, index=runtime().talent_index, limit=limit, offset=offset
    )
    audit.record_shown(session, _actor(), "list", [t.id for t in found.talents], view="api")
    return jsonify({"total": found.total, "items": [_talent_json(t) for t in found.talents]})


@blueprint.get("/talents/<int:talent_id>")
@requires(*STAFF)
def get_talent(talent_id: int) -> ResponseReturnValue:
    """One talent who consents (404 otherwise); the read is audited."""
    session = db_session()
    talent = session.get(Talent, talent_id)
    if talent is None or talent_records.consent_state(session, talent) != "yes":
        abort(404)
    audit.record(session, _actor(), "read", "talent", talent.id, view="api")
    return jsonify(_talent_json(talent))


def _visible_demand(demand_id: int) -> Demand:
    demand = enterprises.get_demand(db_session(), demand_id)
    client = g.api_client
    if demand is None or (
        client.role == Role.ENTERPRISE and demand.enterprise_id != client.enterprise_id
    ):
        abort(404)
    return demand


@blueprint.get("/needs")
@requires(*EVERYONE)
def list_needs() -> ResponseReturnValue:
    """Technical needs: all of them for staff, an enterprise client's own otherwise."""
    raw = request.args.get("status", "")
    status = DemandStatus(raw) if raw in set(DemandStatus) else None
    if raw and status is None:
        abort(400)
    limit, _ = _page()
    client = g.api_client
    session = db_session()
    enterprise = None
    if client.role == Role.ENTERPRISE:
        enterprise = session.get(Enterprise, client.enterprise_id)
        if enterprise is None:
            abort(403)
    rows = enterprises.list_demands(session, status=status, enterprise=enterprise, limit=limit)
    return jsonify({"items": [_demand_json(d) for d in rows]})


@blueprint.get("/needs/<int:demand_id>")
@requires(*EVERYONE)
def get_need(demand_id: int) -> ResponseReturnValue:
    """One need (an enterprise client: only its own, 404 for others)."""
    return jsonify(_demand_json(_visible_demand(demand_id)))


@blueprint.get("/events")
@requires(*STAFF)
def list_events() -> ResponseReturnValue:
    """Events, soonest first, with their participants counted by status."""
    limit, _ = _page()
    session = db_session()
    items = []
    for event in events.list_events(session, limit):
        body = _event_json(event)
        body["participants"] = {
            status.value: count for status, count in events.status_counts(session, event).items()
        }
        items.append(body)
    return jsonify({"items": items})


@blueprint.get("/events/<int:event_id>/attendance")
@requires(*STAFF)
def event_attendance(event_id: int) -> ResponseReturnValue:
    """An event's participants with status and check-in time (audited)."""
    session = db_session()
    event = events.get_event(session, event_id)
    if event is None:
        abort(404)
    rows = events.attendance_rows(
        session, event, zone=ZoneInfo(config().app.timezone), actor=_actor()
    )
    return jsonify({"event": _event_json(event), "items": rows})


@blueprint.get("/statistics")
@requires(*STAFF)
def statistics() -> ResponseReturnValue:
    """The dashboard's figures: targets with their state, counts by county, industry, place."""
    figures = stats.dashboard(db_session(), config().targets, utcnow())
    targets = [
        {
            **asdict(t),
            "deadline": t.deadline.isoformat() if t.deadline else None,
            "percent": t.percent,
        }
        for t in figures.targets + figures.yearly_targets
    ]
    return jsonify(
        {
            "talents": figures.talents,
            "friends_of_jiaozuo": figures.friends_of_jiaozuo,
            "registered_this_year": figures.registered_this_year,
            "awaiting_confirmation": figures.awaiting_confirmation,
            "targets": targets,
            "demands_by_status": figures.demands_by_status,
            **{key: value for key, value in figures.chart_data().items()},
        }
    )


# --- writes -------------------------------------------------------------------------------------

CHECK_IN_REFUSALS = {
    "cancelled": "这场活动已经取消，不能签到。",
    "too_early": "还没到签到时间（活动开始前12小时起可以签到）。",
    "ended": "活动已经结束，不能再签到。",
    "unknown": "这场活动没有签到二维码，不能签到。",
}


def _refuse(status: int, message: str, field: str | None = None) -> NoReturn:
    body: dict[str, Any] = {"error": message, "status": status}
    if field is not None:
        body["field"] = field
    response = jsonify(body)
    response.status_code = status
    abort(response)


def _body() -> dict[str, Any]:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        _refuse(400, "请求内容应是一个 JSON 对象。")
    return payload


def _text(body: dict[str, Any], field: str, label: str, max_length: int, *, required: bool) -> str:
    raw = body.get(field, "")
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        _refuse(422, f"{label}应是文字。", field)
    try:
        return validate_text(field, raw, label=label, max_length=max_length, required=required)
    except ValidationError as exc:
        _refuse(422, exc.message_zh, exc.field)


def _integer(body: dict[str, Any], field: str, label: str) -> int | None:
    raw = body.get(field)
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw < 2**31:
        _refuse(422, f"{label}应是正整数。", field)
    return int(raw)


def _checked_date(body: dict[str, Any], field: str, label: str) -> date | None:
    raw = body.get(field)
    if raw is None or raw == "":
        return None
    try:
        if isinstance(raw, str) and len(raw) == 10:
            return date.fromisoformat(raw)
    except ValueError:
        pass
    _refuse(422, f"{label}请写成 2026-03-31 这样的日期。", field)


@blueprint.post("/needs")
@requires(*EVERYONE)
def submit_need() -> ResponseReturnValue:
    """Submit a need for an enterprise: an enterprise client's own, or ``enterprise_id`` (staff).

    Body: title, description, optional cooperation_mode, deadline (YYYY-MM-DD), budget. The
    need waits for review like one sent by chat. 201 with the need; 422 on a bad value.
    """
    body = _body()
    client = g.api_client
    session = db_session()
    wanted = _integer(body, "enterprise_id", "企业编号")
    if client.role == Role.ENTERPRISE:
        if wanted is not None and wanted != client.enterprise_id:
            _refuse(403, "只能为本企业提交需求。", "enterprise_id")
        wanted = client.enterprise_id
    elif wanted is None:
        _refuse(422, "请填写企业编号。", "enterprise_id")
    enterprise = session.get(Enterprise, wanted)
    if enterprise is None:
        _refuse(422, "没有这家企业。", "enterprise_id")
    mode = _text(body, "cooperation_mode", "合作方式", 20, required=False)
    try:
        demand = enterprises.submit_demand(
            session,
            enterprise,
            title=_text(body, "title", "需求标题", 100, required=True),
            description=_text(body, "description", "需求描述", 4000, required=True),
            cooperation_mode=mode,
            deadline=_checked_date(body, "deadline", "截止日期"),
            budget=_text(body, "budget", "预算", 60, required=False),
            actor=_actor(),
        )
    except ValidationError as exc:
        _refuse(422, exc.message_zh, exc.field)
    return jsonify(_demand_json(demand)), 201


@blueprint.post("/events/<int:event_id>/check-ins")
@requires(*STAFF)
def check_in(event_id: int) -> ResponseReturnValue:
    """Check a person in at an event, as a scan of its QR code would (walk-ins recorded too).

    Body: ``talent_id`` or ``openid``. 200 with the outcome (checked_in, walk_in, already);
    409 when the event is cancelled, over or not yet open; audited.
    """
    body = _body()
    session = db_session()
    event = events.get_event(session, event_id)
    if event is None:
        abort(404)
    talent_id = _integer(body, "talent_id", "人才编号")
    openid = _text(body, "openid", "微信 openid", 64, required=False)
    if talent_id is not None:
        talent = session.get(Talent, talent_id)
        if talent is None:
            _refuse(422, "没有这位人才。", "talent_id")
        if not talent.openid:
            _refuse(422, "这位人才没有绑定微信，请在活动页面手工登记。", "talent_id")
        openid = talent.openid
    if not openid:
        _refuse(422, "请填写人才编号或微信 openid。", "talent_id")
    result = events.check_in(
        session,
        event.qr_scene or "",
        openid=openid,
        default_duration_hours=config().events.default_duration_hours,
    )
    if result.outcome in CHECK_IN_REFUSALS:
        _refuse(409, CHECK_IN_REFUSALS[result.outcome])
    audit.record(session, _actor(), "check_in", "event", event.id, outcome=result.outcome)
    return jsonify(
        {
            "outcome": result.outcome,
            "invitation_id": result.invitation_id,
            "checked_in_at": result.checked_in_at.isoformat() if result.checked_in_at else None,
        }
    )


def _outcome_json(outcome: Outcome) -> dict[str, Any]:
    return {
        "id": outcome.id,
        "demand_id": outcome.demand_id,
        "match_id": outcome.match_id,
        "kind": str(outcome.kind),
        "amount_wan": outcome.amount_wan,
        "note": outcome.note,
        "occurred_on": outcome.occurred_on.isoformat(),
    }


@blueprint.post("/needs/<int:demand_id>/outcomes")
@requires(*STAFF)
def record_outcome(demand_id: int) -> ResponseReturnValue:
    """Record what came of a need or one introduction (audited by the service).

    Body: kind (contacted, agreement, landed), optional match_id, amount_wan (万元),
    note, occurred_on (YYYY-MM-DD). 201 with the outcome; 422 on a bad value.
    """
    body = _body()
    session = db_session()
    demand = enterprises.get_demand(session, demand_id)
    if demand is None:
        abort(404)
    kind = body.get("kind")
    if kind not in set(OutcomeKind):
        _refuse(422, "结果类型请从 contacted、agreement、landed 中选。", "kind")
    match_id = _integer(body, "match_id", "对接编号")
    match = session.get(Match, match_id) if match_id is not None else None
    if match_id is not None and match is None:
        _refuse(422, "没有这次对接。", "match_id")
    amount = body.get("amount_wan")
    if amount is not None and (
        isinstance(amount, bool) or not isinstance(amount, int | float) or not 0 <= amount <= 1e7
    ):
        _refuse(422, "金额（万元）应是0到1000万之间的数字。", "amount_wan")
    try:
        outcome = funnel.record_outcome(
            session,
            demand,
            OutcomeKind(kind),
            recorded_by=_actor(),
            match=match,
            amount_wan=float(amount) if amount is not None else None,
            note=_text(body, "note", "备注", 500, required=False),
            occurred_on=_checked_date(body, "occurred_on", "日期"),
        )
    except ValidationError as exc:
        _refuse(422, exc.message_zh, exc.field)
    return jsonify(_outcome_json(outcome)), 201


@blueprint.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI 3 document of this API."""
    return jsonify(openapi_document(config().app.base_url))


def openapi_document(base_url: str) -> dict[str, Any]:
    """Return the OpenAPI 3.0 description of every operation above."""
    error = {"$ref": "#/components/responses/Error"}
    secured: list[dict[str, list[str]]] = [{"bearer": []}]

    def operation(
        summary: str,
        schema: dict[str, Any],
        parameters: list[dict[str, Any]] | None = None,
        *,
        not_found: bool = False,
    ) -> dict[str, Any]:
        responses: dict[str, Any] = {
            "200": {"description": "OK", "content": {"application/json": {"schema": schema}}},
            "401": error,
            "403": error,
        }
        if not_found:
            responses["404"] = error
        if parameters and any(p["in"] == "query" for p in parameters):
            responses["400"] = error
        return {
            "summary": summary,
            "security": secured,
            "parameters": parameters or [],
            "responses": responses,
        }

    def write(
        summary: str,
        body: dict[str, Any],
        schema: dict[str, Any],
        parameters: list[dict[str, Any]] | None = None,
        *,
        created: bool = True,
        conflict: bool = False,
    ) -> dict[str, Any]:
        ok = {"description": "OK", "content": {"application/json": {"schema": schema}}}
        responses: dict[str, Any] = {
            "201" if created else "200": ok,
            "400": error,
            "401": error,
            "403": error,
            "422": error,
        }
        if parameters:
            responses["404"] = error
        if conflict:
            responses["409"] = error
        return {
            "summary": summary,
            "security": secured,
            "parameters": parameters or [],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": body}},
            },
            "responses": responses,
        }

    def query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
        return {
            "name": name,
            "in": "query",
            "required": False,
            "schema": schema,
            "description": description,
        }

    def path_id(name: str) -> dict[str, Any]:
        return {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
        }

    text = {"type": "string", "maxLength": 50}
    page = [
        query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}, "page size"),
        query("offset", {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET}, "rows to skip"),
    ]
    items = lambda ref: {  # noqa: E731 - a one-line schema builder
        "type": "object",
        "properties": {"items": {"type": "array", "items": {"$ref": ref}}},
        "required": ["items"],
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "怀才 HuaiCai API",
            "version": "1",
            "description": (
                "焦作籍在外人才库的接口：人才（只含同意入库的人，不含联系方式）、"
                "技术需求、活动、签到和统计；可代企业提交需求、登记签到、记录合作结果。"
            ),
        },
        "servers": [{"url": base_url.rstrip("/") + "/api/v1"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "Error": {
                    "description": "Error",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "error": {"type": "string"},
                                    "status": {"type": "integer"},
                                    "field": {"type": "string"},
                                },
                                "required": ["error", "status"],
                            }
                        }
                    },
                }
            },
            "schemas": {
                "Talent": {
                    "type": "object",
                    "required": ["id", "name", "city", "keywords", "registered_at"],
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "origin": {"type": "string"},
                        "origin_code": {"type": "string", "nullable": True},
                        "is_from_jiaozuo": {"type": "boolean"},
                        "ties": {"type": "array", "items": {"type": "string"}},
                        "city": {"type": "string"},
                        "employer": {"type": "string"},
                        "title": {"type": "string"},
                        "education": {"type": "string"},
                        "keywords": {"type": "array", "items": {"type": "string"}},
                        "industries": {"type": "array", "items": {"type": "string"}},
                        "cooperation_wishes": {"type": "array", "items": {"type": "string"}},
                        "source": {"type": "string"},
                        "registered_at": {"type": "string", "format": "date-time"},
                    },
                },
                "Need": {
                    "type": "object",
                    "required": ["id", "title", "status", "enterprise"],
                    "properties": {
                        "id": {"type": "integer"},
                        "enterprise": {
                            "type": "object",
                            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                        },
                        "title": {"type": "string"},
                        "description": {"type": "string"},
                        "cooperation_mode": {"type": "string"},
                        "deadline": {"type": "string", "format": "date", "nullable": True},
                        "status": {"type": "string", "enum": [s.value for s in DemandStatus]},
                        "review_note": {"type": "string"},
                        "keywords": {"type": "array", "items": {"type": "string"}},
                        "industries": {"type": "array", "items": {"type": "string"}},
                        "created_at": {"type": "string", "format": "date-time"},
                    },
                },
                "Event": {
                    "type": "object",
                    "required": ["id", "title", "starts_at", "status"],
                    "properties": {
                        "id": {"type": "integer"},
                        "title": {"type": "string"},
                        "kind": {"type": "string"},
                        "topics": {"type": "array", "items": {"type": "string"}},
                        "location": {"type": "string"},
                        "starts_at": {"type": "string", "format": "date-time"},
                        "ends_at": {"type": "string", "format": "date-time", "nullable": True},
                        "capacity": {"type": "integer", "nullable": True},
                        "status": {"type": "string"},
                        "participants": {
                            "type": "object",
                            "additionalProperties": {"type": "integer"},
                        },
                    },
                },
            },
        },
        "paths": {
            "/talents": {
                "get": operation(
                    "同意入库的人才（按文字、籍贯、城市、产业、关键词筛选）",
                    {
                        "type": "object",
                        "properties": {
                            "total": {"type": "integer"},
                            "items": {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/Talent"},
                            },
                        },
                        "required": ["total", "items"],
                    },
                    [
                        query("q", text, "free text: names, employers, expertise"),
                        query("county", {"type": "string", "maxLength": 6}, "GB/T 2260 code"),
                        query("city", text, "current city"),
                        query("industry", text, "industry"),
                        query("keyword", text, "keyword"),
                        *page,
                    ],
                )
            },
            "/talents/{talent_id}": {
                "get": operation(
                    "一位同意入库的人才",
                    {"$ref": "#/components/schemas/Talent"},
                    [path_id("talent_id")],
                    not_found=True,
                )
            },
            "/needs": {
                "post": write(
                    "提交一条技术需求（企业客户端只能为本企业提交；管理方须填企业编号）",
                    {
                        "type": "object",
                        "required": ["title", "description"],
                        "properties": {
                            "enterprise_id": {"type": "integer", "minimum": 1},
                            "title": {"type": "string", "maxLength": 100},
                            "description": {"type": "string", "maxLength": 4000},
                            "cooperation_mode": {"type": "string", "enum": list(COOPERATION_MODES)},
                            "deadline": {"type": "string", "format": "date"},
                            "budget": {"type": "string", "maxLength": 60},
                        },
                    },
                    {"$ref": "#/components/schemas/Need"},
                ),
                "get": operation(
                    "技术需求（企业客户端只看到本企业的）",
                    items("#/components/schemas/Need"),
                    [
                        query(
                            "status",
                            {"type": "string", "enum": [s.value for s in DemandStatus]},
                            "status",
                        ),
                        page[0],
                    ],
                ),
            },
            "/needs/{demand_id}": {
                "get": operation(
                    "一条技术需求",
                    {"$ref": "#/components/schemas/Need"},
                    [path_id("demand_id")],
                    not_found=True,
                )
            },
            "/needs/{demand_id}/outcomes": {
                "post": write(
                    "记录合作结果：已联系、签订协议（金额，万元）、项目落地",
                    {
                        "type": "object",
                        "required": ["kind"],
                        "properties": {
                            "kind": {"type": "string", "enum": [k.value for k in OutcomeKind]},
                            "match_id": {"type": "integer", "minimum": 1},
                            "amount_wan": {"type": "number", "minimum": 0, "maximum": 1e7},
                            "note": {"type": "string", "maxLength": 500},
                            "occurred_on": {"type": "string", "format": "date"},
                        },
                    },
                    {
                        "type": "object",
                        "required": ["id", "demand_id", "kind", "occurred_on"],
                        "properties": {
                            "id": {"type": "integer"},
                            "demand_id": {"type": "integer"},
                            "match_id": {"type": "integer", "nullable": True},
                            "kind": {"type": "string"},
                            "amount_wan": {"type": "number", "nullable": True},
                            "note": {"type": "string"},
                            "occurred_on": {"type": "string", "format": "date"},
                        },
                    },
                    [path_id("demand_id")],
                )
            },
            "/events/{event_id}/check-ins": {
                "post": write(
                    "活动签到（与扫码签到相同；未报名的人记为现场参加）",
                    {
                        "type": "object",
                        "properties": {
                            "talent_id": {"type": "integer", "minimum": 1},
                            "openid": {"type": "string", "maxLength": 64},
                        },
                    },
                    {
                        "type": "object",
                        "required": ["outcome"],
                        "properties": {
                            "outcome": {
                                "type": "string",
                                "enum": ["checked_in", "walk_in", "already"],
                            },
                            "invitation_id": {"type": "integer", "nullable": True},
                            "checked_in_at": {
                                "type": "string",
                                "format": "date-time",
                                "nullable": True,
                            },
                        },
                    },
                    [path_id("event_id")],
                    created=False,
                    conflict=True,
                )
            },
            "/events": {
                "get": operation("活动及各状态人数", items("#/components/schemas/Event"), [page[0]])
            },
            "/events/{event_id}/attendance": {
                "get": operation(
                    "活动的报名与签到",
                    {
                        "type": "object",
                        "properties": {
                            "event": {"$ref": "#/components/schemas/Event"},
                            "items": {"type": "array", "items": {"type": "object"}},
                        },
                        "required": ["event", "items"],
                    },
                    [path_id("event_id")],
                    not_found=True,
                )
            },
            "/statistics": {
                "get": operation(
                    "概览数据：政策目标及进度、各维度分布",
                    {"type": "object", "required": ["talents", "targets"]},
                )
            },
        },
    }


def init_app(app: Flask) -> None:
    """Register the API blueprint (CSRF does not apply: a bearer token is not sent by a browser)."""
    app.register_blueprint(blueprint)
