"""The words of event messages sent on the organisation's initiative (invitations, reminders).

User-facing, in Simplified Chinese; the chat answers live in ``bot.dialogs.events_texts``.
Every text stays far below WeChat's 2,048-byte limit (the description is cut).
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from bot.models import Event, InvitationStatus

DESCRIPTION_CHARS = 120
WEEKDAYS = "一二三四五六日"


def when(event: Event, zone: tzinfo) -> str:
    """Return the start as people say it: 12月5日（周六）14:30."""
    local = event.starts_at.astimezone(zone)
    return f"{local.month}月{local.day}日（周{WEEKDAYS[local.weekday()]}）{local:%H:%M}"


def where(event: Event) -> str:
    """Return the place, the online link, or both."""
    parts = [part for part in (event.location, event.online_url) if part]
    return "，".join(parts) if parts else "待定"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= DESCRIPTION_CHARS else text[: DESCRIPTION_CHARS - 1] + "…"


def invitation(event: Event, zone: tzinfo, *, name: str, reasons: list[str], link: str) -> str:
    """Return the customer-service text of an invitation."""
    lines = [f"{name}您好！诚邀您参加【{event.title}】。", f"时间：{when(event, zone)}"]
    lines.append(f"地点：{where(event)}")
    if event.description:
        lines.append(_short(event.description))
    if reasons:
        lines.append(f"邀请您是因为：{'、'.join(reasons[:3])}。")
    if event.capacity:
        lines.append(f"名额 {event.capacity} 个，报满后进入候补。")
    lines.append("回复“报名”参加，回复“不参加”婉拒。")
    if link:
        lines.append(f"也可以点这里报名：{link}")
    return "\n".join(lines)


def template_data(event: Event, zone: tzinfo, name: str) -> dict[str, dict[str, str]]:
    """Return the data of the invitation's template/subscribe message (service notice)."""
    return {
        "thing1": {"value": event.title[:20]},
        "time2": {"value": event.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")},
        "thing3": {"value": where(event)[:20]},
        "thing4": {"value": f"{name[:10]}，请点击查看并回复是否参加"},
    }


def reminder(event: Event, zone: tzinfo, hours: int) -> str:
    """Return the reminder sent ``hours`` before the start."""
    ahead = "明天" if hours >= 20 else f"{hours}小时后"
    return (
        f"提醒：您报名的【{event.title}】{ahead}开始。\n"
        f"时间：{when(event, zone)}\n地点：{where(event)}\n"
        "到场后扫活动二维码即可签到。去不了请回复“取消报名”，把名额让给候补的朋友。"
    )


def offer(event: Event, zone: tzinfo, expires: datetime) -> str:
    """Return the message offering a freed seat to someone on the waitlist."""
    local = expires.astimezone(zone)
    return (
        f"好消息：【{event.title}】空出了一个名额，为您保留到 {local.month}月{local.day}日 "
        f"{local:%H:%M}。\n回复“报名”确认参加，回复“不参加”放弃。"
    )


def decision(event: Event, zone: tzinfo, status: InvitationStatus) -> str:
    """Return the organiser's decision on a registration awaiting approval."""
    if status is InvitationStatus.REGISTERED:
        return (
            f"您报名的【{event.title}】已通过审核，期待您的到来！\n时间：{when(event, zone)}\n"
            f"地点：{where(event)}\n到场后扫活动二维码签到。"
        )
    if status is InvitationStatus.WAITLISTED:
        return (
            f"您报名的【{event.title}】已通过审核，但名额已满，已为您排上候补，有空位会马上通知您。"
        )
    return f"抱歉，您报名的【{event.title}】这次未能安排，感谢您的关注，下次活动再邀请您。"


def cancelled(event: Event, zone: tzinfo) -> str:
    """Return the notice that an event is cancelled."""
    return (
        f"抱歉通知：原定{when(event, zone)}举行的【{event.title}】取消了，给您添麻烦了。"
        "有新的活动我们再邀请您。"
    )


def thanks(event: Event) -> str:
    """Return the thank-you after the event, with its one-line feedback question."""
    return (
        f"感谢您参加【{event.title}】！\n一句话问问您：这次活动对您有帮助吗？"
        "回复“有帮助”“一般”或“没帮助”就好。"
    )


def deferred_notice(count: int) -> str:
    """Return the line added to a reply when messages (活动邀请 and the like) waited for them."""
    return f"您有 {count} 条消息（如活动邀请）在等您，稍后就发给您。回复“我的活动”可随时查看活动。"
