"""``reverse`` for the hot path: one real ``reverse`` per view name and argument shape.

Pages list many rows, each with a link such as ``{% url 'participants:case_detail' tenant
case %}``.  Django's ``reverse`` walks the resolver and checks the pattern's regular
expression on every call (about 25 µs).  For the shape this project uses everywhere —
positional arguments that are UUIDs or whole numbers — the address is the same string with
the arguments put in: ``fast_reverse`` reverses once with placeholder values of the same
kind, remembers the text around them and afterwards only joins strings.  Anything else
(keyword arguments, other argument types, a pattern that does not accept the placeholder)
goes to Django's ``reverse`` unchanged.  ``tests/test_fasturls.py`` checks every named
pattern of the project against ``reverse``.
"""

from __future__ import annotations

import re
import threading
import uuid
from typing import Any

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

_UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
# placeholders that no real address contains: version-4 UUIDs ending in a marker, and numbers
_UUID_PLACEHOLDERS = [f"00000000-0000-4000-8000-00000fa57{i:03d}" for i in range(10)]
_INT_PLACEHOLDERS = [str(987_650_000 + i) for i in range(10)]
_SLOW = object()  # this name and shape always take Django's reverse
_TEMPLATES: dict[tuple[Any, ...], Any] = {}
_LOCK = threading.Lock()


def _kind(value: Any) -> str | None:
    if isinstance(value, uuid.UUID):
        return "u"
    if isinstance(value, str):
        if _UUID_TEXT.match(value):
            return "u"
        if value.isascii() and value.isdigit():
            return "i"
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return "i"
    return None


def _template(viewname: str, kinds: tuple[str | None, ...], current_app: str | None) -> Any:
    placeholders = [
        (_UUID_PLACEHOLDERS if kind == "u" else _INT_PLACEHOLDERS)[i]
        for i, kind in enumerate(kinds)
    ]
    try:
        text = reverse(viewname, args=placeholders, current_app=current_app)
    except NoReverseMatch:
        return _SLOW
    parts = []
    rest = text
    for placeholder in placeholders:
        if text.count(placeholder) != 1:
            return _SLOW
        before, _, rest = rest.partition(placeholder)
        parts.append(before)
    parts.append(rest)
    return tuple(parts)


def fast_reverse(viewname: str, args: Any = (), current_app: str | None = None) -> str:
    """``reverse(viewname, args=args)``, the same string, without walking the resolver."""
    kinds = tuple(_kind(a) for a in args)
    if len(kinds) > len(_UUID_PLACEHOLDERS) or None in kinds:
        return reverse(viewname, args=args, current_app=current_app)
    key = (viewname, kinds, current_app, get_urlconf(), get_script_prefix())
    parts = _TEMPLATES.get(key)
    if parts is None:
        parts = _template(viewname, kinds, current_app)
        with _LOCK:
            _TEMPLATES[key] = parts
    if parts is _SLOW:
        return reverse(viewname, args=args, current_app=current_app)
    out = [parts[0]]
    for value, part in zip(args, parts[1:], strict=True):
        out.append(str(value))
        out.append(part)
    return "".join(out)


def clear() -> None:
    """Forget the remembered addresses (tests that swap the URL configuration)."""
    with _LOCK:
        _TEMPLATES.clear()
