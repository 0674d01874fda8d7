"""Abstract bases shared by every app."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class PublicId(models.Model):
    """A random public identifier: URLs never carry integer ids."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class TenantScoped(TimeStamped, PublicId):
    """Every tenant-owned table: a tenant foreign key and an index that starts with it.

    Concrete subclasses that declare their own ``Meta.indexes`` must keep an index
    leading with ``tenant``; ``teilhabe.core.checks`` verifies it.
    """

    tenant = models.ForeignKey(
        "accounts.Tenant", on_delete=models.PROTECT, related_name="+", verbose_name=_("tenant")
    )

    class Meta:
        abstract = True
