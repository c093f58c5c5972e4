"""The public pages: 关于怀才 at ``/`` (the menu opens it) and Chinese error pages everywhere."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.routing import IntegerConverter, Map

from webhooks.extensions import config

logger = logging.getLogger(__name__)
blueprint = Blueprint("pages", __name__)

ERROR_TEXTS = {
    400: ("请求有误", "提交的内容不完整或格式不对，请返回上一页检查后再试。"),
    401: ("需要登录", "请先登录后再访问这个页面。"),
    403: ("没有权限", "您的账号不能查看这个页面。如有需要，请联系管理员。"),
    404: ("页面不存在", "您要找的页面不存在，可能已被删除，或者链接有误。"),
    405: ("操作方式不对", "这个页面不支持这样访问，请从页面上的按钮进入。"),
    413: ("内容太大", "上传的文件或提交的内容太大了，请缩小后再试。"),
    414: ("地址太长", "网址太长了。搜索时请少输入一些文字。"),
    429: ("操作太频繁", "尝试次数太多，请过一会儿再试。"),
    502: ("微信接口暂时连不上", "请稍后再试；如果一直这样，请检查公众号的接口配置。"),
    500: ("系统出了点问题", "抱歉，系统开了个小差，请稍后再试。问题已经记录，我们会尽快处理。"),
}


@blueprint.get("/")
def about() -> ResponseReturnValue:
    """关于怀才: what HuaiCai is, who runs it, how personal data is handled, how to reach us."""
    return render_template("pages/about.html", app_name=config().app.name)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/wechat"


def render_error(error: HTTPException) -> ResponseReturnValue:
    """Answer an HTTP error in Chinese: a page for people, JSON for the API."""
    status = error.code or 500
    title, text = ERROR_TEXTS.get(status, (error.name, "请返回上一页再试。"))
    if _wants_json():
        return jsonify({"error": title, "message": text, "status": status}), status
    response = error.get_response()
    response.set_data(render_template("pages/error.html", status=status, title=title, text=text))
    response.content_type = "text/html; charset=utf-8"
    return response


def render_crash(error: InternalServerError) -> ResponseReturnValue:
    """Answer an unexpected exception with the Chinese 500 page (the traceback is logged)."""
    return render_error(InternalServerError())


class DatabaseId(IntegerConverter):
    """``<int:...>`` in every route: a positive id that fits the database's integer column.

    Without the bound, /console/talents/9223372036854775808 reached the database and failed
    with a 500 instead of a 404.
    """

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Register the about page, the error pages and the bounded integer converter.

    Call it before any blueprint with ``<int:...>`` routes is registered.
    """
    app.url_map.converters["int"] = DatabaseId
    app.register_blueprint(blueprint)
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(InternalServerError, render_crash)
