"""What the account says outside any dialog: welcome, help and fallbacks (Simplified Chinese)."""

from __future__ import annotations

HELP_WORDS = ("帮助", "help", "?", "？", "菜单", "功能")

MENU = (
    "您可以回复：\n"
    "· “注册”——登记进入焦作籍在外人才库（约两分钟）；\n"
    "· “我的资料”——查看或修改您的登记信息；\n"
    "· “隐私”——查看授权、导出或注销您的资料；\n"
    "· “企业需求”——企业发布技术需求，寻找合作人才（“我的需求”看进度）；\n"
    "· “帮助”——再看一遍这份说明。"
)
WELCOME = (
    "欢迎关注怀才！这里是焦作在外人才的家乡联络站，"
    "家乡的科技合作、活动邀请和人才政策都会在这里与您对接。\n"
    "回复“注册”，两分钟完成人才登记。"
)
WELCOME_BACK = (
    "欢迎回来，{name}！您的资料还在，回复“我的资料”看看有没有需要更新的；"
    "家乡的活动和合作机会，我们会继续第一时间告诉您。"
)
UNKNOWN_SCENE = "这个二维码暂时没有对应的活动，可能已经过期了。如需帮助，请联系活动主办方。"
# What a registered person can do: no offer to register again.
MENU_REGISTERED = MENU.replace(
    "· “注册”——登记进入焦作籍在外人才库（约两分钟）；\n",
    "· 资料有变化直接说，例如“我搬到杭州了”“手机换了 139…”；\n",
)
HELP = "怀才为焦作在外人才和家乡企业牵线搭桥。\n" + MENU
HELP_REGISTERED = "怀才为焦作在外人才和家乡企业牵线搭桥。\n" + MENU_REGISTERED
NOT_UNDERSTOOD = "抱歉，我没太明白您的意思。\n" + MENU
NOT_UNDERSTOOD_REGISTERED = "抱歉，我没太明白您的意思。\n" + MENU_REGISTERED
# A sentence that is no command but says what the person wants: point at the right word.
# Checked in this order; the first whose words occur in the message answers.
INTENTS = (
    (
        ("注销", "删除", "删掉", "隐私", "个人信息保护"),
        "查看授权、导出或注销您的资料，请回复“隐私”。",
    ),
    (
        ("注册", "登记", "入库", "加入", "填表", "填写"),
        "想登记的话，回复“注册”就能开始，大约两分钟。",
    ),
    (("修改", "更新", "更改", "资料"), "查看或修改您的登记信息，请回复“我的资料”。"),
    (
        ("企业", "需求", "难题", "找专家", "找人才"),
        "企业发布技术需求，请回复“企业需求”；已发布的需求回复“我的需求”查看进度。",
    ),
    (("谢谢", "感谢", "多谢"), "不客气！有需要随时找我。"),
    (("你好", "您好", "在吗", "hello"), "您好！我是怀才小助手。\n" + MENU),
)
MORE = "\n回复“帮助”看全部功能。"
NOT_TEXT = "收到啦！不过我暂时只能看懂文字消息。\n" + MENU
UNKNOWN_BUTTON = "这个菜单暂时不可用。\n" + MENU
