"""Needs and offer analysis (Bedarfs- und Angebotsanalyse): target-group figures per Stichtag,
recorded needs and estimates, recorded gaps and the measures planned to close them.

Breakdown codes (status group, age band, sex, nationality, benefit system) come from the fixed
standard in ``teilhabe.needs.standard``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from teilhabe.core.models import TenantScoped

from .standard import AgeBand, BenefitCode, SexCode, StatusGroup


class TargetGroupSnapshot(TenantScoped):
    """The target-group figures of one tenant at one Stichtag (one import or form entry)."""

    reference_date = models.DateField(_("reference date"))
    source = models.CharField(pgettext_lazy("needs", "source"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    total = models.PositiveIntegerField(_("total"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-reference_date"]
        verbose_name = _("target-group figures")
        verbose_name_plural = _("target-group figures")
        indexes = [models.Index(fields=["tenant", "reference_date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "reference_date"], name="needs_snapshot_once_per_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference_date:%d.%m.%Y}"


class TargetGroupRow(TenantScoped):
    """One cell of the breakdown: how many people share these characteristics."""

    snapshot = models.ForeignKey(TargetGroupSnapshot, on_delete=models.CASCADE, related_name="rows")
    gemeinde = models.ForeignKey(
        "territory.Territory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    status_group = models.CharField(
        pgettext_lazy("needs", "status group"), max_length=32, choices=StatusGroup.choices
    )
    age_band = models.CharField(
        pgettext_lazy("needs", "age band"), max_length=8, choices=AgeBand.choices
    )
    sex = models.CharField(_("sex"), max_length=10, choices=SexCode.choices)
    nationality = models.CharField(pgettext_lazy("needs", "nationality"), max_length=8)
    benefit = models.CharField(_("benefit system"), max_length=10, choices=BenefitCode.choices)
    count = models.PositiveIntegerField(pgettext_lazy("needs", "number of people"))

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "snapshot", "status_group"]),
        ]

    def __str__(self) -> str:
        return f"{self.status_group}/{self.age_band}/{self.sex}: {self.count}"


class NeedSourceKind(models.TextChoices):
    SURVEY = "survey", pgettext_lazy("needs", "survey")
    ESTIMATE = "estimate", pgettext_lazy("needs", "expert estimate")


class NeedEstimate(TenantScoped):
    """Needs of people not in case work: a survey result or an expert estimate."""

    reference_date = models.DateField(_("reference date"))
    category = models.ForeignKey(
        "offers.Category", on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    status_group = models.CharField(
        pgettext_lazy("needs", "status group"), max_length=32, choices=StatusGroup.choices
    )
    age_band = models.CharField(
        pgettext_lazy("needs", "age band"), max_length=8, choices=AgeBand.choices, blank=True
    )
    gemeinde = models.ForeignKey(
        "territory.Territory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    count = models.PositiveIntegerField(pgettext_lazy("needs", "number of people"))
    source_kind = models.CharField(
        pgettext_lazy("needs", "kind of source"), max_length=10, choices=NeedSourceKind.choices
    )
    source = models.CharField(pgettext_lazy("needs", "source"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-reference_date", "category__sort_order"]
        indexes = [models.Index(fields=["tenant", "reference_date", "category"])]

    def __str__(self) -> str:
        return f"{self.category}: {self.count} ({self.get_source_kind_display()})"


class ParticipantNeed(TenantScoped):
    """A need recorded with a participant (needs survey), besides the plan goals."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.CASCADE, related_name="needs"
    )
    category = models.ForeignKey(
        "offers.Category", on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    urgency = models.PositiveSmallIntegerField(
        _("urgency"), default=2, choices=[(1, _("high")), (2, _("medium")), (3, _("low"))]
    )
    recorded_on = models.DateField(pgettext_lazy("needs", "recorded on"))
    met_on = models.DateField(pgettext_lazy("needs", "met on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["urgency", "category__sort_order"]
        indexes = [
            models.Index(fields=["tenant", "participant"]),
            models.Index(fields=["tenant", "category", "recorded_on"]),
        ]

    def __str__(self) -> str:
        return str(self.category)


class GapStatus(models.TextChoices):
    OPEN = "offen", pgettext_lazy("needs", "open")
    CLOSED = "geschlossen", pgettext_lazy("needs", "closed")


class Gap(TenantScoped):
    """A gap recorded from the gap matrix: demand in a category × group without (enough)
    accessible offers.  Measures and alliance decisions refer to it."""

    reference_date = models.DateField(_("reference date"))
    category = models.ForeignKey(
        "offers.Category", on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    status_group = models.CharField(
        pgettext_lazy("needs", "status group"),
        max_length=32,
        choices=StatusGroup.choices,
        blank=True,
    )
    age_band = models.CharField(
        pgettext_lazy("needs", "age band"), max_length=8, choices=AgeBand.choices, blank=True
    )
    sex = models.CharField(_("sex"), max_length=10, choices=SexCode.choices, blank=True)
    gemeinde = models.ForeignKey(
        "territory.Territory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # the figures when the gap was recorded
    demand = models.PositiveIntegerField(pgettext_lazy("needs", "demand"), default=0)
    supply = models.PositiveIntegerField(pgettext_lazy("needs", "accessible seats"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=GapStatus.choices, default=GapStatus.OPEN
    )
    closed_on = models.DateField(pgettext_lazy("needs", "closed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-reference_date", "category__sort_order", "status_group"]
        verbose_name = pgettext_lazy("needs", "gap")
        verbose_name_plural = pgettext_lazy("needs", "gaps")
        indexes = [
            models.Index(fields=["tenant", "status", "reference_date"]),
            models.Index(fields=["tenant", "category", "status_group"]),
        ]

    def __str__(self) -> str:
        return self.title


class MeasureStatus(models.TextChoices):
    IDEA = "idee", pgettext_lazy("needs", "idea")
    PLANNED = "geplant", pgettext_lazy("needs", "planned")
    APPLIED = "beantragt", pgettext_lazy("needs", "applied for")
    APPROVED = "bewilligt", pgettext_lazy("needs", "approved")
    RUNNING = "laeuft", pgettext_lazy("needs", "running")
    ENDED = "beendet", pgettext_lazy("needs", "ended")


class PlannedMeasure(TenantScoped):
    """A measure planned to close a gap (or on its own)."""

    gap = models.ForeignKey(
        Gap,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=pgettext_lazy("needs", "gap"),
    )
    title = models.CharField(pgettext_lazy("needs", "what"), max_length=200)
    target_group = models.CharField(pgettext_lazy("needs", "for whom"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        "offers.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    provider = models.ForeignKey(
        "offers.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("provider"),
    )
    funding = models.ForeignKey(
        "offers.FundingSource",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("funding"),
    )
    funding_note = models.CharField(
        pgettext_lazy("needs", "other funding"), max_length=200, blank=True
    )
    capacity = models.PositiveIntegerField(
        _("seats"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    start = models.DateField(_("start"), null=True, blank=True)
    responsible_organisation = models.CharField(
        pgettext_lazy("needs", "responsible organisation"), max_length=200
    )
    status = models.CharField(
        _("status"), max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.IDEA
    )
    offer = models.ForeignKey(
        "offers.Offer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("offer"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = pgettext_lazy("needs", "planned measure")
        verbose_name_plural = pgettext_lazy("needs", "planned measures")
        indexes = [
            models.Index(fields=["tenant", "status"]),
            models.Index(fields=["tenant", "gap"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="needs_measure_capacity_positive",
            )
        ]

    def __str__(self) -> str:
        return self.title


class NeedsSettings(TenantScoped):
    """Per-tenant thresholds of the analysis."""

    chain_min_measures = models.PositiveSmallIntegerField(
        pgettext_lazy("needs", "measures for a chain"), default=3, validators=[MinValueValidator(2)]
    )
    chain_window_months = models.PositiveSmallIntegerField(
        pgettext_lazy("needs", "within months"), default=24, validators=[MinValueValidator(1)]
    )

    class Meta:
        indexes = [models.Index(fields=["tenant"])]
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="needs_settings_once_per_tenant")
        ]

    def __str__(self) -> str:
        return f"{self.chain_min_measures}/{self.chain_window_months}"
