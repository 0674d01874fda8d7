"""Live labels for the audit views.

The log stores no names of the people whose records it describes (a participant is labelled
by its pseudonym, see ``AuditLabelled`` in the participants app): the log is append-only and
outlives an anonymisation.  Where the person looking at the log may see the record today, the
views show its current label instead — resolved from the live (possibly anonymised) record.
Apps register a resolver per object type; the audit app depends on none of them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from .models import AuditEvent

# object type -> resolver(actor, object ids) -> {object id: label the actor may see}
Resolver = Callable[[Any, list[str]], dict[str, str]]
_RESOLVERS: dict[str, Resolver] = {}


def register(object_type: str, resolver: Resolver) -> None:
    _RESOLVERS[object_type] = resolver


def attach_live_labels(actor: Any, events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """Set ``live_label`` on each event whose object the actor may see now (else "")."""
    events = list(events)
    wanted: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.object_type in _RESOLVERS and event.object_id:
            wanted[event.object_type].add(event.object_id)
    labels = {
        object_type: _RESOLVERS[object_type](actor, sorted(ids))
        for object_type, ids in wanted.items()
    }
    for event in events:
        event.live_label = labels.get(event.object_type, {}).get(event.object_id, "")  # type: ignore[attr-defined]
    return events
