from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from teilhabe.core.models import PublicId, TimeStamped

from .roles import PERSONAL_DATA_ROLES, Role

if TYPE_CHECKING:
    from collections.abc import Iterable


class User(AbstractUser, PublicId):
    """A person who signs in.  Platform administrators are ``is_superuser``."""

    email = models.EmailField(_("e-mail address"), blank=True)
    is_land = models.BooleanField(
        _("state access"),
        default=False,
        help_text=_("Statewide aggregates for the ministry, LaKI and funding authority."),
    )

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined,misc]
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username

    def active_roles(self) -> set[str]:
        roles = set(
            self.memberships.filter(is_active=True, tenant__is_active=True).values_list(
                "role", flat=True
            )
        )
        if self.is_land:
            roles.add(Role.LAND)
        return roles

    def needs_second_factor(self, roles: Iterable[str] | None = None) -> bool:
        """Mandatory for platform administrators and every role that sees personal data."""
        if self.is_superuser:
            return True
        held = self.active_roles() if roles is None else set(roles)
        return bool(held & PERSONAL_DATA_ROLES)


class Tenant(TimeStamped, PublicId):
    """A participating Kommune, linked to its territory."""

    name = models.CharField(_("name"), max_length=200)
    territory = models.ForeignKey(
        "territory.Territory",
        on_delete=models.PROTECT,
        related_name="tenants",
        verbose_name=_("territory"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        constraints = [
            models.UniqueConstraint(fields=["territory"], name="tenant_unique_territory"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStamped, PublicId):
    """A role a user holds in a tenant."""

    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("tenant")
    )
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(
        _("role"), max_length=32, choices=[(r.value, r.label) for r in Role if r != Role.LAND]
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "user", "role"], name="membership_unique_role"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "user"]), models.Index(fields=["user"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.tenant}"
