"""What the events dialog says (Simplified Chinese, short, as a good WeChat account writes)."""

from __future__ import annotations

REGISTER_WORDS = ("报名", "我要报名", "参加", "我参加", "确认参加")
DECLINE_WORDS = ("不参加", "不去了", "婉拒", "去不了")
CANCEL_WORDS = ("取消报名", "退出报名", "取消参加")
MINE_WORDS = ("我的活动", "活动", "活动报名")
UPCOMING_WORDS = ("最近有什么活动", "有什么活动", "近期活动", "最近活动", "活动预告")
FEEDBACK_WORDS = ("有帮助", "一般", "没帮助")
# "报名2": the number of an item in the last list.
MAX_NUMBER = 9

STATUS = {
    "invited": "待您回复",
    "registered": "已报名",
    "declined": "不参加",
    "awaiting_approval": "已报名，待审核",
    "waitlisted": "候补中",
    "offered": "候补转正，待您确认",
    "cancelled": "已取消",
    "attended": "已签到",
    "no_show": "未到场",
}

REGISTERED = (
    "报名成功！【{title}】\n时间：{when}\n地点：{where}\n"
    "到场后扫活动二维码签到。去不了请回复“取消报名”。"
)
AWAITING = "已收到您的报名：【{title}】。主办方审核后会通知您。"
WAITLISTED = (
    "【{title}】名额已满，已把您排进候补（第 {position} 位）。有人退出时，我们第一时间通知您。"
)
ALREADY = "您已经报过名了：【{title}】（{status}）。"
CLOSED = "【{title}】报名已截止。回复“最近有什么活动”看看其他活动。"
DECLINED = "好的，已记下您不参加【{title}】。下次有合适的活动再邀请您。"
CANCELLED = "已取消您在【{title}】的报名，名额会让给候补的朋友。"
NOT_REGISTERED = "您还没有报名【{title}】，不用取消。"
NOTHING_TO_ANSWER = "您目前没有待回复的活动邀请。"
NOTHING_TO_CANCEL = "您目前没有可以取消的活动报名。"
CHOOSE = "您有好几个活动，请回复编号，例如“{word}1”：\n{items}"
NO_SUCH_NUMBER = "没有第 {number} 个活动。回复“我的活动”看看编号。"

MINE_HEADER = "您的活动："
MINE_EMPTY = "您还没有报名或受邀的活动。"
UPCOMING_HEADER = "近期活动（回复“报名”加编号即可报名，例如“报名1”）："
UPCOMING_EMPTY = "近期暂时没有开放报名的活动，有了第一时间告诉您。"
ITEM = "{number}. 【{title}】{when}，{where}"
ITEM_WITH_STATUS = "{number}. 【{title}】{when}（{status}）"
MINE_FOOTER = "回复“不参加”加编号婉拒、“取消报名”加编号取消，例如“取消报名1”。"

CHECKED_IN = "签到成功！欢迎参加【{title}】。"
WALK_IN = "已为您现场签到：【{title}】。欢迎！"
WALK_IN_NEW = (
    "欢迎关注怀才！已为您签到【{title}】。\n"
    "花两分钟加入焦作籍人才库，今后的对接活动会优先邀请您：回复“注册”开始。"
)
ALREADY_CHECKED_IN = "您已经签到过了（{time}），不用再扫啦。祝活动顺利！"
WRONG_EVENT = "提示：您报名的是【{registered}】，这里是【{title}】的签到码。"
TOO_EARLY = "【{title}】还没开始签到，活动当天再扫码就好。时间：{when}"
ENDED = "【{title}】已经结束了，谢谢您的关注！回复“最近有什么活动”看看其他活动。"
EVENT_CANCELLED = "【{title}】已取消，给您添麻烦了。回复“最近有什么活动”看看其他活动。"
UNKNOWN_EVENT = "没找到这个二维码对应的活动，可能已经过期。请向现场工作人员出示您的姓名签到。"

FEEDBACK_THANKS = "收到，谢谢您的反馈！我们会把下一场办得更好。"
FEEDBACK_NO_EVENT = "谢谢！不过最近没有查到您参加的活动。"
