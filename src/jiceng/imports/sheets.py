"""The sheets of the going-live workbook: what each holds (its columns), how a row is checked,
and how a chunk of good rows is written.

One workbook may hold any of the sheets, by name; they are read in the order below, so that a
party organization can name a unit of the first sheet, a member an organization and an account
of the sheets before it. A row names what it refers to by name (or code) as a district's Excel
has it; a name must be known, in the database or in an earlier good row of the file. Each row's
check is the page's rule for the same record (a member goes into a branch, a group or a general
branch; a role is given at the levels the role allows; a venue's opening hours parse as its page
parses them); a row whose record exists and reads the same changes nothing, so importing the same
file twice changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.models import User
from jiceng.accounts.roles import ADMIN_ROLES, ROLES, Role
from jiceng.accounts.services import staff_import
from jiceng.cases.models import CaseCategory
from jiceng.cases.workflow import Triage
from jiceng.community.models import VolunteerTeam
from jiceng.core import xlsx
from jiceng.core.bulk import LineError, Tally, bulk_insert, refuse_empty, refuse_formulas
from jiceng.core.errors import UserError
from jiceng.core.fields import lookup_hash, lookup_hashes
from jiceng.core.personal import normalize_id_number, validate_id_number
from jiceng.core.scope import at_most, covers
from jiceng.geo.models import Division
from jiceng.partners.models import Partner
from jiceng.party.models import Member, PartyOrg
from jiceng.party.services import members_import, orgs_import
from jiceng.registry.models import Person
from jiceng.venues.hours import parse_week
from jiceng.venues.models import Venue
from jiceng.venues.services import owner_in_street, venue_fields, venues_import

MAX_ROWS = 200_000


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    hint: str = ""


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()
    return str(value).strip()


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = text(value).replace("/", "-").replace(".", "-")
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", raw) or re.fullmatch(
        r"(\d{4})年(\d{1,2})月(\d{1,2})日", raw
    )
    if not match:
        raise ValueError(raw)
    day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if not date(1900, 1, 1) <= day <= date(2100, 12, 31):
        raise ValueError(raw)
    return day


def _labels(choices) -> dict[str, str]:
    """Choice labels (and values) to values: what a person writes in the cell."""
    out = {str(label): value for value, label in choices}
    out.update({value: value for value, _label in choices})
    return out


@dataclass
class Context:
    """What the checks look names up in: loaded once per import, extended by each good row."""

    district: Division
    by: Any
    divisions: dict[str, tuple[int, str]] = field(default_factory=dict)  # code -> (id, level)
    partners: dict[str, list[tuple[int | None, str, str]]] = field(default_factory=dict)
    # name -> (id, kind, scope code)
    orgs: dict[str, tuple[int | None, str, str]] = field(default_factory=dict)
    users: dict[str, tuple[int | None, str]] = field(default_factory=dict)  # username -> (id, name)
    categories: dict[str, int | None] = field(default_factory=dict)  # code -> id
    seen: dict[tuple, int] = field(default_factory=dict)  # (sheet, key) -> row
    # the workbook (its member sheet's ID numbers are looked up at once, not row by row)
    path: Any = None
    # ID-number hash -> (name of the member who has it, name of the resident who has it), for
    # the numbers of the file (loaded when the first member row with a number is checked)
    known_ids: dict[str, tuple[str | None, str | None]] | None = None
    row: int = 0  # the row being checked
    users_read: bool = False  # the workbook's usernames have been looked up

    @classmethod
    def load(cls, district: Division, by) -> Context:
        ctx = cls(district=district, by=by)
        for pk, code, level in Division.objects.filter(code__startswith=district.code).values_list(
            "pk", "code", "level"
        ):
            ctx.divisions[code] = (pk, level)
        for pk, name, kind, scope in Partner.objects.filter(
            scope_code__startswith=district.code
        ).values_list("pk", "name", "kind", "scope_code"):
            ctx.partners.setdefault(name, []).append((pk, kind, scope))
        for pk, name, kind, scope in PartyOrg.objects.filter(
            scope_code__startswith=district.code
        ).values_list("pk", "name", "kind", "scope_code"):
            ctx.orgs[name] = (pk, kind, scope)
        ctx.categories = dict(CaseCategory.objects.values_list("code", "pk"))
        return ctx

    def user(self, username: str) -> tuple[int | None, str] | None:
        key = username.lower()
        if key not in self.users and not self.users_read:
            self.users_read = True
            self.users.update(self.users_of_file())
        if key not in self.users:  # not in the prefetch (a row checked on its own)
            self.users.update(known_users([key]))
        return self.users[key]

    def users_of_file(self) -> dict[str, tuple[int, str] | None]:
        """The accounts every username column of the workbook names, read the first time a row
        names one: one query per 2,000 names, not one a row."""
        if self.path is None:
            return {}
        present = set(xlsx.sheet_names(self.path))
        names: set[str] = set()
        for sheet in SHEETS:
            keys = [c.key for c in sheet.columns]
            if sheet.name not in present or "username" not in keys:
                continue
            column = keys.index("username")
            rows = xlsx.read_rows(self.path, sheet=sheet.name, max_col=len(keys), max_row=MAX_ROWS)
            try:
                for index, raw in rows:
                    value = text(raw[column]) if index > 1 and len(raw) > column else ""
                    if value:
                        names.add(value.lower())
            except (xlsx.NotAWorkbook, xlsx.TooManyRows):
                pass  # the rows' own reading reports it; what was read is prefetched
        return known_users(sorted(names))

    def partner(self, name: str) -> tuple[int | None, str, str] | None:
        found = self.partners.get(name) or []
        return found[0] if len(found) == 1 else None


def known_users(keys: list[str]) -> dict[str, tuple[int, str] | None]:
    """Lower-cased usernames -> (id, full name) of their accounts, None where there is none."""
    found: dict[str, tuple[int, str] | None] = dict.fromkeys(keys)
    for i in range(0, len(keys), 2000):
        for pk, username, full_name in (
            User.objects.alias(key=Lower("username"))
            .filter(key__in=keys[i : i + 2000])
            .values_list("pk", "username", "full_name")
        ):
            found[username.lower()] = (pk, full_name)
    return found


class Sheet:
    """One sheet: its name (the tab's title), columns, check and write."""

    name = ""
    columns: tuple[Column, ...] = ()
    # roles (values) that may import this sheet
    roles: frozenset[str] = frozenset({"system_admin", "district_staff"})

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def cells(self, raw: tuple) -> dict[str, Any]:
        return {c.key: raw[i] if i < len(raw) else None for i, c in enumerate(self.columns)}

    def check(self, index: int, raw: tuple, ctx: Context) -> tuple[Any, list[LineError]]:
        cells = self.cells(raw)
        header = {c.key: c.header for c in self.columns}
        name = text(cells.get(self.columns[0].key))[:50]
        errors: list[LineError] = []

        def bad(key: str, reason: str) -> None:
            errors.append(LineError(index, header[key], reason, name))

        ctx.row = index
        refuse_formulas(cells, bad)
        if errors:
            return None, errors
        refuse_empty(cells, self.columns, bad, text)
        if errors:
            return None, errors
        values = self.check_values({k: cells[k] for k in cells}, ctx, bad)
        if errors or values is None:
            return None, errors
        key = (self.name, values.pop("_key"))
        if key in ctx.seen:
            bad(self.columns[0].key, _("与第 %(row)d 行重复。") % {"row": ctx.seen[key]})
            return None, errors
        ctx.seen[key] = index
        self.remember(values, ctx)
        values["_row"] = index
        return values, []

    def check_values(self, cells: dict, ctx: Context, bad) -> dict | None:  # pragma: no cover
        raise NotImplementedError

    def remember(self, values: dict, ctx: Context) -> None:
        """Make the row's record known to later rows (before it is written)."""

    def apply(self, rows: list[dict], ctx: Context) -> Tally:  # pragma: no cover
        raise NotImplementedError

    # shared lookups
    def division(self, cells, key, ctx, bad, levels: tuple[str, ...]) -> Division | None:
        code = text(cells[key])
        found = ctx.divisions.get(code)
        if found is None:
            bad(key, _("本区没有区划代码“%(code)s”。") % {"code": code[:20]})
            return None
        if found[1] not in levels:
            bad(key, _("区划“%(code)s”的层级不适用于这一行。") % {"code": code})
            return None
        return found  # type: ignore[return-value]

    def partner_of(self, cells, key, ctx, bad):
        name = text(cells[key])
        if not name:
            return None
        found = ctx.partner(name)
        if found is None:
            if len(ctx.partners.get(name) or []) > 1:
                bad(key, _("本区有多个名为“%(n)s”的单位。") % {"n": name})
            else:
                bad(key, _("没有名为“%(n)s”的单位；请先在“单位”表中填写。") % {"n": name})
        return found


def _existing(model, keys: list[tuple], fields: tuple[str, ...], key_fields: tuple[str, ...]):
    """Known rows by their key, as dicts of the compared fields (one query per chunk)."""
    if not keys:
        return {}
    first = {k[0] for k in keys}
    rows = model.objects.filter(**{f"{key_fields[0]}__in": first}).values(
        "pk", *key_fields, *fields
    )
    wanted = set(keys)
    return {
        tuple(r[f] for f in key_fields): r
        for r in rows
        if tuple(r[f] for f in key_fields) in wanted
    }


def _upsert(model, rows: list[dict], key_fields, fields, make, tally: Tally) -> list:
    """New rows inserted in bulk, changed rows updated, the same rows left alone."""
    keys = [tuple(r[f] for f in key_fields) for r in rows]
    known = _existing(model, keys, fields, key_fields)
    new, changed = [], []
    now = timezone.now()
    for row, key in zip(rows, keys, strict=True):
        old = known.get(key)
        if old is None:
            new.append(make(row))
            continue
        diff = [f for f in fields if old[f] != row[f]]
        if not diff:
            tally.unchanged += 1
            continue
        obj = model(pk=old["pk"], **{f: row[f] for f in fields})
        obj.updated_at = now
        changed.append(obj)
    bulk_insert(model, new)
    if changed:
        model.objects.bulk_update(changed, [*fields, "updated_at"], batch_size=1000)
    tally.created += len(new)
    tally.updated += len(changed)
    return new


# --- 单位 ------------------------------------------------------------------------------------------


class Units(Sheet):
    name = "单位"
    columns = (
        Column("name", "名称", True, "如：区住建局、某某物业公司"),
        Column(
            "kind",
            "类型",
            True,
            "职能部门 / 机关事业单位 / 企业 / 社会组织 / 物业服务企业 / 业主委员会",
        ),
        Column("division", "所在区划代码", True, "区县 6 位、街道 9 位或社区 12 位"),
        Column("credit_code", "统一社会信用代码", False, "18 位，可不填"),
    )
    KINDS = _labels(Partner.Kind.choices)

    def check_values(self, cells, ctx, bad):
        kind = self.KINDS.get(text(cells["kind"]))
        if kind is None:
            bad("kind", _("未知的单位类型“%(v)s”。") % {"v": text(cells["kind"])[:20]})
        where = self.division(cells, "division", ctx, bad, ("district", "street", "community"))
        credit = text(cells["credit_code"]).upper()
        if credit and not re.fullmatch(r"[0-9A-HJ-NPQRTUWXY]{18}", credit):
            bad("credit_code", _("统一社会信用代码应为 18 位数字或大写字母。"))
        if kind is None or where is None:
            return None
        name = text(cells["name"])[:100]
        code = text(cells["division"])
        return {"_key": (code, name), "name": name, "kind": kind, "credit_code": credit,
                "division_id": where[0], "scope_code": code}  # fmt: skip

    def remember(self, values, ctx):
        places = ctx.partners.setdefault(values["name"], [])
        if not any(p[2] == values["scope_code"] for p in places):
            places.append((None, values["kind"], values["scope_code"]))

    def apply(self, rows, ctx):
        tally = Tally()
        new = _upsert(
            Partner, rows, ("scope_code", "name"), ("kind", "credit_code", "division_id"),
            lambda r: Partner(name=r["name"], kind=r["kind"], credit_code=r["credit_code"],
                              division_id=r["division_id"], scope_code=r["scope_code"]),
            tally,
        )  # fmt: skip
        for p in new:
            ctx.partners[p.name] = [
                (p.pk, k, s) if s == p.scope_code else (pk, k, s)
                for pk, k, s in ctx.partners.get(p.name, [])
            ]
        return tally


# --- 党组织 -----------------------------------------------------------------------------------------


class Orgs(Sheet):
    name = "党组织"
    columns = (
        Column("name", "名称", True, "全称，本区内不重复，如：中共公园社区委员会"),
        Column("kind", "类型", True, "党委 / 党工委 / 党总支 / 党支部 / 党小组"),
        Column("parent", "上级党组织", False, "上级的名称（须已存在或在本表上方）；最上级可不填"),
        Column("division", "所在区划代码", True, "街道 9 位、社区 12 位或网格 15 位"),
        Column("partner", "所属单位", False, "单位党组织填单位名称"),
        Column("theme_day", "主题党日", False, "每月几日（1–28），可不填"),
    )
    KINDS = _labels(PartyOrg.Kind.choices)

    def check_values(self, cells, ctx, bad):
        kind = self.KINDS.get(text(cells["kind"]))
        if kind is None:
            bad("kind", _("未知的党组织类型“%(v)s”。") % {"v": text(cells["kind"])[:20]})
        where = self.division(
            cells, "division", ctx, bad, ("district", "street", "community", "grid")
        )
        parent = text(cells["parent"])
        if parent and parent not in ctx.orgs:
            bad(
                "parent", _("没有名为“%(n)s”的党组织（上级须在本表上方或已登记）。") % {"n": parent}
            )
        partner = self.partner_of(cells, "partner", ctx, bad)
        day = text(cells["theme_day"])
        if day and not (day.isdigit() and 1 <= int(day) <= 28):
            bad("theme_day", _("主题党日应为每月 1 至 28 日中的一天。"))
        name = text(cells["name"])[:100]
        if kind is None or where is None:
            return None
        above = ctx.orgs.get(parent) if parent else None
        if above is not None and not covers([at_most(above[2], "street")], text(cells["division"])):
            bad("parent", _("党组织应与上级党组织在同一街道。"))
            return None
        return {"_key": name, "name": name, "kind": kind, "parent_name": parent,
                "division_id": where[0], "scope_code": text(cells["division"]),
                "partner_id": partner[0] if partner else None,
                "partner_name": text(cells["partner"]),
                "theme_day": int(day) if day else None}  # fmt: skip

    def remember(self, values, ctx):
        if values["name"] not in ctx.orgs:
            ctx.orgs[values["name"]] = (None, values["kind"], values["scope_code"])

    def apply(self, rows, ctx):
        for row in rows:  # a unit of the same file has its id once written
            if row["partner_id"] is None and row["partner_name"]:
                row["partner_id"] = (ctx.partner(row["partner_name"]) or (None,))[0]
        created, updated, unchanged, ids = orgs_import(by=ctx.by, rows=rows, note="上线导入")
        for row in rows:
            ctx.orgs[row["name"]] = (ids[row["name"]], row["kind"], row["scope_code"])
        return Tally(created=created, updated=updated, unchanged=unchanged)


# --- 工作人员 ---------------------------------------------------------------------------------------

STAFF_ROLES = {
    str(Role(r).label): r for r in Role.values if ROLES[r].staff and r not in ADMIN_ROLES
}
USERNAME = re.compile(r"^[\w.@+-]{3,150}$")


class Staff(Sheet):
    name = "工作人员"
    columns = (
        Column("full_name", "姓名", True, ""),
        Column("username", "用户名", True, "登录用的账号名，本系统内唯一；字母、数字或 _ . @ + -"),
        Column("role", "角色", True, "、".join(STAFF_ROLES)),
        Column("division", "所在区划代码", False, "网格员填网格 15 位，社区工作者填社区 12 位，街道工作人员填街道 9 位"),
        Column("unit", "所在单位", False, "职能部门、共建单位工作人员填单位名称"),
        Column("password", "初始密码", False, "可不填（由安全管理员重置）；填写的须符合密码规则，首次登录须修改"),
    )  # fmt: skip
    # accounts and roles are the security administrator's (三员分立, accounts/roles.py)
    roles = frozenset({"security_admin"})

    def check_values(self, cells, ctx, bad):
        username = text(cells["username"])
        full_name = text(cells["full_name"])[:64]
        if not USERNAME.match(username):
            bad("username", _("用户名应为 3 个以上的字母、数字或 _ . @ + -。"))
            return None
        role = STAFF_ROLES.get(text(cells["role"]))
        if role is None:
            bad("role", _("未知或不能导入的角色“%(v)s”。") % {"v": text(cells["role"])[:20]})
            return None
        known = ctx.user(username)
        if known is not None and known[1] != full_name:
            bad(
                "username", _("账号“%(u)s”已被他人（%(n)s）使用。") % {"u": username, "n": known[1]}
            )
        info = ROLES[role]
        division_id = unit_id = None
        scope = ""
        if info.unit_kinds:
            unit = self.partner_of(cells, "unit", ctx, bad) if text(cells["unit"]) else None
            if not text(cells["unit"]):
                bad("unit", _("“%(r)s”须填写所在单位。") % {"r": text(cells["role"])})
            elif unit is not None and unit[1] not in info.unit_kinds:
                bad("unit", _("“%(r)s”不能属于这类单位。") % {"r": text(cells["role"])})
            elif unit is not None:
                unit_id, scope = unit[0], unit[2]
        else:
            if not text(cells["division"]):
                bad("division", _("“%(r)s”须填写所在区划代码。") % {"r": text(cells["role"])})
            else:
                where = self.division(cells, "division", ctx, bad, info.levels)
                if where is not None:
                    division_id, scope = where[0], text(cells["division"])
        password = text(cells["password"])
        if password:
            try:
                validate_password(password, User(username=username, full_name=full_name))
            except ValidationError as exc:
                bad("password", "；".join(exc.messages))
        if not scope:
            return None
        return {"_key": (username.lower(), role, scope), "username": username,
                "full_name": full_name, "role": role, "division_id": division_id,
                "unit_id": unit_id, "unit_name": text(cells["unit"]), "scope_code": scope,
                "password": password}  # fmt: skip

    def remember(self, values, ctx):
        key = values["username"].lower()
        if ctx.users.get(key) is None:
            ctx.users[key] = (None, values["full_name"])

    def apply(self, rows, ctx):
        for row in rows:  # a unit of the same file has its id once written
            if row["unit_id"] is None and row["unit_name"]:
                row["unit_id"] = (ctx.partner(row["unit_name"]) or (None,))[0]
        created, unchanged = staff_import(by=ctx.by, rows=rows, note="上线导入")
        # the accounts with their ids, for the members who name them
        ctx.users.update(known_users(sorted({row["username"].lower() for row in rows})))
        return Tally(created=created, unchanged=unchanged)


# --- 党员 ------------------------------------------------------------------------------------------


class Members(Sheet):
    name = "党员"
    columns = (
        Column("name", "姓名", True, ""),
        Column("org", "所在党组织", True, "党支部、党小组或党总支的名称"),
        Column("management_type", "管理类型", False, "直管党员 / 在职党员（联管） / 流动党员（代管） / 退休党员（双管）；不填为直管"),
        Column("standing", "党员类别", False, "正式党员 / 预备党员；不填为正式党员"),
        Column("joined_at", "入党日期", True, "如：2010-07-01"),
        Column("income_kind", "收入类别", False, "在职（工资收入） / 离退休（养老金） / 农民 / 学生 / 无固定收入"),
        Column("dues_base", "党费计算基数（元/月）", False, "如：5200"),
        Column("work_unit", "工作单位", False, ""),
        Column("username", "账号", False, "已有或“工作人员”表中的用户名，可不填"),
        Column("id_number", "公民身份号码", False, "18 位；填写的按号码匹配已有党员和居民库，加密保存，报告中不显示"),
    )  # fmt: skip
    MANAGEMENT = _labels(Member.ManagementType.choices) | {
        "直管": "direct", "在职": "in_service", "联管": "in_service", "流动": "floating",
        "代管": "floating", "退休": "retired", "双管": "retired",
    }  # fmt: skip
    STANDING = _labels(Member.Standing.choices) | {"正式": "full", "预备": "probationary"}
    INCOME = _labels(Member.IncomeKind.choices) | {
        "在职": "wage", "离退休": "retired", "退休": "retired", "无固定收入": "no_income"
    }  # fmt: skip

    def check_values(self, cells, ctx, bad):
        org_name = text(cells["org"])
        org = ctx.orgs.get(org_name)
        if org is None:
            bad(
                "org", _("没有名为“%(n)s”的党组织，请先在“党组织”表中填写。") % {"n": org_name[:50]}
            )
        elif org[1] not in ("branch", "group", "general_branch"):
            bad("org", _("党员应编入党支部、党小组或党总支。"))
        values = {}
        for key, table, default in (
            ("management_type", self.MANAGEMENT, "direct"),
            ("standing", self.STANDING, "full"),
            ("income_kind", self.INCOME, "wage"),
        ):
            raw = text(cells[key])
            values[key] = table.get(raw, default if not raw else None)
            if values[key] is None:
                bad(key, _("未知的取值“%(v)s”。") % {"v": raw[:20]})
        try:
            values["joined_at"] = _day(cells["joined_at"])
        except ValueError:
            bad("joined_at", _("日期应写作 2010-07-01。"))
        try:
            values["dues_base"] = Decimal(text(cells["dues_base"]) or "0").quantize(Decimal("0.01"))
            if values["dues_base"] < 0 or values["dues_base"] >= Decimal("1e8"):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            bad("dues_base", _("党费计算基数应为不小于 0 的金额。"))
        username = text(cells["username"])
        values["username"] = username
        if username and ctx.user(username) is None:
            bad("username", _("没有账号“%(u)s”。") % {"u": username[:50]})
        name = text(cells["name"])[:64]
        number = self.id_number(cells, name, ctx, bad)
        if org is None or number is None or any(v is None for v in values.values()):
            return None
        values.update(
            _key=("id", lookup_hash("id", number)) if number else (org_name, name),
            name=name, org_name=org_name, id_number=number,
            work_unit=text(cells["work_unit"])[:100], dues_from=values.get("joined_at"),
        )  # fmt: skip
        return values

    def id_number(self, cells, name: str, ctx: Context, bad) -> str | None:
        """The row's ID number ("" for none), checked: valid, once in the file, and the same
        person as the member or the register's resident who has it. The number itself is never
        written into a message (the error report is a file that travels)."""
        raw = text(cells["id_number"])
        if not raw:
            return ""
        try:
            number = validate_id_number(raw).number
        except UserError:
            bad("id_number", _("公民身份号码无效（应为 18 位，出生日期和校验位正确），请核对。"))
            return None
        hashes = lookup_hashes("id", number)
        seen = ctx.seen.get(("党员#id", hashes[0]))
        if seen is not None:
            bad("id_number", _("公民身份号码与第 %(row)d 行重复。") % {"row": seen})
            return None
        ctx.seen[("党员#id", hashes[0])] = ctx.row
        if ctx.known_ids is None:
            ctx.known_ids = self.known_ids(ctx)
        if hashes[0] not in ctx.known_ids:  # not in the prefetch (a row checked on its own)
            ctx.known_ids.update(self.lookup(hashes))
        member, resident = next(
            (ctx.known_ids[h] for h in hashes if ctx.known_ids.get(h) != (None, None)),
            (None, None),
        )
        known = member if member is not None else resident
        if known is not None and known != name:
            bad("id_number", _("该公民身份号码已登记为另一个人（姓名不同），请核对。"))
            return None
        return number

    def known_ids(self, ctx: Context) -> dict[str, tuple[str | None, str | None]]:
        """Who holds each ID number of the file's member sheet: one query per 2,000 numbers
        (not two a row), read from the workbook the first time a number is checked."""
        if ctx.path is None:
            return {}
        column = [c.key for c in self.columns].index("id_number")
        hashes: set[str] = set()
        for index, raw in xlsx.read_rows(ctx.path, sheet=self.name, max_col=len(self.columns)):
            value = text(raw[column]) if index > 1 and len(raw) > column else ""
            if value:
                hashes.update(lookup_hashes("id", normalize_id_number(value)))
        found: dict[str, tuple[str | None, str | None]] = {}
        ordered = sorted(hashes)
        for i in range(0, len(ordered), 2000):
            found.update(self.lookup(ordered[i : i + 2000]))
        return found

    @staticmethod
    def lookup(hashes: list[str]) -> dict[str, tuple[str | None, str | None]]:
        found: dict[str, tuple[str | None, str | None]] = dict.fromkeys(hashes, (None, None))
        for h, name in Member.objects.filter(id_number_hash__in=hashes).values_list(
            "id_number_hash", "name"
        ):
            found[h] = (name, found[h][1])
        for h, name in Person.objects.filter(id_number_hash__in=hashes).values_list(
            "id_number_hash", "name"
        ):
            found[h] = (found[h][0], name)
        return found

    def apply(self, rows, ctx):
        for row in rows:
            row["org_id"] = ctx.orgs[row["org_name"]][0]
            row["user_id"] = (ctx.user(row["username"]) or (None,))[0] if row["username"] else None
        created, updated, unchanged = members_import(by=ctx.by, rows=rows, note="上线导入")
        return Tally(created=created, updated=updated, unchanged=unchanged)


# --- 志愿服务队 --------------------------------------------------------------------------------------


class Teams(Sheet):
    name = "志愿服务队"
    columns = (
        Column("name", "名称", True, "同一社区内不重复"),
        Column("community", "所在社区代码", True, "12 位"),
        Column("description", "简介", False, ""),
        Column("partner", "所属单位", False, "单位的服务队填单位名称"),
    )

    def check_values(self, cells, ctx, bad):
        where = self.division(cells, "community", ctx, bad, ("community",))
        partner = self.partner_of(cells, "partner", ctx, bad)
        if where is None:
            return None
        name = text(cells["name"])[:100]
        code = text(cells["community"])
        return {"_key": (code, name), "name": name, "community_id": where[0], "scope_code": code,
                "description": text(cells["description"])[:500],
                "partner_id": partner[0] if partner else None,
                "partner_name": text(cells["partner"])}  # fmt: skip

    def apply(self, rows, ctx):
        tally = Tally()
        for r in rows:
            if r["partner_id"] is None and r["partner_name"]:
                r["partner_id"] = (ctx.partner(r["partner_name"]) or (None,))[0]
        _upsert(
            VolunteerTeam, rows, ("community_id", "name"), ("description", "partner_id"),
            lambda r: VolunteerTeam(name=r["name"], community_id=r["community_id"],
                                    scope_code=r["scope_code"], description=r["description"],
                                    partner_id=r["partner_id"]),
            tally,
        )  # fmt: skip
        return tally


# --- 场地 ------------------------------------------------------------------------------------------

DAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}


def parse_hours(raw: str) -> dict[int, str]:
    """ "周一至周五 09:00-12:00,14:00-17:30；周六、周日 09:00-21:00" (as a venue's page shows
    them; 每天 for every day) -> {weekday: "09:00-12:00,14:00-17:30", ...}."""
    spec: dict[int, str] = {}
    for part in re.split(r"[；;\n]", raw):
        part = part.strip()
        if not part:
            continue
        match = re.match(r"^(每天|[周星期礼拜一二三四五六日天七至到、,，\s-]+?)\s*(\d.*)$", part)
        if not match:
            raise ValueError(part)
        days_text, times = match.group(1), match.group(2).replace("，", ",")
        if days_text == "每天":
            days = list(range(7))
        else:
            days = []
            for piece in re.split(r"[、,，\s]+", days_text):
                piece = re.sub(r"周|星期|礼拜", "", piece)
                if not piece:
                    continue
                ends = re.split(r"至|到|-", piece)
                if len(ends) == 2 and ends[0] in DAYS and ends[1] in DAYS:
                    days.extend(range(DAYS[ends[0]], DAYS[ends[1]] + 1))
                elif piece in DAYS:
                    days.append(DAYS[piece])
                else:
                    raise ValueError(part)
        for d in days:
            spec[d] = f"{spec[d]},{times}" if d in spec else times
    return spec


class Venues(Sheet):
    name = "场地"
    columns = (
        Column("name", "名称", True, "同一区划内不重复"),
        Column("kind", "类型", False, "党群服务中心 / 党群服务站 / 会议室 / 活动室 / 运动场地 / 其他场所；不填为活动室"),
        Column("division", "所在区划代码", True, "社区 12 位或网格 15 位"),
        Column("address", "地址", True, ""),
        Column("capacity", "容纳人数", True, "正整数"),
        Column("hours", "开放时间", True, "如：周一至周五 09:00-12:00,14:00-17:30；周六、周日 09:00-21:00"),
        Column("contact_phone", "联系电话", False, "手机或带区号的固定电话"),
        Column("partner", "所属单位", False, "单位提供的场地填单位名称；不填由社区管理"),
        Column("approval", "需要审批", False, "是 / 否；不填为是"),
    )  # fmt: skip
    KINDS = _labels(Venue.Kind.choices)

    def check_values(self, cells, ctx, bad):
        where = self.division(cells, "division", ctx, bad, ("community", "grid"))
        kind = self.KINDS.get(text(cells["kind"]) or "activity_room")
        if kind is None:
            bad("kind", _("未知的场地类型“%(v)s”。") % {"v": text(cells["kind"])[:20]})
        partner = self.partner_of(cells, "partner", ctx, bad)
        try:
            fields = venue_fields(
                name=text(cells["name"]), address=text(cells["address"]),
                capacity=text(cells["capacity"]), contact_phone=text(cells["contact_phone"]),
                max_days_ahead=30,
            )  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - the venue page's UserError, worded for a person
            key = {"capacity": "capacity", "contact_phone": "contact_phone"}.get(
                getattr(exc, "field", ""), "name"
            )
            bad(key, getattr(exc, "message", str(exc)))
            fields = None
        windows = None
        try:
            windows = parse_week(parse_hours(text(cells["hours"])))
            if not windows:
                raise ValueError
        except ValueError:
            bad("hours", _("开放时间应写作：周一至周五 09:00-17:00；周六 09:00-12:00。"))
        except Exception as exc:  # noqa: BLE001 - parse_week's UserError
            bad("hours", getattr(exc, "message", str(exc)))
        approval = text(cells["approval"]) or "是"
        if approval not in ("是", "否"):
            bad("approval", _("需要审批应填“是”或“否”。"))
        code = text(cells["division"])
        if partner is not None and not owner_in_street(partner[2], code):
            bad("partner", _("共建单位的场地应在该单位所在街道之内。"))
            return None
        if where is None or kind is None or fields is None or not windows:
            return None
        return {"_key": (code, fields["name"]), **fields, "kind": kind,
                "division_id": where[0], "scope_code": code,
                "owner_partner_id": partner[0] if partner else None,
                "owner_scope": partner[2] if partner else "",
                "partner_name": text(cells["partner"]),
                "approval_required": approval == "是", "windows": windows}  # fmt: skip

    def apply(self, rows, ctx):
        for r in rows:  # a unit of the same file has its id once written
            if r["owner_partner_id"] is None and r["partner_name"]:
                r["owner_partner_id"] = (ctx.partner(r["partner_name"]) or (None,))[0]
        created, updated, unchanged = venues_import(by=ctx.by, rows=rows, note="上线导入")
        return Tally(created=created, updated=updated, unchanged=unchanged)


# --- 事件类别 ---------------------------------------------------------------------------------------


class Categories(Sheet):
    name = "事件类别"
    columns = (
        Column("code", "类别代码", True, "如：0101；本系统内不重复"),
        Column("name", "名称", True, ""),
        Column("kind", "类型", True, "部件 / 事件 / 居民诉求"),
        Column("parent", "上级类别代码", False, "大类不填"),
        Column("triage", "默认分流", False, "大事 / 小事 / 私事；不填为大事"),
        Column("filing_hours", "立案时限（工作小时）", False, "不填为 1"),
        Column("dispatch_hours", "派遣时限（工作小时）", False, "不填为 1"),
        Column("accept_hours", "接收时限（工作小时）", False, "不填为 1"),
        Column("handling_hours", "处置时限（工作小时）", False, "不填为 21"),
        Column("verify_hours", "核查时限（工作小时）", False, "不填为 1"),
    )
    roles = frozenset({"system_admin"})
    KINDS = _labels(CaseCategory.Kind.choices)
    TRIAGE = {"大事": "major", "小事": "minor", "私事": "private", **_labels(Triage.choices)}
    HOURS = {"filing_hours": "1", "dispatch_hours": "1", "accept_hours": "1",
             "handling_hours": "21", "verify_hours": "1"}  # fmt: skip

    def check_values(self, cells, ctx, bad):
        code = text(cells["code"])
        if not re.fullmatch(r"[0-9A-Za-z]{1,12}", code):
            bad("code", _("类别代码应为 1–12 位字母或数字。"))
        kind = self.KINDS.get(text(cells["kind"]))
        if kind is None:
            bad("kind", _("未知的类别类型“%(v)s”。") % {"v": text(cells["kind"])[:20]})
        triage = self.TRIAGE.get(text(cells["triage"]) or "major")
        if triage is None:
            bad("triage", _("默认分流应为大事、小事或私事。"))
        parent = text(cells["parent"])
        if parent and parent not in ctx.categories:
            bad("parent", _("没有类别代码“%(c)s”（上级须在本表上方或已存在）。") % {"c": parent})
        hours = {}
        for key, default in self.HOURS.items():
            try:
                hours[key] = Decimal(text(cells[key]) or default).quantize(Decimal("0.01"))
                if not Decimal("0") <= hours[key] < Decimal("100000"):
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                bad(key, _("时限应为不小于 0 的工作小时数。"))
        if kind is None or triage is None or len(hours) < len(self.HOURS):
            return None
        return {"_key": code, "code": code, "name": text(cells["name"])[:64], "kind": kind,
                "default_triage": triage, "parent_code": parent, **hours}  # fmt: skip

    def remember(self, values, ctx):
        ctx.categories.setdefault(values["code"], None)

    def apply(self, rows, ctx):
        tally = Tally()
        fields = ("name", "kind", "default_triage", "parent_id", *self.HOURS)
        for row in rows:  # in order: a parent before its children
            row["parent_id"] = (
                ctx.categories.get(row["parent_code"]) if row["parent_code"] else None
            )
            old = CaseCategory.objects.filter(code=row["code"]).values("pk", *fields).first()
            values = {f: row[f] for f in fields}
            if old is None:
                ctx.categories[row["code"]] = CaseCategory.objects.create(
                    code=row["code"], **values
                ).pk
                tally.created += 1
            elif any(old[f] != values[f] for f in fields):
                category = CaseCategory.objects.get(pk=old["pk"])
                for f, v in values.items():
                    setattr(category, f, v)
                category.save()
                tally.updated += 1
            else:
                tally.unchanged += 1
        return tally


SHEETS: tuple[Sheet, ...] = (Units(), Orgs(), Staff(), Members(), Teams(), Venues(), Categories())
BY_NAME = {s.name: s for s in SHEETS}
