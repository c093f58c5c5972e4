"""What the registration dialog says (Simplified Chinese)."""

from __future__ import annotations

TITLE = "人才登记"
START_WORDS = ("注册", "登记", "入库", "人才登记", "人才入库", "我要登记", "我要注册")

# Bump the version whenever the consent text below changes; it is stored with every consent.
CONSENT_VERSION = "2026-11"
# What the registration consent covers, shown before anyone's data is kept as theirs.
CONSENT_POINTS = (
    "· 用途：焦作市科技部门用它联系您，邀请您参加对接活动，在企业有合适的技术需求时征求您的意见；\n"
    "· 保存：姓名、籍贯、工作城市、单位、职务职称、学历、专业领域、合作意向，"
    "以及您愿意留下的手机或邮箱；\n"
    "· 谁能看到：只有市科技局、人才办的工作人员；企业要看到您的联系方式，必须先经过您本人同意；\n"
    "· 撤回和删除：随时回复“隐私”可撤回活动邀请，回复“注销”可删除全部资料。\n"
)
CONSENT = (
    "您好！欢迎加入焦作籍在外人才库。登记前请先了解：\n"
    + CONSENT_POINTS
    + "同意请回复“同意”，不同意请回复“不同意”。（同意书版本 {version}）"
)
# People added from a spreadsheet (校友会, 人才办) confirm before anything else is sent to them.
IMPORTED_CONFIRM_WORDS = ("确认入库",)
IMPORTED_AGREE_WORDS = ("同意入库",)
IMPORTED_CONFIRM = (
    "您的资料是由校友会或单位名单转来的，还没有经过您本人确认：\n{profile}\n\n"
    "确认前请先了解：\n"
    + CONSENT_POINTS
    + "资料无误并同意，请回复“同意入库”；有不对的，确认后直接告诉我就能改；"
    "不想加入，回复“注销”即可删除。（同意书版本 {version}）"
)
IMPORTED_CONFIRMED = (
    "谢谢您的确认，您已正式加入焦作籍在外人才库！"
    "资料有变化时直接告诉我就行，比如“我搬到杭州了”。回复“我的资料”可以随时查看。"
)
NOTHING_TO_CONFIRM = "您的资料已经确认过了。回复“我的资料”可以查看。"
CONSENT_HELP = "回复“同意”开始登记；回复“不同意”则不登记，我们不会保存您的任何资料。"
CONSENT_UNCLEAR = "没太明白您的意思。"
AGREE_WORDS = frozenset({"同意", "我同意", "同意的", "好", "好的", "可以", "是", "yes", "ok"})
DECLINE_WORDS = frozenset({"不同意", "不", "否", "拒绝", "不要", "no"})
DECLINED = "好的，尊重您的选择，我们没有保存您的任何资料。\n以后想登记了，随时回复“注册”就行。"
AGREED = "谢谢您的信任！一共9个问题，大约两分钟。" + "随时可以回复“上一步”“取消”或“帮助”。"

ASK_NAME = "先请问您怎么称呼？请告诉我您的姓名。"
HELP_NAME = "请填写您的真实姓名，例如：张伟。"
NAME_TOO_LONG = "姓名最多{max}个字，请再输一次，例如：张伟。"
NAME_NOT_A_NAME = "这看起来不像姓名，请只写姓名，例如：张伟。"
NAME_IS_A_WORD = "“{text}”好像不是姓名哦。请告诉我您的姓名，例如：张伟。"
NAME_AFTER_CONSENT = "已经收到您的同意啦，谢谢！接下来请告诉我您的姓名，例如：张伟。"

ASK_ORIGIN = "您的籍贯是哪里？写到县（市、区）就行，例如：温县、武陟县詹店镇、焦作市解放区。"
HELP_ORIGIN = (
    "请告诉我您老家在焦作哪个县（市、区），例如“温县”“老家武陟”“沁阳市西向镇”。"
    "如果您不是焦作人，也可以直接写籍贯，我们欢迎您以“焦作之友”的身份登记。"
)
ORIGIN_TOO_LONG = "籍贯写得太长了，写到县（市、区）就行，例如：温县。"
CONFIRM_ORIGIN = "您的籍贯是{name}，对吗？（回复“对”或“不对”）"
CONFIRM_NEAR_MISS = "您是说{meant}（{name}）吗？（回复“对”或“不对”）"
CONFIRM_CITY_ONLY = (
    "好的，您是{name}人！能再具体到县（市、区）吗？直接回复就行，例如：温县。"
    "不方便的话回复“对”，就登记为{name}。"
)
CHOOSE_ORIGIN = "您说的是下面哪一个？请回复序号：\n{options}\n都不是的话，请再说具体些。"
CHOOSE_HINT = "请回复序号（例如 1），或者重新说一下您的籍贯。"
ORIGIN_RETRY = "好的，那请再说一下您的籍贯，写得具体些，例如：温县赵堡镇。"
NOT_JIAOZUO = (
    "我没在焦作的县区里找到“{text}”。焦作也欢迎各地人才，"
    "您可以作为“焦作之友”登记。\n回复“是”以焦作之友登记；如果其实是焦作人，请把县区写具体些。"
)
NOT_JIAOZUO_NAMED = (
    "我认出的是“{name}”，它现在不属于焦作市。焦作也欢迎各地人才，"
    "您可以作为“焦作之友”登记。\n回复“是”以焦作之友登记；如果其实是焦作人，请把县区写具体些。"
)

ASK_CITY = "您现在在哪个城市工作？例如：北京、上海、深圳。"
HELP_CITY = "写城市名就行，例如“北京”“苏州”；在国外的话写国家和城市，例如“德国慕尼黑”。"
CONFIRM_CITY = "您是说{city}吗？（回复“对”，或直接发正确的城市）"
CITY_RETRY = "好的，那请再说一下您工作的城市，例如：深圳。"

ASK_EMPLOYER = "您现在的工作单位是？例如：清华大学材料学院、中国科学院化学所、比亚迪股份有限公司。"
HELP_EMPLOYER = "写单位全称或常用简称都可以，例如“郑州大学化工学院”。"

ASK_TITLE = "您的职务或职称是？例如：教授、高级工程师、研发总监。"
HELP_TITLE = "职务、职称写一个或几个都行，例如“副教授、博士生导师”。"

ASK_EDUCATION = "您的最高学历是？请回复序号或文字：\n{options}"
HELP_EDUCATION = "回复序号就行，例如“1”代表博士。"
EDUCATION_UNKNOWN = "没认出这个学历，请回复序号，例如“2”（硕士）。"
EDUCATION_ALIASES = {
    "博士": "博士",
    "博士研究生": "博士",
    "博士后": "博士",
    "phd": "博士",
    "硕士": "硕士",
    "研究生": "硕士",
    "硕士研究生": "硕士",
    "本科": "本科",
    "学士": "本科",
    "大学本科": "本科",
    "大学": "本科",
    "大专": "大专",
    "专科": "大专",
    "其他": "其他",
    "其它": "其他",
    "高中": "其他",
    "中专": "其他",
    "职高": "其他",
    "技校": "其他",
    "中技": "其他",
    "中职": "其他",
    "初中": "其他",
    "小学": "其他",
    "高职": "大专",
}

ASK_EXPERTISE = (
    "请用一两句话介绍您的专业领域或研究方向，越具体越好。\n"
    "例如：锂离子电池正极材料、固态电解质的研发和产业化。"
)
HELP_EXPERTISE = "我会从中提炼关键词，帮您匹配企业需求和活动。写研究方向、擅长的技术或行业都可以。"
EXPERTISE_TOO_SHORT = (
    "再多写几个字吧，说说您平时主要做什么、擅长什么，"
    "例如：氩弧焊和压力容器焊接；或者：企业账务和税务申报。"
)
CONFIRM_KEYWORDS = (
    "我从您的介绍里提炼了这些关键词：\n{keywords}\n"
    "合适就回复“对”；想改的话，直接发您自己的关键词，用逗号或空格隔开。"
)
NO_KEYWORDS = (
    "我没能提炼出关键词，请直接发几个关键词，用逗号隔开，例如：锂电池，正极材料，烧结工艺。"
)
KEYWORDS_NEEDED = "还没有关键词呢，请直接发几个，用逗号隔开。"
KEYWORDS_INVALID = "关键词每个不超过30个字，最多20个，用逗号或空格隔开，例如：锂电池，正极材料。"
OWN_KEYWORDS = "好的，那请直接发您自己的关键词，用逗号隔开，例如：锂电池，正极材料，烧结工艺。"
KEYWORDS_EDITED = "好的，改好了。"
KEYWORDS_TAKEN = "好的，关键词用您发的：{keywords}。"
KEYWORD_NOT_FOUND = "关键词里没有“{keyword}”，请照着上面的写，例如：去掉“{keyword}”。"
KEYWORDS_EDIT_UNCLEAR = (
    "没太看懂要怎么改。可以这样说：去掉“某某”、加上“某某”、把“甲”改成“乙”；"
    "或者直接发一组新的关键词，用逗号隔开。"
)
AND_MORE = "等{count}个"

ASK_WISHES = "您愿意和家乡在哪些方面合作？可以多选，回复序号，例如“1 3 5”：\n{options}"
HELP_WISHES = "回复一个或几个序号，用空格隔开，例如“1 2”；都可以的话回复“全部”。"
WISHES_UNKNOWN = "没认出您选的是哪几项，请回复序号，例如“1 3 5”。"
ALL_WORDS = frozenset({"全部", "都可以", "都行", "全选", "都愿意"})

ASK_CONTACT = (
    "最后，方便留个手机号或邮箱吗？有合适的机会时方便联系您。"
    "两个都留的话用空格隔开，例如：13812345678 zhang@example.com"
)
HELP_CONTACT = "手机号是11位数字，例如 13812345678；邮箱像 name@example.com。不想留就回复“跳过”。"
CONTACT_TWO_PHONES = "只留一个手机号就好。"
CONTACT_TWO_EMAILS = "只留一个邮箱就好。"

SUMMARY = (
    "请核对一下您的信息：\n{profile}\n\n"
    "没问题请回复“确认”；要改哪一项，回复“修改 单位”这样的话或对应序号。"
)
SUMMARY_UNCLEAR = "没太明白。"
SUMMARY_WHICH = "要改哪一项？回复对应序号，或者直接说，例如“单位是华为”。"
CORRECTED = "好的，改过来了。"
NOT_A_VALUE = "这句我没法填进这一项，请直接写内容。"
SUMMARY_HELP = "回复“确认”完成登记；回复“修改 单位”或序号（例如“4”）修改对应的一项。"
DONE = (
    "登记完成，谢谢您，{name}！欢迎加入焦作籍在外人才库。\n"
    "有合适的活动和合作机会，我们会第一时间告诉您。"
    "随时回复“我的资料”查看、“修改 单位”这样修改，或“隐私”管理授权。"
)
ALREADY_REGISTERED = (
    "您已经登记过了，这是您的资料：\n{profile}\n\n要修改的话，回复“修改 单位”这样的话就行。"
)
CANCELLED = "好的，登记已取消，刚才填的内容都没有保存。想登记时回复“注册”就行。"

NOT_SET = "未填"
FRIEND_MARK = "（焦作之友）"
PROFILE_LINE = "{number}. {label}：{value}"

# The numbered items of a profile: step key -> (label, words that name it in "修改 <字段>").
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "name": ("姓名", ("姓名", "名字", "称呼")),
    "origin": ("籍贯", ("籍贯", "老家", "家乡", "出生地")),
    "city": ("工作城市", ("工作城市", "城市", "所在城市", "现居城市")),
    "employer": ("工作单位", ("工作单位", "单位", "公司", "学校")),
    "title": ("职务/职称", ("职务", "职称", "职务职称", "职务/职称", "职位")),
    "education": ("最高学历", ("最高学历", "学历")),
    "expertise": ("专业领域", ("专业领域", "专业", "研究方向", "领域", "方向", "关键词")),
    "wishes": ("合作意向", ("合作意向", "意向", "合作")),
    "contact": ("联系方式", ("联系方式", "手机", "手机号", "电话", "邮箱", "联系电话")),
}
EDIT_PREFIXES = ("修改", "改", "更改", "更新")
SKIP_WORDS = frozenset({"不留", "不用", "不用了", "没有", "无", "不想留"})
# Short words people use for the cooperation wishes.
WISH_ALIASES = {
    "咨询": "技术咨询",
    "项目": "项目合作",
    "转化": "成果转化",
    "成果": "成果转化",
    "回乡": "回乡创业/投资",
    "创业": "回乡创业/投资",
    "投资": "回乡创业/投资",
    "兼职": "兼职/顾问",
    "顾问": "兼职/顾问",
    "讲座": "讲座培训",
    "培训": "讲座培训",
    "讲课": "讲座培训",
    "推荐": "人才推荐",
}
NOTHING_TO_CONTINUE = (
    "目前没有填到一半的内容。想登记人才信息请回复“注册”，企业发布需求请回复“企业需求”。"
)
