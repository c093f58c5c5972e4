"""Normalise what people type before it is understood: width, case, emoji, lead-ins, fillers."""

from __future__ import annotations

import re
import unicodedata

# Emoji that say yes; other pictographs carry no meaning for the dialogs and are dropped.
YES_EMOJI = frozenset({"👌", "👍", "✅", "🆗", "🙆", "✔", "☑"})
# Polite openings and spoken fillers that never change what a message asks for. Longest first
# so 您好 goes before 好 would; each is removed only at the start of the message.
LEAD_INS = (
    "我想问一下",
    "我想问下",
    "想问一下",
    "我问一下",
    "请问一下",
    "打扰一下",
    "打扰了",
    "麻烦问下",
    "麻烦您",
    "麻烦你",
    "你好呀",
    "你好啊",
    "您好",
    "你好",
    "哈喽",
    "hello",
    "请问",
    "那个",
    "就是",
    "这个",
    "麻烦",
    "hi",
    "嗯",
    "呃",
    "额",
    "哦",
    "噢",
    "诶",
    "欸",
    "哎",
)
# Endings that only soften a message.
TRAILERS = (
    "谢谢您",
    "谢谢你",
    "谢谢了",
    "谢谢",
    "多谢",
    "哈哈",
    "呢",
    "吧",
    "啊",
    "呀",
    "哈",
    "嘛",
    "哦",
    "呗",
)
# Traditional characters of the words the dialogs listen for, to their simplified forms. Only
# these: a full converter would also touch names and employers, which keep what was typed.
TRADITIONAL = str.maketrans(
    "註冊資料刪除動態需幫助記聯繫號碼電話郵單職稱學歷專業領關鍵詞確認沒問題對這們個為會議"
    "讓檢視查詢銷戶庫錄請謝麼樣還嗎說發佈提交換變搬遷廠業務錯誤裡開務體驗與參報須實",
    "注册资料删除动态需帮助记联系号码电话邮单职称学历专业领关键词确认没问题对这们个为会议"
    "让检视查询销户库录请谢么样还吗说发布提交换变搬迁厂业务错误里开务体验与参报须实",
)
_SPACE_BETWEEN = re.compile(r"\s+")
_ASCII_WORD_CHAR = re.compile(r"[A-Za-z0-9@._+-]")
_PUNCTUATION_EDGES = "，,。.！!？?～~、；;：:…\"'“”‘’「」『』()（）[]【】《》<> "


def _is_dropped_symbol(char: str) -> bool:
    """Tell whether ``char`` is a pictograph, modifier or control character with no meaning."""
    category = unicodedata.category(char)
    if category in ("So", "Sk", "Cs", "Co", "Cn", "Cf"):
        return True
    return category == "Cc" and char not in "\n\t"


def clean_characters(text: str) -> str:
    """Return ``text`` NFKC-normalised with control characters removed; yes-emoji become 好.

    Full-width letters and digits become half-width (１３９ → 139), other pictographs go.
    """
    text = unicodedata.normalize("NFKC", text)
    out = []
    for char in text:
        if char in YES_EMOJI:
            out.append("好")
        elif not _is_dropped_symbol(char):
            out.append(char)
    return "".join(out)


def squeeze_spaces(text: str) -> str:
    """Drop spaces except between two ASCII words (so "liu yang" keeps its space)."""

    def keep(match: re.Match[str]) -> str:
        before = text[match.start() - 1 : match.start()]
        after = text[match.end() : match.end() + 1]
        both_ascii = _ASCII_WORD_CHAR.fullmatch(before or "x") and _ASCII_WORD_CHAR.fullmatch(
            after or "x"
        )
        return " " if both_ascii and before and after else ""

    return _SPACE_BETWEEN.sub(keep, text)


def strip_lead_ins(text: str) -> str:
    """Remove polite openings, fillers and softening endings (repeatedly) from ``text``."""
    previous = None
    while previous != text:
        previous = text
        text = text.strip(_PUNCTUATION_EDGES)
        lowered = text.lower()
        for lead in LEAD_INS:
            if lowered.startswith(lead) and len(text) > len(lead):
                text = text[len(lead) :]
                break
        for trailer in TRAILERS:
            if text.endswith(trailer) and len(text) > len(trailer):
                text = text[: -len(trailer)]
                break
    return text


def normalise_utterance(text: str, *, lower: bool = True) -> str:
    """Return the form of a message that intents are read from.

    NFKC, lower case (unless ``lower`` is False: values keep "PLC"), emoji dropped (yes-emoji
    kept as 好), spaces squeezed, polite lead-ins and fillers removed from both ends. The result
    may be empty (a message of only emoji or 嗯).
    """
    text = clean_characters(text).strip().translate(TRADITIONAL)
    return strip_lead_ins(squeeze_spaces(text.lower() if lower else text))


def clauses(text: str) -> list[str]:
    """Split ``text`` into clauses at Chinese and ASCII punctuation and line breaks."""
    parts = re.split(r"[，,。；;！!？?\n、]+|\s{2,}", text)
    return [part.strip() for part in parts if part.strip()]


def unquote(text: str) -> str:
    """Return ``text`` without surrounding quotes or brackets of any width."""
    return text.strip().strip("\"'“”‘’「」『』《》【】[]()（） ")
