"""What the profile self-service dialogs say (Simplified Chinese)."""

from __future__ import annotations

VIEW_WORDS = ("我的资料", "资料", "个人资料", "查看资料", "我的信息")
PRIVACY_WORDS = ("隐私", "隐私设置", "我的隐私", "授权")
EXPORT_WORDS = ("导出", "导出资料", "导出数据", "导出我的资料")
ERASE_WORDS = ("注销", "删除资料", "删除我的资料", "注销账号", "退出人才库")
EDIT_WORDS = ("修改", "修改资料", "更新资料")
WITHDRAW_INVITATIONS_WORDS = ("撤回邀请", "不接收邀请", "不要邀请")
RESTORE_INVITATIONS_WORDS = ("恢复邀请", "接收邀请")
WITHDRAW_INTRODUCTIONS_WORDS = ("撤回引荐", "撤回介绍", "不要引荐")

NOT_REGISTERED = "您还没有登记。回复“注册”，两分钟就能加入焦作籍在外人才库。"
VIEW = (
    "这是您的资料：\n{profile}\n\n要修改哪一项，回复“修改 单位”这样的话；回复“隐私”查看授权情况。"
)
PICK_FIELD = "您想修改哪一项？回复“修改”加上项目名，例如“修改 单位”“修改 手机”：\n{fields}"

KEYWORDS_WORD = "关键词"
EDIT_TITLE = "修改资料"
EDIT_INTRO = "好的，我们来改“{label}”。现在是：{current}"
EDITED = "改好了。现在您的{label}是：{value}"
UNCHANGED = "和原来一样，没有改动。"
EDIT_CANCELLED = "好的，没有改动。"
CONFIRM_PROPOSED = "要把{label}改成“{value}”吗？回复“对”确认，回复“不”就不改。"
PROPOSED_UNCLEAR = "回复“对”确认修改，回复“不”就不改。"
PROPOSED_HELP = "回复“对”按您说的修改；回复“不”保留原来的。"
KEEP_WORDS = frozenset({"不改", "不用改", "不用了", "算了", "不要"})
# Items of bot.understanding that are a part of a profile item (联系方式 holds both).
ITEM_LABELS = {"phone": "手机号", "email": "邮箱"}
# The questions of a profile edit (registration's own wording says "最后", "先请问"...).
EDIT_ASK = {
    "name": "请发您的新姓名：",
    "origin": "请发您的籍贯，写到县（市、区）就行，例如：温县。",
    "city": "您现在在哪个城市工作？直接发城市名，例如：杭州。",
    "employer": "请发您现在的工作单位：",
    "title": "请发您现在的职务或职称，例如：正高级工程师。",
    "education": "请选择您现在的最高学历，回复序号或文字：\n{options}",
    "expertise": "请重新介绍一下您的专业领域或研究方向，我会重新提炼关键词。",
    "wishes": "请重新选择您愿意合作的方面，可以多选，回复序号，例如“1 3”：\n{options}",
    "contact": "请发新的手机号或邮箱（两个都改的话用空格隔开）：",
}

PRIVACY = (
    "【我们保存了什么】\n{stored}\n\n"
    "【谁看过您的资料】\n{seen}\n\n"
    "【您的授权】\n{consents}\n\n"
    "回复“撤回邀请”不再收到活动邀请（“恢复邀请”可恢复）；回复“撤回引荐”撤回向企业介绍您的同意；"
    "回复“导出”取回全部资料；回复“注销”删除全部资料。"
)
STORED = (
    "{fields}（专业领域附带提炼的关键词和相关产业），"
    "以及您的微信标识（openid）、登记时间和下面的授权记录。"
)
NOBODY_SAW = "除您本人外，还没有人查看过。"
SEEN_LINE = "{at} {actor}{action}"
ACTIONS = {
    "read": "查看了您的资料",
    "list": "在名单中看到了您的资料",
    "export": "导出了您的资料",
    "update": "修改了您的资料",
}
STAFF = "工作人员（{name}）"
CONSENT_LINE = "· {purpose}：{status}（{date}，版本 {version}）"
PURPOSES = {
    "registration": "登记入库",
    "invitations": "接收活动邀请",
    "introduction": "向企业介绍您",
}
GRANTED = "已同意"
DECLINED = "未同意"
WITHDRAWN = "已撤回"
NO_CONSENTS = "暂无记录。"

INVITATIONS_WITHDRAWN = "好的，已撤回。以后不再给您发活动邀请；想恢复时回复“恢复邀请”。"
INVITATIONS_NOT_GIVEN = "您目前没有接收活动邀请的授权，不会收到邀请。想接收请回复“恢复邀请”。"
INVITATIONS_RESTORED = "好的，已恢复。有合适的活动我们会邀请您。"
INVITATIONS_ALREADY = "您已经在接收活动邀请了。"
INTRODUCTIONS_WITHDRAWN = "好的，已撤回{count}项向企业介绍您的同意。"
INTRODUCTIONS_NONE = "您目前没有同意过向任何企业介绍您，不需要撤回。"

EXPORT_HEADER = "这是我们保存的您的全部资料（共{parts}条消息）："
EXPORT_LINE = "{label}：{value}"
EXPORT_LABELS = {
    "name": "姓名",
    "origin_name": "籍贯",
    "origin_text": "籍贯（原话）",
    "is_from_jiaozuo": "焦作籍",
    "city": "工作城市",
    "employer": "工作单位",
    "title": "职务/职称",
    "education": "最高学历",
    "expertise": "专业领域",
    "keywords": "关键词",
    "industries": "相关产业",
    "cooperation_wishes": "合作意向",
    "phone": "手机",
    "email": "邮箱",
    "source": "登记方式",
    "registered_at": "登记时间",
    "consents": "授权记录",
}
SOURCES = {"chat": "微信对话", "h5": "网页表单", "import": "校友会名单导入", "demo": "演示数据"}
YES = "是"
NO = "否"
EMPTY = "（无）"

ERASE_TITLE = "注销"
ERASE_CONFIRM = (
    "注销后，您的全部资料和授权记录都会删除，无法恢复；以后仍可以重新登记。\n"
    "确定注销请回复“确认注销”，回复其他内容则保留资料。"
)
ERASE_HELP = "回复“确认注销”删除全部资料；回复其他任何内容都会保留资料。"
ERASED = "已经注销，您的资料都已删除。感谢您一直以来的关注！想回来时，随时回复“注册”。"
ERASE_KEPT = "好的，您的资料保留着，没有删除。"
DRAFT_ERASED = "已删除您填到一半的登记资料，什么都没有保留。想登记时，随时回复“注册”。"

# Sent by the scheduler to people whose profile has not changed for scheduler.stale_profile_days.
STALE_PROFILE_NUDGE = (
    "您好，{name}！您在怀才登记的资料有一阵子没更新了，工作单位、城市或职称有变化吗？\n"
    "回复“我的资料”看看，需要时回复“修改”更新。"
)
