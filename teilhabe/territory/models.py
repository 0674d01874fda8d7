"""The NRW reference territories: Land, Regierungsbezirk, Kreis/StädteRegion/kreisfreie Stadt,
kreisangehörige Gemeinde.  Loaded from ``data/nrw_gebiete.csv`` by ``load_territories``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TerritoryKind(models.TextChoices):
    LAND = "land", _("Federal state")
    REGIERUNGSBEZIRK = "regierungsbezirk", _("Administrative region")
    KREIS = "kreis", _("District (Kreis)")
    STAEDTEREGION = "staedteregion", _("StädteRegion")
    KREISFREIE_STADT = "kreisfreie_stadt", _("District-free city")
    GEMEINDE = "kreisangehoerige_gemeinde", _("Municipality within a district")


# Bodies that can be a tenant on their own.
TOP_LEVEL_KINDS = (TerritoryKind.KREIS, TerritoryKind.STAEDTEREGION, TerritoryKind.KREISFREIE_STADT)


class TerritoryQuerySet(models.QuerySet["Territory"]):
    def gemeinden(self) -> TerritoryQuerySet:
        """All 396 Gemeinden: kreisangehörige Gemeinden and kreisfreie Städte."""
        return self.filter(kind__in=[TerritoryKind.GEMEINDE, TerritoryKind.KREISFREIE_STADT])

    def top_level(self) -> TerritoryQuerySet:
        return self.filter(kind__in=TOP_LEVEL_KINDS)

    def tenant_candidates(self) -> TerritoryQuerySet:
        """Kreise, the StädteRegion, kreisfreie Städte and kreisangehörige Städte/Gemeinden."""
        return self.exclude(kind__in=[TerritoryKind.LAND, TerritoryKind.REGIERUNGSBEZIRK])


class Territory(models.Model):
    ags = models.CharField(_("official municipality key (AGS)"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=32, choices=TerritoryKind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    # Aachen belongs to the StädteRegion but keeps the rights of a kreisfreie Stadt.
    has_kreisfreie_rights = models.BooleanField(_("rights of a district-free city"), default=False)

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        ordering = ["ags"]
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_gemeinde(self) -> bool:
        return self.kind in (TerritoryKind.GEMEINDE, TerritoryKind.KREISFREIE_STADT)


def gemeinden_in(territory: Territory) -> TerritoryQuerySet:
    """The Gemeinden a tenant's territory covers (a Kreis: its Gemeinden; a city: itself)."""
    if territory.kind in (TerritoryKind.KREIS, TerritoryKind.STAEDTEREGION):
        return Territory.objects.filter(parent=territory).order_by("name")
    return Territory.objects.filter(pk=territory.pk)


def ags8(ags: str) -> str:
    """The 8-digit Gemeinde key: a kreisfreie Stadt (5 digits) is padded with ``000``."""
    return ags.ljust(8, "0") if len(ags) == 5 else ags
