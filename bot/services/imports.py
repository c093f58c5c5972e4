"""Import talents from a spreadsheet (XLSX or CSV): map columns, check every row, find people
already in the database, then add the rest as imported people who have not yet confirmed.

Imported people have no registration consent: matching, invitations and digests skip them
(they all ask for a consent) and the dashboard counts them apart until they confirm. Those whose
WeChat openid is known are asked, through the outbox, to confirm; that message is the only one
they can get before they do.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.models import (
    DuplicateStatus,
    ImportBatch,
    ImportDuplicate,
    Talent,
    TalentStatus,
)
from bot.services import audit, outbox, talents
from bot.services.talent_records import TIES, merge
from bot.validators import ValidationError
from matching import recognise_origin

MAX_ROWS = 20_000
MAX_COLUMNS = 60
# Header words recognised for each field (compared without spaces, case-insensitively).
FIELD_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "name"),
    "phone": ("手机", "手机号", "手机号码", "电话", "联系电话", "mobile", "phone"),
    "email": ("邮箱", "电子邮箱", "email", "e-mail", "mail"),
    "employer": ("工作单位", "单位", "公司", "employer", "organization"),
    "city": ("工作城市", "城市", "所在城市", "现居城市", "city"),
    "title": ("职务", "职称", "职务/职称", "职务职称", "title"),
    "education": ("学历", "最高学历", "education"),
    "expertise": ("专业领域", "研究方向", "专业", "专长", "expertise"),
    "origin_text": ("籍贯", "家乡", "老家", "origin"),
    "ties": ("焦作关系", "与焦作关系", "关系", "ties"),
    "openid": ("openid", "微信openid"),
}
FIELD_LABELS = {
    "name": "姓名",
    "phone": "手机",
    "email": "邮箱",
    "employer": "工作单位",
    "city": "工作城市",
    "title": "职务/职称",
    "education": "学历",
    "expertise": "专业领域",
    "origin_text": "籍贯",
    "ties": "与焦作的关系",
    "openid": "微信 openid",
}
TIE_WORDS = {
    "born": ("出生", "祖籍", "籍贯", "老家", "出身", "born"),
    "studied": ("求学", "校友", "毕业", "读书", "上学", "studied"),
    "worked": ("工作", "任职", "工作过", "worked"),
    "family": ("亲属", "家属", "家人", "配偶", "父母", "family"),
}
EDUCATION_ALIASES = {"研究生": "硕士", "学士": "本科", "专科": "大专", "博士研究生": "博士"}
NAME_SIMILAR = 66  # one character off in a three-character name
EMPLOYER_SIMILAR = 85
CONFIRM_TEXT = (
    "您好！这里是焦作市“怀才”人才库。{source}把您的信息推荐给了我们，"
    "在您确认之前，我们不会给您推送任何活动或需求。"
    "回复“确认入库”查看这些资料并确认，回复“注销”即可删除全部信息。"
)


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    problem: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "problem": self.problem}


@dataclass
class DuplicateCandidate:
    row: int
    fields: dict[str, Any]
    talent_id: int
    talent_name: str
    score: float
    reasons: list[str]


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    filename: str
    total_rows: int = 0
    ready: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    duplicates: list[DuplicateCandidate] = field(default_factory=list)
    dry_run: bool = True
    batch_id: int | None = None
    invited: int = 0

    @property
    def rejected_rows(self) -> int:
        return len({p.row for p in self.problems})


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]


def _file_error(message_zh: str, message_en: str) -> ValidationError:
    return ValidationError("file", message_zh, message_en)


def read_table(data: bytes, filename: str) -> Table:
    """Read the first sheet of an XLSX file, or a CSV file (UTF-8 or GB18030), as text cells.

    Raises ValidationError when the file cannot be read, is empty or is too large.
    """
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        rows = _read_xlsx(data)
    elif suffix in (".csv", ".txt"):
        rows = _read_csv(data)
    else:
        raise _file_error("只支持 .xlsx 或 .csv 文件。", f"unsupported file type {suffix!r}")
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise _file_error("文件里没有数据。", "the file has no rows")
    if len(rows) - 1 > MAX_ROWS:
        raise _file_error(f"一次最多导入{MAX_ROWS}行，请拆分文件。", f"more than {MAX_ROWS} rows")
    headers = [cell.strip() for cell in rows[0][:MAX_COLUMNS]]
    body = [(row + [""] * len(headers))[: len(headers)] for row in rows[1:]]
    return Table(headers, body)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Phone numbers typed into Excel arrive as 13812345678.0.
        return str(int(value))
    return str(value).strip()


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise _file_error("无法读取这个 Excel 文件，请另存为 .xlsx 后再试。", str(exc)) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for number, row in enumerate(sheet.iter_rows(values_only=True)):
            if number > MAX_ROWS + 1:
                raise _file_error(f"一次最多导入{MAX_ROWS}行，请拆分文件。", "too many rows")
            rows.append([_cell(value) for value in row[:MAX_COLUMNS]])
        return rows
    finally:
        workbook.close()


def _read_csv(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise _file_error("文件编码无法识别，请保存为 UTF-8。", "unknown encoding")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]


def _header_key(header: str) -> str:
    return "".join(header.split()).lower()


def guess_mapping(headers: list[str]) -> dict[int, str]:
    """Return column index → field for the headers we recognise (first column wins)."""
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        key = _header_key(header)
        for name, words in FIELD_HEADERS.items():
            if name not in taken and key in {_header_key(w) for w in words}:
                mapping[index] = name
                taken.add(name)
                break
    return mapping


def parse_ties(text: str) -> list[str]:
    """Return the ties named in ``text`` (出生;求学 → born, studied), in canonical order."""
    found = {tie for tie, words in TIE_WORDS.items() if any(word in text for word in words)}
    return [tie for tie in TIES if tie in found]


def _clean_row(
    row: list[str],
    mapping: dict[int, str],
    headers: list[str],
    default_ties: list[str],
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Return the cleaned fields of one row and its problems (column header, problem)."""
    raw = {name: row[index] for index, name in mapping.items() if index < len(row)}
    column_of = {name: headers[index] for index, name in mapping.items()}
    problems: list[tuple[str, str]] = []
    fields: dict[str, Any] = {}
    for name in ("name", "phone", "email", "employer", "city", "title", "expertise", "education"):
        value = raw.get(name, "").strip()
        if name == "education":
            value = EDUCATION_ALIASES.get(value, value)
        if not value and name != "name":
            continue
        try:
            fields.update(talents.clean_fields({name: value}))
        except ValidationError as exc:
            problems.append((column_of.get(name, FIELD_LABELS[name]), exc.message_zh))
    ties = list(default_ties)
    origin = raw.get("origin_text", "").strip()
    if origin:
        fields["origin_text"] = origin[:100]
        candidates = recognise_origin(origin)
        best = candidates[0] if candidates else None
        if best is not None and best.in_jiaozuo and best.confidence >= 0.7:
            fields["origin_code"] = best.code
            fields["origin_name"] = best.name
            ties.append("born")
    if raw.get("ties", "").strip():
        named = parse_ties(raw["ties"])
        if not named:
            problems.append(
                (column_of["ties"], "看不懂这里写的关系，请写出生/祖籍、求学、工作或亲属。")
            )
        ties.extend(named)
    fields["ties"] = [tie for tie in TIES if tie in set(ties)]
    openid = raw.get("openid", "").strip()
    if openid:
        if len(openid) > 64 or not openid.replace("-", "").replace("_", "").isalnum():
            problems.append((column_of["openid"], "openid 格式不对。"))
        else:
            fields["openid"] = openid
    return fields, problems


@dataclass
class _Known:
    id: int
    name: str
    phone: str
    email: str
    employer: str
    openid: str | None


class _Directory:
    """The talents already stored, indexed for duplicate checks of many rows."""

    def __init__(self, session: Session) -> None:
        rows = session.execute(
            select(
                Talent.id, Talent.name, Talent.phone, Talent.email, Talent.employer, Talent.openid
            ).where(Talent.status == TalentStatus.ACTIVE)
        ).all()
        self.known = [_Known(*row) for row in rows]
        self.by_phone: dict[str, list[_Known]] = {}
        self.by_email: dict[str, list[_Known]] = {}
        self.by_name: dict[str, list[_Known]] = {}
        self.by_openid: dict[str, _Known] = {}
        for person in self.known:
            self.add(person)

    def add(self, person: _Known) -> None:
        if person.phone:
            self.by_phone.setdefault(person.phone, []).append(person)
        if person.email:
            self.by_email.setdefault(person.email.lower(), []).append(person)
        self.by_name.setdefault(person.name, []).append(person)
        if person.openid:
            self.by_openid[person.openid] = person

    def match(self, fields: dict[str, Any]) -> tuple[_Known, float, list[str]] | None:
        """Return the most likely stored person for a row, with a score and reasons."""
        name = fields.get("name", "")
        candidates: dict[int, _Known] = {}
        for person in self.by_phone.get(fields.get("phone", ""), []):
            candidates[person.id] = person
        for person in self.by_email.get(fields.get("email", "").lower(), []):
            candidates[person.id] = person
        for person in self.by_name.get(name, []):
            candidates[person.id] = person
        if fields.get("employer") and len(self.known) < 50_000:
            # Same employer and a similar name: typos in either list (王建国 / 王建囯).
            for person in self.known:
                if person.id not in candidates and person.employer and person.name[:1] == name[:1]:
                    if fuzz.ratio(person.employer, fields["employer"]) >= EMPLOYER_SIMILAR:
                        candidates[person.id] = person
        best: tuple[_Known, float, list[str]] | None = None
        for person in candidates.values():
            scored = _similarity(person, fields)
            if scored is not None and (best is None or scored[0] > best[1]):
                best = (person, *scored)
        return best


def _similarity(person: _Known, fields: dict[str, Any]) -> tuple[float, list[str]] | None:
    name = fields.get("name", "")
    name_score = fuzz.ratio(person.name, name)
    if (
        name_score < NAME_SIMILAR
        and len(name) == len(person.name)
        and name[:1] == person.name[:1]
        and Levenshtein.distance(name, person.name) == 1
    ):
        # Same surname, one character off: 刘洋 / 刘样 (ratio 50 on two characters).
        name_score = NAME_SIMILAR
    reasons = []
    if name_score == 100:
        reasons.append("姓名相同")
    elif name_score >= NAME_SIMILAR:
        reasons.append(f"姓名相近（{person.name}）")
    same_phone = bool(fields.get("phone")) and person.phone == fields.get("phone")
    same_email = (
        bool(fields.get("email")) and person.email.lower() == fields.get("email", "").lower()
    )
    employer_score = (
        fuzz.ratio(person.employer, fields["employer"])
        if person.employer and fields.get("employer")
        else 0
    )
    if same_phone:
        reasons.append("手机相同")
    if same_email:
        reasons.append("邮箱相同")
    if employer_score == 100:
        reasons.append("单位相同")
    elif employer_score >= EMPLOYER_SIMILAR:
        reasons.append(f"单位相近（{person.employer}）")
    contact = same_phone or same_email or employer_score >= EMPLOYER_SIMILAR
    if name_score >= NAME_SIMILAR and contact:
        return (
            name_score + max(100 if same_phone or same_email else 0, employer_score)
        ) / 2, reasons
    if same_phone or same_email:
        # The same phone under another name: still worth a look, with a lower score.
        return 50.0 + name_score / 4, reasons
    return None


def plan_import(
    session: Session,
    table: Table,
    mapping: dict[int, str],
    *,
    filename: str,
    default_ties: Iterable[str] = (),
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Check every row without writing anything: what would be added, rejected, or reviewed.

    Raises ValidationError when the mapping has no name column or maps one field twice.
    """
    fields_mapped = list(mapping.values())
    if "name" not in fields_mapped:
        raise _file_error("请指定哪一列是姓名。", "no column is mapped to name")
    twice = {name for name in fields_mapped if fields_mapped.count(name) > 1}
    if twice:
        labels = "、".join(FIELD_LABELS.get(name, name) for name in sorted(twice))
        raise _file_error(f"这些项对应了不止一列：{labels}。", f"mapped twice: {sorted(twice)}")
    ties = [tie for tie in TIES if tie in set(default_ties)]
    report = ImportReport(filename=filename, total_rows=len(table.rows))
    directory = _Directory(session)
    seen_in_file: dict[tuple[str, str], int] = {}
    for offset, row in enumerate(table.rows):
        number = offset + 2  # the spreadsheet's own row number (row 1 holds the headers)
        fields, problems = _clean_row(row, mapping, table.headers, ties)
        if progress is not None:
            progress(1)
        if problems:
            report.problems.extend(Problem(number, column, text) for column, text in problems)
            continue
        contact = fields.get("phone") or fields.get("email") or fields.get("employer", "")
        key = (fields["name"], contact)
        if contact and key in seen_in_file:
            report.problems.append(
                Problem(number, "姓名", f"与第{seen_in_file[key]}行是同一个人，只导入一次。")
            )
            continue
        seen_in_file[key] = number
        if fields.get("openid") and fields["openid"] in directory.by_openid:
            known = directory.by_openid[fields["openid"]]
            report.duplicates.append(
                DuplicateCandidate(number, fields, known.id, known.name, 100.0, ["微信相同"])
            )
            continue
        found = directory.match(fields)
        if found is not None:
            known, score, reasons = found
            report.duplicates.append(
                DuplicateCandidate(number, fields, known.id, known.name, round(score, 1), reasons)
            )
            continue
        report.ready.append((number, fields))
    return report


def run_import(
    session: Session,
    table: Table,
    mapping: dict[int, str],
    *,
    filename: str,
    actor: str,
    source_label: str = "",
    default_ties: Iterable[str] = (),
    dry_run: bool = True,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Plan the import and, unless ``dry_run``, add the new people and keep the duplicates
    for review (one audit entry for the batch, one per person added)."""
    report = plan_import(
        session, table, mapping, filename=filename, default_ties=default_ties, progress=progress
    )
    report.dry_run = dry_run
    if dry_run:
        return report
    source_label = source_label.strip()[:100]
    batch = ImportBatch(
        filename=Path(filename).name[:200],
        actor=actor,
        source_label=source_label,
        total_rows=report.total_rows,
        imported=len(report.ready),
        rejected=report.rejected_rows,
        duplicates=len(report.duplicates),
        problems=[problem.as_dict() for problem in report.problems],
        created_at=utcnow(),
    )
    session.add(batch)
    session.flush()
    report.batch_id = batch.id
    for _number, fields in report.ready:
        add_imported(session, fields, actor=actor, batch=batch)
        if fields.get("openid"):
            report.invited += 1
    for candidate in report.duplicates:
        session.add(
            ImportDuplicate(
                batch_id=batch.id,
                row_number=candidate.row,
                fields=candidate.fields,
                talent_id=candidate.talent_id,
                score=candidate.score,
                reasons=candidate.reasons,
                status=DuplicateStatus.PENDING,
            )
        )
    audit.record(
        session,
        actor,
        "import",
        "import_batch",
        batch.id,
        rows=report.total_rows,
        imported=len(report.ready),
        rejected=report.rejected_rows,
        duplicates=len(report.duplicates),
    )
    session.flush()
    return report


def add_imported(
    session: Session, fields: dict[str, Any], *, actor: str, batch: ImportBatch
) -> Talent:
    """Add one imported person (not yet consenting); ask them to confirm when reachable."""
    values = dict(fields)
    ties = values.pop("ties", [])
    openid = values.pop("openid", None)
    talent = talents.create_talent(
        session,
        openid=openid,
        source="import",
        actor=actor,
        is_from_jiaozuo=bool(ties),
        **values,
    )
    talent.ties = list(ties)
    # Imported people have not written to us: no customer-service window is open.
    talent.last_interaction_at = None
    talent.is_following = False
    if openid:
        outbox.enqueue(
            session,
            kind="text",
            openid=openid,
            payload={
                "content": CONFIRM_TEXT.format(source=batch.source_label or "您的校友会或单位")
            },
            dedupe_key=f"import-confirm:{openid}",
            # Sent on our initiative: it waits outside quiet hours.
            proactive=True,
        )
    return talent


def pending_duplicates(session: Session, limit: int = 100) -> list[ImportDuplicate]:
    """Return imported rows waiting for an organiser's decision, oldest first."""
    query = (
        select(ImportDuplicate)
        .where(ImportDuplicate.status == DuplicateStatus.PENDING)
        .order_by(ImportDuplicate.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def decide_duplicate(
    session: Session, duplicate: ImportDuplicate, decision: DuplicateStatus, *, actor: str
) -> Talent | None:
    """Settle an imported row that looked like a stored talent: merge it into that talent,
    add it as a new person, or skip it. The row's personal values are dropped either way.

    Raises ValidationError when it was already decided.
    """
    if duplicate.status != DuplicateStatus.PENDING:
        raise ValidationError("status", "这一条已经处理过了。", "already decided")
    batch = session.get(ImportBatch, duplicate.batch_id)
    existing = session.get(Talent, duplicate.talent_id)
    result: Talent | None = None
    if decision == DuplicateStatus.ADDED and batch is not None:
        fields = dict(duplicate.fields)
        if fields.get("openid") and existing is not None and existing.openid == fields["openid"]:
            raise ValidationError("openid", "同一个微信不能登记两次，请选择合并。", "same openid")
        result = add_imported(session, fields, actor=actor, batch=batch)
    elif decision == DuplicateStatus.MERGED and existing is not None and batch is not None:
        incoming = (
            add_imported(session, dict(duplicate.fields), actor=actor, batch=batch)
            if (not duplicate.fields.get("openid") or not existing.openid)
            else None
        )
        if incoming is not None:
            result = merge(session, existing, incoming, actor=actor)
        else:
            result = existing
    duplicate.status = decision
    duplicate.fields = {}
    duplicate.decided_by = actor
    duplicate.decided_at = utcnow()
    audit.record(session, actor, str(decision), "import_duplicate", duplicate.id)
    return result


def recent_batches(session: Session, limit: int = 20) -> list[ImportBatch]:
    """Return the latest imports, newest first."""
    return list(session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit)))
