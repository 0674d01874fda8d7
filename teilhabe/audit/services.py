"""``audit_record``: every read of a personal record and every change writes one event."""

from __future__ import annotations

from typing import Any

from django.db import models

from .context import current_request
from .models import AuditEvent

# Stored instead of a value the object does not allow in the log (see ``_redact``).
REDACTED = "[…]"


def _describe(obj: models.Model | None) -> tuple[str, str, str]:
    """Type, id and label of ``obj``.  A model can define ``audit_label()`` to keep names out
    of the append-only log (e.g. a participant is labelled by its pseudonym only)."""
    if obj is None:
        return "", "", ""
    object_type = obj._meta.label_lower
    object_id = str(getattr(obj, "public_id", None) or obj.pk)
    label = obj.audit_label() if hasattr(obj, "audit_label") else str(obj)
    return object_type, object_id, label[:200]


def _redact(obj: models.Model | None, payload: dict[str, Any]) -> dict[str, Any]:
    """Replace the values of the keys ``obj`` declares in ``AUDIT_REDACTED_FIELDS`` (names,
    contact data, free texts of personal records): the log keeps that they changed, not what
    they were.  Empty values stay as they are (so "set" and "cleared" remain visible)."""
    redacted = getattr(obj, "AUDIT_REDACTED_FIELDS", None)
    if not redacted:
        return payload

    def hide(key: str, value: Any) -> Any:
        if key not in redacted:
            return value
        if isinstance(value, list):
            return [v if v in (None, "", []) else REDACTED for v in value]
        return value if value in (None, "", []) else REDACTED

    out = {k: hide(k, v) for k, v in payload.items() if k != "_details"}
    if "_details" in payload:
        out["_details"] = {k: hide(k, v) for k, v in payload["_details"].items()}
    return out


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    tenant: Any = None,
    changes: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one audit event.  ``changes`` maps field -> [old, new]; never pass secrets."""
    if tenant is None and obj is not None:
        from teilhabe.accounts.models import Tenant

        tenant = obj if isinstance(obj, Tenant) else getattr(obj, "tenant", None)
    info = current_request.get()
    real_actor = actor if getattr(actor, "is_authenticated", False) else None
    payload: dict[str, Any] = {}
    if changes:
        payload.update({k: [_plain(v) for v in pair] for k, pair in changes.items()})
    if details:
        payload["_details"] = {k: _plain(v) for k, v in details.items()}
    payload = _redact(obj, payload)
    object_type, object_id, object_repr = _describe(obj)
    return AuditEvent.objects.create(
        tenant=tenant,
        actor=real_actor,
        actor_label=(actor_label or (real_actor.get_username() if real_actor else ""))[:150],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        changes=payload,
        ip_address=info.ip_address if info else None,
        user_agent=info.user_agent if info else "",
        request_id=info.request_id if info else "",
    )


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return (
            sorted(str(v) for v in value)
            if isinstance(value, (set, frozenset))
            else [_plain(v) for v in value]
        )
    return str(value)


def changed_fields(instance: models.Model, new_values: dict[str, Any]) -> dict[str, list[Any]]:
    """Apply ``new_values`` to ``instance`` and return ``{field: [old, new]}`` of what changed."""
    changes: dict[str, list[Any]] = {}
    for field, new in new_values.items():
        old = getattr(instance, field)
        if old != new:
            changes[field] = [old, new]
            setattr(instance, field, new)
    return changes
