"""The register import, step two: checking one row of the workbook.

The layout of the workbook (one person a row, the header as the template has it) and the check
of a row: every cell read as the page's form would take it (ID number with its checksum and
birth date, mobile number, the kinds as the page's choices), the building and the dwelling
looked up among those of the importer's scope. A row with any problem is refused with each
problem named (its column and the reason); a good row carries what the write needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from jiceng.core.bulk import LineError, refuse_empty, refuse_formulas
from jiceng.core.errors import UserError
from jiceng.core.personal import validate_id_number, validate_mobile
from jiceng.registry.models import Building, Dwelling, Person


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    hint: str = ""


# The layout communities keep (one person a row); the header row must read exactly so.
COLUMNS = (
    Column("name", "姓名", True, "如：张三"),
    Column("id_number", "公民身份号码", True, "18 位，末位可为 X；请设为文本格式"),
    Column("phone", "联系电话", False, "11 位手机号"),
    Column("ethnicity", "民族", False, "如：汉族"),
    Column(
        "residence_type",
        "人口类型",
        False,
        "户籍人口 / 常住人口（非户籍） / 流动人口；不填为户籍人口",
    ),
    Column(
        "relation", "与户主关系", False, "户主 / 配偶 / 子女 / 父母 / 孙辈 / 兄弟姐妹 / 租住 / 其他"
    ),
    Column("compound", "小区", True, "须为已登记的小区"),
    Column("building", "楼栋", True, "须为该小区已登记的楼栋，如：3栋"),
    Column("entrance", "单元", False, "如：1单元；无单元可不填"),
    Column("number", "房号", True, "须为该楼栋已登记的房号，如：502"),
    Column("note", "备注", False, ""),
)
HEADERS = [c.header for c in COLUMNS]
HEADER_OF = {c.key: c.header for c in COLUMNS}
RESIDENCE_TYPES = {str(label): value for value, label in Person.ResidenceType.choices}
RESIDENCE_TYPES.update(
    {"户籍": "registered", "常住": "resident", "常住人口": "resident", "流动": "floating"}
)
RELATIONS = {str(label): value for value, label in Person.Relation.choices}
# The ID number's hash comes from the field itself, so that the row's hash (to find the person)
# is the one saving would compute (and the new person's row is written with it).
ID_FIELD = Person._meta.get_field("id_number")


@dataclass
class GoodRow:
    row: int
    values: dict[str, Any]
    dwelling_id: int
    id_hash: str
    place: str  # the dwelling as the history names it (as Dwelling's str)


def _text(value: Any) -> str:
    if type(value) is str:  # most cells: no other test needed
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


class Places:
    """The buildings and dwellings the importer may write to, loaded once (names → ids)."""

    def __init__(self, scopes: list[str]):
        self.buildings: dict[tuple[str, str], int] = {}
        for pk, compound, name in Building.objects.within(*scopes).values_list(
            "pk", "compound__name", "name"
        ):
            self.buildings[(compound or "", name)] = pk
        self.dwellings: dict[tuple[int, str, str], tuple[int, str]] = {}
        for pk, building, entrance, number, scope in (
            Dwelling.objects.within(*scopes)
            .values_list("pk", "building_id", "entrance", "number", "scope_code")
            .iterator(chunk_size=10_000)
        ):
            self.dwellings[(building, entrance, number)] = (pk, scope)


def check_row(
    index: int, raw: tuple, places: Places, seen: dict[str, int], today: date | None = None
) -> tuple[GoodRow | None, list[LineError]]:
    """One row of the file: what the write needs, or every problem it has (``seen`` keeps the
    ID numbers of earlier rows, to refuse a repeat; ``today`` bounds the birth dates, the
    import's day by default)."""
    cells = {c.key: raw[i] if i < len(raw) else None for i, c in enumerate(COLUMNS)}
    texts = {key: _text(value) for key, value in cells.items()}  # each cell read as text once
    name = texts["name"][:50]
    errors: list[LineError] = []

    def bad(key: str, reason: str) -> None:
        errors.append(LineError(index, HEADER_OF[key], reason, name))

    refuse_formulas(cells, bad)
    if errors:
        return None, errors
    refuse_empty(texts, COLUMNS, bad, str)
    values: dict[str, Any] = {"name": name}
    raw_id = cells["id_number"]
    if isinstance(raw_id, int | float) and not isinstance(raw_id, bool):
        bad("id_number", _("身份证号被存成了数字，末几位可能已丢失；请将该列设为文本后重新填写。"))
    elif texts["id_number"]:
        try:
            info = validate_id_number(texts["id_number"], today=today)
        except UserError as exc:
            bad("id_number", exc.message)
        else:
            values.update(id_number=info.number, birth_date=info.birth_date, gender=info.gender)
            if info.number in seen:
                bad(
                    "id_number",
                    _("与第 %(row)d 行的身份证号重复。") % {"row": seen[info.number]},
                )
            else:
                seen[info.number] = index
    phone = texts["phone"]
    values["phone"] = None
    if phone:
        try:
            values["phone"] = validate_mobile(phone)
        except UserError as exc:
            bad("phone", exc.message)
    kind = texts["residence_type"]
    if kind and kind not in RESIDENCE_TYPES:
        bad("residence_type", _("未知的人口类型“%(v)s”。") % {"v": kind[:20]})
    values["residence_type"] = RESIDENCE_TYPES.get(kind, Person.ResidenceType.REGISTERED)
    relation = texts["relation"]
    if relation and relation not in RELATIONS:
        bad("relation", _("未知的与户主关系“%(v)s”。") % {"v": relation[:20]})
    values["relation"] = RELATIONS.get(relation, "")
    values["ethnicity"] = texts["ethnicity"][:20]
    values["note"] = texts["note"][:500]
    dwelling_id = 0
    place = ""
    compound, building = texts["compound"], texts["building"]
    if compound and building:
        building_id = places.buildings.get((compound, building))
        if building_id is None:
            bad(
                "building",
                _("在您的管辖范围内没有“%(c)s%(b)s”这栋楼。") % {"c": compound, "b": building},
            )
        elif texts["number"]:
            key = (building_id, texts["entrance"], texts["number"])
            found = places.dwellings.get(key)
            if found is None:
                bad(
                    "number",
                    _("%(b)s没有“%(e)s%(n)s”这套房屋，请先登记房屋。")
                    % {"b": compound + building, "e": key[1], "n": key[2]},
                )
            else:
                dwelling_id, values["scope_code"] = found
                place = f"{compound}{building}{key[1]}{key[2]}"
    if errors:
        return None, errors
    id_hash = ID_FIELD.hash_of(values["id_number"])
    return GoodRow(index, values, dwelling_id, id_hash, place), []
