"""What every question-by-question dialog says and understands (Simplified Chinese)."""

from __future__ import annotations

# Words that steer a dialog at any step, mapped to the engine's action names.
CONTROL_WORDS: dict[str, str] = {
    "上一步": "back",
    "返回": "back",
    "返回上一步": "back",
    "跳过": "skip",
    "略过": "skip",
    "不填": "skip",
    "取消": "cancel",
    "退出": "cancel",
    "不填了": "cancel",
    "算了": "cancel",
    "帮助": "help",
    "?": "help",
    "？": "help",
    "help": "help",
    "重新开始": "restart",
    "重来": "restart",
    "从头开始": "restart",
    "继续": "resume",
}

YES_WORDS = frozenset(
    {"对", "对的", "是", "是的", "没错", "正确", "确认", "嗯", "好", "好的", "可以", "行"}
    | {"yes", "y", "ok"}
)
NO_WORDS = frozenset({"不对", "不是", "错了", "否", "不", "不正确", "no", "n"})

PROGRESS = "（{number}/{total}）"
SKIP_HINT = "（可以回复“跳过”）"
CONTROLS_HINT = "随时可以回复“上一步”“取消”“帮助”或“重新开始”。"
# Added to the help of a question that may be left out.
SKIP_HELP = "这一项不想填的话，回复“跳过”。"

NOT_TEXT = "我这边暂时只能看懂文字，麻烦您打字回复一下～"
LINK = "链接我这边打不开，麻烦直接打字告诉我～"
CANNOT_SKIP = "这一项需要填写，没法跳过。"
AT_FIRST = "已经是第一个问题啦。"
BACK = "好的，回到上一个问题。"
RESTARTED = "好的，我们从头来。"
REPEAT = "好的，我们接着来。"
WELCOME_BACK = "欢迎回来！我们接着{title}。"
REMINDER = (
    "欢迎回来！您的{title}还没完成，上次停在{where}。\n"
    "回复“继续”接着填，回复“重新开始”从头来，回复“取消”就不填了。"
)
WHERE_STEP = "第{number}步（{label}）"
WHERE_OTHER = "“{label}”这一步"
ALREADY_HERE = "您正在{title}，停在{where}，我们接着来："
NOT_YET = "这一项还没填到，我们先把眼前这个问题答完："
PAUSED = "（您的{title}还没完成，回复“继续”接着填。）"
HELP = "{help}\n\n" + CONTROLS_HINT
CANCELLED = "好的，已取消，刚才填的内容都没有保存。需要时再找我就行。"
SEPARATOR = "\n\n"
