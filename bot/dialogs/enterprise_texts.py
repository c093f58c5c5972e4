"""What the enterprise-need dialog says (Simplified Chinese)."""

from __future__ import annotations

TITLE = "企业需求登记"
START_WORDS = ("企业需求", "发布需求", "技术需求", "提交需求", "我要发布需求")

INTRO = (
    "您好！我来帮您登记企业的技术需求，一共9个问题。提交后由市科技局审核，"
    "审核通过后我们会为您匹配合适的人才。随时可以回复“上一步”“取消”或“帮助”。"
)
ASK_REUSE = "这次还是为“{name}”发布、联系人还是{contact}吗？（回复“是”或“不是”）"
HELP_REUSE = "回复“是”就沿用上次的企业名称、信用代码和联系人，直接从需求标题开始填。"
REUSE_UNCLEAR = "回复“是”或“不是”就行。"
ASK_NAME = "请问企业的全称是？例如：焦作市某某科技有限公司。"
HELP_NAME = "写营业执照上的企业名称就行。"
ASK_CREDIT_CODE = "企业的统一社会信用代码是？18位，在营业执照上，例如：91410800MA44Q0RN1K。"
HELP_CREDIT_CODE = (
    "统一社会信用代码是营业执照上的18位代码，由数字和大写字母组成（不含 I、O、Z、S、V）。"
)
ASK_CONTACT_NAME = "这项需求的联系人怎么称呼？"
HELP_CONTACT_NAME = "写联系人姓名就行，例如：王经理、李强。"
ASK_CONTACT_PHONE = "联系人的手机号是？审核和对接时会用到，例如：13812345678。"
HELP_CONTACT_PHONE = "请填11位手机号，例如 13812345678。"
ASK_TITLE = "请用一句话概括您的需求，作为标题。例如：高镍正极材料烧结工艺优化。"
HELP_TITLE = "标题尽量包含关键技术，100字以内。"
ASK_DESCRIPTION = (
    "请具体描述一下需求：要解决什么问题、目前的情况、希望达到的效果。"
    "写得越具体，越容易匹配到合适的人才。"
)
HELP_DESCRIPTION = (
    "例如：我公司生产锂电池正极材料，高镍产品循环寿命不足，"
    "希望优化烧结工艺，把循环次数提高到2000次。"
)
DESCRIPTION_TOO_SHORT = "再多写一些吧，至少{min}个字，说清楚要解决什么问题。"
ASK_MODE = "您希望怎么合作？请回复序号：\n{options}"
HELP_MODE = "回复一个序号就行，例如“2”（合作研发）。"
MODE_UNKNOWN = "没认出合作方式，请回复一个序号，例如“2”。"
ASK_DEADLINE = "希望什么时候之前解决？例如：明年3月底前、年底前，或写具体日期。"
HELP_DEADLINE = "写具体日期、月份，或“明年3月底前”这样都行；没有明确期限就回复“跳过”。"
DEADLINE_INVALID = "没看懂这个日期，可以写具体日期、月份，或“明年3月底前”“年底前”这样。"
DEADLINE_READ = "好的，截止日期记为{date}。"
DEADLINE_PAST = "这个日期已经过去了，请填一个今天以后的日期，比如“明年3月底前”。"
ASK_BUDGET = "有大致的预算吗？例如：50万元、面议。"
HELP_BUDGET = "写一个大致范围就行，例如“20-50万元”；不方便透露就回复“跳过”。"

SUMMARY = (
    "请核对一下需求：\n{details}\n\n我从需求里提炼的关键词：{keywords}\n\n"
    "没问题请回复“确认”提交审核；要改哪一项，回复“修改 标题”这样的话或对应序号。"
)
SUMMARY_UNCLEAR = "没太明白。"
SUMMARY_HELP = "回复“确认”提交；回复“修改 联系人”或序号（例如“5”）修改对应的一项。"
NO_KEYWORDS = "（暂未提炼出，审核时会人工补充）"
SUBMITTED = (
    "已提交，谢谢！需求“{title}”正在等待市科技局审核，通常两个工作日内有结果。\n"
    "回复“我的需求”随时查看进度。"
)
SUBMITTED_AS_CLAIM = (
    "\n这家企业已有联系人，我们会请企业或工作人员确认您的身份；确认前您只能看到自己提交的需求。"
)
CANCELLED = "好的，已取消，这次填的内容没有保存。需要时回复“企业需求”重新开始。"
NOT_SET = "未填"
LINE = "{number}. {label}：{value}"

# Step key -> (label, words that name it in "修改 <项目>").
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "enterprise_name": ("企业名称", ("企业名称", "企业", "名称", "公司")),
    "credit_code": ("统一社会信用代码", ("统一社会信用代码", "信用代码", "代码")),
    "contact_name": ("联系人", ("联系人",)),
    "contact_phone": ("联系电话", ("联系电话", "电话", "手机")),
    "title": ("需求标题", ("需求标题", "标题")),
    "description": ("需求描述", ("需求描述", "描述", "内容")),
    "cooperation_mode": ("合作方式", ("合作方式", "方式")),
    "deadline": ("截止日期", ("截止日期", "期限", "日期", "截止")),
    "budget": ("预算", ("预算",)),
}
EDIT_PREFIXES = ("修改", "改")
