"""What the cooperation services send people by message (Simplified Chinese).

The dialogs' own wording lives beside each dialog (``bot/dialogs/*_texts.py``); these are the
messages that go out through the outbox when something happens elsewhere (a review, an answer,
a scheduled job).
"""

from __future__ import annotations

# --- needs: the review result, told to whoever submitted the need -------------------------------
REVIEW_APPROVED = (
    "您的需求“{title}”已通过审核，已经发布。\n"
    "我们正在为您挑选合适的人才，他们本人同意对接后，会第一时间把联系方式发给您。\n"
    "回复“我的需求”查看进度。"
)
REVIEW_APPROVED_NOTE = "审核意见：{note}"
REVIEW_REJECTED = (
    "抱歉，您的需求“{title}”这次没有通过审核。\n原因：{note}\n"
    "可以回复“我的需求”查看，修改后会重新审核；有疑问回复“人工客服”。"
)
REVIEW_NEEDS_INFO = (
    "您的需求“{title}”还需要补充一些信息：\n{note}\n"
    "回复“我的需求”，选中这条需求后回复“修改”补充，补充后会重新审核。"
)
REOPENED = "您的需求“{title}”已重新进入审核，有结果会告诉您。"

# --- introductions (PIPL art. 23: the person's own yes before the enterprise learns anything) ----
ASK = (
    "{name}您好！焦作有一家企业在找懂行的人：\n"
    "【需求】{title}\n{brief}\n"
    "【为什么想到您】{why}\n"
    "愿意的话，我们会把您的联系方式告诉这家企业，并把企业联系人告诉您。\n"
    "回复 1 愿意对接，回复 2 这次不了。"
    "（只想留手机回复“1 手机”，只留邮箱回复“1 邮箱”；{days}天内没回复就当这次不方便）"
)
ASK_MORE_PENDING = "您还有{count}个对接邀请没有回复，回复“我的对接”查看。"
TOLD_ENTERPRISE_YES = (
    "好消息！您的需求“{title}”有人才愿意对接：\n{person}\n"
    "请尽快联系，对接后回复“对接进展”告诉我们情况（已联系、已签约、已落地）。"
)
PERSON_LINE = "{name}（{where}）"
PERSON_CONTACT = "{label}：{value}"
TOLD_ENTERPRISE_WITHDRAWN = (
    "您的需求“{title}”中，{name}撤回了对接意愿。请不要再使用此前收到的联系方式，谢谢理解。"
)
PROGRESS_CHECK_TALENT = (
    "上个月我们介绍您和“{enterprise}”就“{title}”对接，进展如何？"
    "回复“对接进展”告诉我们（已联系、已签约、已落地），也帮我们把服务做得更好。"
)
PROGRESS_CHECK_ENTERPRISE = (
    "上个月{name}同意和贵企业就“{title}”对接，进展如何？"
    "回复“对接进展”告诉我们（已联系、已签约、已落地）。"
)
NEED_CANCELLED = "之前请您看过的需求“{title}”企业已经{how}，不用再回复了，谢谢！"
HOW_WITHDRAWN = "撤回"
HOW_CLOSED = "关闭"

# --- enterprise contacts (issue 10 item 7: a second contact is a claim) -------------------------
CLAIM_TO_CONFIRMED = (
    "有人以“{enterprise}”的名义提交了需求“{title}”，申请成为贵企业的联系人。\n"
    "如果是贵企业的同事，回复“同意认领”；不是的话回复“拒绝认领”。"
    "确认前，对方只能看到自己提交的需求。"
)
CLAIM_CONFIRMED = "您已确认为“{enterprise}”的联系人，回复“我的需求”可以看到企业的全部需求。"
CLAIM_REFUSED = "您作为“{enterprise}”联系人的申请没有通过，您提交的需求仍然只有您自己能看到。"

# --- keeping in touch -------------------------------------------------------------------------
DIGEST = "{name}您好，这周有{count}条和您专业相关的新消息：\n{lines}\n{footer}"
DIGEST_NEED = "· 企业需求：{title}（{industry}）"
DIGEST_EVENT = "· 活动：{title}，{when}"
DIGEST_FOOTER = "对哪条感兴趣，回复“人工客服”告诉我们。不想再收，回复“退订需求”或“退订活动”。"
REFRESH_NUDGE = (
    "{name}您好！您的资料已经{months}个月没更新了，工作单位、职务或研究方向有变化吗？"
    "回复“我的资料”看一看，回复“修改 单位”这样的话就能改。"
)
YEARLY_CHECK = "{name}您好！又是一年，想和您确认一下：你的资料还准确吗？回复“我的资料”看一看。"
YEARLY_CONSENT = (
    "另外，我们的个人信息同意书更新了（版本{version}），回复“隐私”查看，"
    "回复“同意新版”继续使用；不同意可以回复“注销”。"
)
REFERRAL_CODE = (
    "这是您的专属推荐二维码：{url}\n"
    "请焦作老乡扫码关注并完成登记，我们会记下是您推荐的。谢谢您为家乡引才！"
)
REFERRAL_THANKS = "谢谢您！您推荐的一位朋友刚刚完成了人才登记。您已累计推荐{count}人。"
