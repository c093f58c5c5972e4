"""Export a filtered list of talents as CSV or XLSX: only people who consent, audited."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace

from sqlalchemy.orm import Session

from bot.models import Talent
from bot.services import audit
from bot.services.stats import SOURCE_LABELS, TIE_LABELS
from bot.services.talent_records import TalentSelection, select_all
from bot.services.talent_search import TalentIndexCache
from bot.vocabulary import county_name

COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "编号"),
    ("name", "姓名"),
    ("origin", "籍贯"),
    ("ties", "与焦作的关系"),
    ("city", "工作城市"),
    ("employer", "工作单位"),
    ("title", "职务/职称"),
    ("education", "学历"),
    ("keywords", "关键词"),
    ("industries", "产业"),
    ("cooperation_wishes", "合作意向"),
    ("source", "来源"),
    ("registered_at", "入库时间"),
)
CONTACT_COLUMNS: tuple[tuple[str, str], ...] = (("phone", "手机"), ("email", "邮箱"))
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class ExportFile:
    filename: str
    mimetype: str
    content: bytes
    rows: int


def _row(talent: Talent, with_contacts: bool) -> list[str]:
    values = {
        "id": str(talent.id),
        "name": talent.name,
        "origin": county_name(talent.origin_code) or talent.origin_name or talent.origin_text,
        "ties": "、".join(TIE_LABELS.get(t, t) for t in talent.ties),
        "city": talent.city,
        "employer": talent.employer,
        "title": talent.title,
        "education": talent.education,
        "keywords": "、".join(talent.keywords),
        "industries": "、".join(talent.industries),
        "cooperation_wishes": "、".join(talent.cooperation_wishes),
        "source": SOURCE_LABELS.get(talent.source, talent.source),
        "registered_at": talent.registered_at.date().isoformat(),
        "phone": talent.phone,
        "email": talent.email,
    }
    names = [key for key, _ in COLUMNS + (CONTACT_COLUMNS if with_contacts else ())]
    return [_spreadsheet_safe(values[key]) for key in names]


def _spreadsheet_safe(value: str) -> str:
    # A cell starting with = + - @ is a formula to Excel (CSV injection): make it text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_talents(
    session: Session,
    selection: TalentSelection,
    *,
    actor: str,
    fmt: str = "csv",
    with_contacts: bool = False,
    index: TalentIndexCache | None = None,
    progress: Callable[[int], None] | None = None,
) -> ExportFile:
    """Return the selected talents who consent to being in the database, as a file.

    People imported but not yet confirmed, and those who withdrew, are left out whatever the
    filter. One audit entry names the filter, the format and every person exported.
    Raises ValueError for an unknown format.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")
    people = select_all(session, replace(selection, consent="yes"), index)
    header = [label for _, label in COLUMNS + (CONTACT_COLUMNS if with_contacts else ())]
    rows = []
    for talent in people:
        rows.append(_row(talent, with_contacts))
        if progress is not None:
            progress(1)
    audit.record_shown(
        session,
        actor,
        "export",
        [t.id for t in people],
        view="talent export",
        format=fmt,
        contacts=with_contacts,
        filters={k: v for k, v in asdict(selection).items() if v},
    )
    stamp = "huaicai-talents"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        # UTF-8 with BOM: Excel opens it as Chinese text rather than mojibake.
        content = buffer.getvalue().encode("utf-8-sig")
        return ExportFile(f"{stamp}.csv", "text/csv; charset=utf-8", content, len(rows))
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("人才")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return ExportFile(
        f"{stamp}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        output.getvalue(),
        len(rows),
    )
