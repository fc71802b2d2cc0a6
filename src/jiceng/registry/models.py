"""The 人–房–网格–地址 register: compounds, buildings, dwellings, households and people.

A building belongs to one grid (its point lies there); its dwellings and the people living in them
carry that grid's code as ``scope_code``. People are never deleted: moving out and death are
statuses, and every residence and change is kept.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.fields import EncryptedCharField, EncryptedPhoneField
from jiceng.core.models import (
    AppendOnlyQuerySet,
    ImportJobBase,
    ScopedModel,
    TimeStampedModel,
    UnindexedScopedModel,
)
from jiceng.core.personal import mask_id_number, mask_phone, normalize_id_number


def normalize_address(text: str) -> str:
    """The form addresses are compared in: no spaces or punctuation, half-width digits and
    letters, upper case (居民 type 'ＸＸ路１２号' or 'xx路12 号')."""
    out = []
    for ch in str(text or ""):
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:  # full-width ASCII
            ch = chr(code - 0xFEE0)
        if ch.isspace() or ch in "-—－,，.。、()（）#":
            continue
        out.append(ch.upper())
    return "".join(out)


class Compound(TimeStampedModel, ScopedModel):
    """小区: a residential compound inside one community."""

    community = models.ForeignKey(
        "geo.Division", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("小区名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("小区")
        verbose_name_plural = _("小区")
        ordering = ["scope_code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="compound_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Building(TimeStampedModel, ScopedModel):
    """楼栋: one building in one grid; its address and point place it there."""

    compound = models.ForeignKey(
        Compound,
        verbose_name=_("小区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="buildings",
    )
    grid = models.ForeignKey(
        "geo.Division", verbose_name=_("网格"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("楼栋"), max_length=50)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    address_key = models.CharField(_("规范地址"), max_length=200, blank=True, db_index=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    floors = models.PositiveSmallIntegerField(_("层数"), null=True, blank=True)

    scope_place = "grid"

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["scope_code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "name"], name="building_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.compound.name}{self.name}" if self.compound_id else self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.address_key = normalize_address(self.address)
        super().save(*args, **kwargs)


class Dwelling(TimeStampedModel, ScopedModel):
    """房屋: one flat or house; ``entrance`` is the stairwell (单元) of the building."""

    building = models.ForeignKey(
        Building, verbose_name=_("楼栋"), on_delete=models.PROTECT, related_name="dwellings"
    )
    entrance = models.CharField(_("单元"), max_length=20, blank=True)
    number = models.CharField(_("房号"), max_length=20)
    floor = models.SmallIntegerField(_("楼层"), null=True, blank=True)

    class Meta:
        verbose_name = _("房屋")
        verbose_name_plural = _("房屋")
        ordering = ["building", "entrance", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "entrance", "number"], name="dwelling_number_unique"
            ),
        ]

    def __str__(self) -> str:
        entrance = self.entrance if self.entrance else ""
        return f"{self.building}{entrance}{self.number}"


class Household(TimeStampedModel, ScopedModel):
    """户: the people living together in one dwelling (a shared flat may hold several)."""

    dwelling = models.ForeignKey(
        Dwelling, verbose_name=_("房屋"), on_delete=models.PROTECT, related_name="households"
    )
    head = models.ForeignKey(
        "Person",
        verbose_name=_("户主"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")

    def __str__(self) -> str:
        return f"{self.dwelling}"


class Person(TimeStampedModel, UnindexedScopedModel):
    """居民: a natural person in the register. ID and phone are encrypted, with lookup hashes."""

    class Gender(models.TextChoices):
        MALE = "male", _("男")
        FEMALE = "female", _("女")

    class Status(models.TextChoices):
        LIVING = "living", _("在册")
        MOVED_OUT = "moved_out", _("已迁出")
        DECEASED = "deceased", _("已故")

    class ResidenceType(models.TextChoices):
        REGISTERED = "registered", _("户籍人口")
        RESIDENT = "resident", _("常住人口（非户籍）")
        FLOATING = "floating", _("流动人口")

    class Relation(models.TextChoices):
        HEAD = "head", _("户主")
        SPOUSE = "spouse", _("配偶")
        CHILD = "child", _("子女")
        PARENT = "parent", _("父母")
        GRANDCHILD = "grandchild", _("孙辈")
        SIBLING = "sibling", _("兄弟姐妹")
        TENANT = "tenant", _("租住")
        OTHER = "other", _("其他")

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    id_number = EncryptedCharField(
        _("公民身份号码"),
        max_length=18,
        null=True,
        blank=True,
        hash_field="id_number_hash",
        hash_kind="id",
        normalize=normalize_id_number,
    )
    id_number_hash = models.CharField(_("身份证号哈希"), max_length=64, blank=True, editable=False)
    phone = EncryptedPhoneField(_("联系电话"))
    phone_hash = models.CharField(
        _("手机号哈希"), max_length=64, blank=True, editable=False, db_index=True
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.LIVING
    )
    residence_type = models.CharField(
        _("人口类型"),
        max_length=16,
        choices=ResidenceType.choices,
        default=ResidenceType.REGISTERED,
    )
    dwelling = models.ForeignKey(
        Dwelling,
        verbose_name=_("现住房屋"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    relation = models.CharField(
        _("与户主关系"), max_length=16, choices=Relation.choices, blank=True
    )
    note = models.CharField(_("备注"), max_length=500, blank=True)
    died_on = models.DateField(_("死亡日期"), null=True, blank=True)
    # scope_code: the grid of the current (or, after moving out, the last) dwelling.
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["scope_code", "name", "id"]
        constraints = [
            # One person, one record: the same ID number cannot be registered twice.
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~Q(id_number_hash=""),
                name="person_id_number_unique",
            ),
            models.CheckConstraint(
                condition=~Q(status="deceased") | Q(died_on__isnull=False),
                name="person_deceased_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["scope_code", "status"], name="person_scope_status"),
            # Name search by prefix: varchar_pattern_ops serves LIKE 'x%' on PostgreSQL in any
            # collation (other databases ignore the operator class).
            models.Index(
                fields=["name"], name="person_name_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def age(self) -> int | None:
        from django.utils import timezone

        if not self.birth_date:
            return None
        today = timezone.localdate()
        b = self.birth_date
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))


class Residence(ScopedModel):
    """One stay of a person in a dwelling: the history of where someone lived."""

    person = models.ForeignKey(
        Person, verbose_name=_("居民"), on_delete=models.PROTECT, related_name="residences"
    )
    dwelling = models.ForeignKey(
        Dwelling, verbose_name=_("房屋"), on_delete=models.PROTECT, related_name="residences"
    )
    moved_in = models.DateField(_("迁入日期"))
    moved_out = models.DateField(_("迁出日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("居住记录")
        verbose_name_plural = _("居住记录")
        ordering = ["-moved_in", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(moved_out__isnull=True),
                name="residence_one_current",
            ),
            models.CheckConstraint(
                condition=Q(moved_out__isnull=True) | Q(moved_out__gte=models.F("moved_in")),
                name="residence_out_after_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.dwelling}"


class CareTag(TimeStampedModel, UnindexedScopedModel):
    """A need a community serves (elderly living alone, disabled, ...); ended, never deleted."""

    class Tag(models.TextChoices):
        ELDERLY_ALONE = "elderly_alone", _("独居老人")
        DISABLED = "disabled", _("残疾人")
        LOW_INCOME = "low_income", _("低保/低收入")
        VETERAN_FAMILY = "veteran_family", _("退役军人及军属")
        MINOR_IN_DIFFICULTY = "minor_in_difficulty", _("困境儿童")

    person = models.ForeignKey(
        Person, verbose_name=_("居民"), on_delete=models.PROTECT, related_name="care_tags"
    )
    tag = models.CharField(_("关爱标签"), max_length=32, choices=Tag.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    ended_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("关爱标签")
        verbose_name_plural = _("关爱标签")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "tag"],
                condition=Q(ended_at__isnull=True),
                name="care_tag_one_active",
            ),
        ]
        indexes = [models.Index(fields=["scope_code", "tag"], name="care_tag_scope")]

    def __str__(self) -> str:
        return f"{self.person} {self.get_tag_display()}"


class PersonEvent(UnindexedScopedModel):
    """The history of a person's record: who changed what, when (values of ID and phone are never
    written here, only that they changed)."""

    class Action(models.TextChoices):
        CREATED = "created", _("登记")
        EDITED = "edited", _("修改")
        MOVED_IN = "moved_in", _("迁入")
        MOVED = "moved", _("迁居")
        MOVED_OUT = "moved_out", _("迁出")
        DECEASED = "deceased", _("标记已故")
        IMPORTED = "imported", _("导入")
        TAGGED = "tagged", _("添加关爱标签")
        UNTAGGED = "untagged", _("取消关爱标签")

    person = models.ForeignKey(
        Person, verbose_name=_("居民"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=500, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("居民记录变更")
        verbose_name_plural = _("居民记录变更")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "at"], name="person_event_person")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.action}"


class ImportJob(ImportJobBase):
    """One uploaded workbook of the register and what became of it (core.models.ImportJobBase)."""

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]
