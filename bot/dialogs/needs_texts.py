"""What an enterprise contact reads about their needs (Simplified Chinese)."""

from __future__ import annotations

MINE_WORDS = ("我的需求", "需求进度", "查看需求")
DETAIL_WORDS = ("需求", "需求详情", "查看需求")
MATCHES_WORDS = (
    "有哪些人才匹配",
    "有哪些人才匹配？",
    "有哪些人才",
    "匹配人才",
    "人才匹配",
    "匹配的人才",
    "谁愿意对接",
)
WITHDRAW_WORDS = ("撤回需求", "撤销需求", "取消需求")
CLOSE_WORDS = ("关闭需求", "需求已解决", "已解决")
EDIT_WORDS = ("修改需求", "改需求", "编辑需求")
BUDGET_EDIT_WORDS = (
    "改预算",
    "修改预算",
    "能改一下预算吗",
    "这个需求能改一下预算吗",
    "需求能改一下预算吗",
    "预算能改吗",
)
CLAIM_YES_WORDS = ("同意认领",)
CLAIM_NO_WORDS = ("拒绝认领",)
MAX_NUMBER = 20

NO_NEEDS = "您还没有提交过需求。回复“企业需求”就可以开始登记。"
MINE = "您的需求：\n{lines}\n\n回复“需求1”这样的话查看详情和愿意对接的人才。"
MINE_LINE = "{number}. {title}（{enterprise}）— {status}{extra}，{date}提交"
MINE_YES = "，{count}位人才愿意对接"
CLAIM_PENDING = "\n（您作为该企业联系人的申请正在确认中，确认前只显示您自己提交的需求。）"
NO_SUCH_NUMBER = "没有第{number}条需求。回复“我的需求”看看编号。"
WHICH_NUMBER = "请带上编号，例如“{word}1”。回复“我的需求”看看编号。"

DETAIL = (
    "【{title}】\n企业：{enterprise}\n状态：{status}\n{note}合作方式：{mode}\n"
    "预算：{budget}\n截止：{deadline}\n{people}\n{actions}"
)
NOTE = "审核意见：{note}\n"
NOT_SET = "未填"
PEOPLE_NONE_APPROVED = "人才：已邀请{asked}位，还没有人回复愿意。有人同意后会马上通知您。"
PEOPLE_NONE_YET = "人才：审核通过后，我们会邀请合适的人才，本人同意后才会告诉您。"
PEOPLE = "愿意对接的人才：\n{lines}"
ACTIONS_OPEN = "回复“修改需求{n}”修改，“撤回需求{n}”撤回，“关闭需求{n}”表示已解决。"
ACTIONS_REJECTED = "修改后会重新审核：回复“修改需求{n}”。有疑问回复“人工客服”。"
ACTIONS_DONE = "这条需求已经结束。"

MATCHES_NONE = (
    "目前还没有人才回复愿意对接。我们只会在人才本人同意后，把他的联系方式告诉您。"
    "回复“我的需求”查看进度。"
)
MATCHES = "愿意对接的人才：\n{blocks}\n\n对接后回复“对接进展”告诉我们情况。"
MATCHES_BLOCK = "【{title}】\n{lines}"

WITHDRAWN = "好的，需求“{title}”已撤回。{told}"
CLOSED = "太好了！需求“{title}”已标记为已解决，谢谢您告诉我们。{told}"
TOLD_PEOPLE = "已告诉{count}位还没回复的人才不用再回复了。"
ENDED_ALREADY = "这条需求已经结束了。"

EDIT_TITLE = "修改需求"
EDIT_PICK = (
    "要改需求“{title}”的哪一项？回复序号：\n1. 需求标题\n2. 需求描述\n3. 合作方式\n4. 截止日期\n"
    "5. 预算\n（改标题或描述后需要重新审核）"
)
EDIT_PICK_UNCLEAR = "回复1到5的序号就行，例如“5”改预算；不改了回复“取消”。"
EDIT_ASK = "请发来新的{label}（现在是：{current}）。"
EDIT_MODE = "请回复合作方式的序号：\n{options}"
EDIT_DONE = "已修改{label}：{value}"
EDIT_BACK_TO_REVIEW = "\n内容有变化，需求会重新审核，有结果会告诉您。"
EDIT_UNCHANGED = "和原来一样，没有改动。"
EDIT_CANCELLED = "好的，不改了。"
EDIT_WHICH = "您有几条需求，要改哪一条？回复“修改需求1”这样的话（编号见“我的需求”）。"
EDIT_NONE = "您没有可以修改的需求。"

CLAIM_DONE_YES = "好的，已确认对方为贵企业的联系人。"
CLAIM_DONE_NO = "好的，已拒绝这个认领申请。"
CLAIM_UNKNOWN = "目前没有需要您确认的联系人申请。"
CLAIM_MORE = "还有{count}个申请等您确认，再回复“同意认领”或“拒绝认领”。"
