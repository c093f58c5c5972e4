"""What a talent reads about introductions, referrals and human help (Simplified Chinese)."""

from __future__ import annotations

# Digits are read only outside a dialog (see introductions._answers_by_number).
DIGIT_YES_WORDS = ("1",)
DIGIT_YES_PHONE_WORDS = ("1 手机", "1手机", "1 只留手机", "1只留手机")
DIGIT_YES_EMAIL_WORDS = ("1 邮箱", "1邮箱", "1 只留邮箱", "1只留邮箱")
DIGIT_NO_WORDS = ("2",)
YES_WORDS = ("愿意对接", "我愿意对接", "可以对接")
NO_WORDS = ("这次不了", "暂不对接", "不愿意对接")
MINE_WORDS = ("我的对接", "对接记录", "对接邀请")
WITHDRAW_WORDS = ("撤回对接",)
PROGRESS_WORDS = ("对接进展", "进展")
HUMAN_WORDS = ("人工客服", "人工", "转人工", "联系客服", "客服")
REFERRAL_WORDS = ("我的推荐码", "推荐码", "推荐二维码", "邀请好友", "推荐朋友")
RENEW_CONSENT_WORDS = ("同意新版", "同意新版本")
MAX_NUMBER = 20

NOTHING_PENDING = "现在没有需要您回复的对接邀请。回复“我的对接”看看以前的邀请。"
SAID_YES = (
    "谢谢您！已把您的{shared}告诉企业。企业联系人：{contact}\n"
    "对接后回复“对接进展”告诉我们情况；改主意了回复“我的对接”可以撤回。"
)
SAID_YES_NOTHING_SHARED = "姓名（您的资料里没有手机和邮箱，企业可以通过我们联系您）"
SHARED_JOIN = "、"
SAID_NO = "好的，这次就不打扰了，以后不会再为这个需求问您。"
STILL_PENDING = "\n您还有{count}个对接邀请没回复，回复“我的对接”查看。"
NOT_REGISTERED = "您还没有登记。回复“注册”，两分钟就好。"

MINE_NONE = "您还没有收到过对接邀请。有企业需求和您的专业相关时，我们会先问您的意见。"
MINE = "您收到的对接邀请：\n{lines}\n\n回复“撤回对接1”这样的话可以撤回同意（企业会收到通知）。"
MINE_LINE = "{number}. {title} — {answer}，{date}"
ANSWERS = {
    "asked": "待回复（回复 1 愿意，2 这次不了）",
    "introduced": "已同意，已交换联系方式",
    "declined": "未对接",
    "withdrawn": "已撤回",
    "cancelled": "企业已撤回或关闭",
    "accepted": "已同意",
}
WITHDRAWN = "已撤回您对“{title}”的对接同意，企业已收到通知，不会再使用您的联系方式。"
WITHDRAW_NOT_POSSIBLE = "这一条不是“已同意”的状态，不需要撤回。"
NO_SUCH_NUMBER = "没有第{number}条。回复“{list_word}”看看编号。"
WHICH_NUMBER = "请带上编号，例如“{word}1”。回复“{list_word}”看看编号。"

PROGRESS_NONE = "您目前没有已完成引荐的对接。"
PROGRESS = (
    "您的对接：\n{lines}\n\n"
    "进展怎么样？回复“进展1 已联系”“进展1 已签约”或“进展1 已落地”这样的话告诉我们。"
)
PROGRESS_LINE = "{number}. {title} — {other}{done}"
PROGRESS_DONE = "（已记：{kinds}）"
PROGRESS_ASK_AMOUNT = "恭喜！签约金额大约多少万元？（例如“50”；不方便说回复“跳过”）"
PROGRESS_AMOUNT_UNCLEAR = "请回复一个数字（万元），例如“50”，或回复“跳过”。"
PROGRESS_RECORDED = "已记下：{title} — {kind}。谢谢您告诉我们！"
PROGRESS_FLOW = "cooperation_progress"
OUTCOME_WORDS = {"已联系": "contacted", "已签约": "agreement", "已落地": "landed"}

HUMAN = (
    "好的，已通知工作人员，工作日会尽快在公众号里回复您。"
    "您可以先把问题写在下一条消息里，我们会一并看到。"
)
REFERRAL_READY = (
    "您的专属推荐二维码：{url}\n请焦作老乡扫码关注并登记，我们会记下是您推荐的。已推荐{count}人。"
)
REFERRAL_PENDING = "好的，正在为您生成专属推荐二维码，稍后发给您。"
REFERRAL_WELCOME = "欢迎关注怀才！您是通过朋友推荐来的。回复“注册”登记，两分钟就好。"
CONSENT_RENEWED = "谢谢！已记录您同意新版个人信息同意书（版本{version}）。"
CONSENT_CURRENT = "您同意的已经是最新版本了，不需要再确认。"

PREFERENCE_WORDS = {
    ("订阅", "活动"): True,
    ("订阅", "需求"): True,
    ("订阅", "资讯"): True,
    ("退订", "活动"): False,
    ("退订", "需求"): False,
    ("退订", "资讯"): False,
}
PREFERENCE_ON = "好的，以后会给您发{kind}方面的消息（每周最多一次汇总）。回复“退订{kind}”随时取消。"
PREFERENCE_OFF = "好的，以后不再给您发{kind}方面的消息。回复“订阅{kind}”可以恢复。"
PREFERENCE_SAME = "您现在已经是这个设置了。"
