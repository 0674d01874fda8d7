"""``fast_reverse`` and the ``{% url %}``/``|dmy`` built-ins give exactly Django's output."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter
from django.utils import timezone

from teilhabe.core import fasturls
from teilhabe.core.fasturls import fast_reverse


def _named_patterns() -> list[tuple[str, list[Any]]]:
    """Every named pattern of the project whose arguments are UUIDs or numbers, with its
    converters in order."""
    found: list[tuple[str, list[Any]]] = []

    def walk(patterns: Any, namespace: str, converters: list[Any]) -> None:
        for p in patterns:
            own = list(p.pattern.converters.values())
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, ns, converters + own)
            elif isinstance(p, URLPattern) and p.name:
                found.append((namespace + p.name, converters + own))

    walk(get_resolver().url_patterns, "", [])
    return [
        (name, convs)
        for name, convs in found
        if all(isinstance(c, UUIDConverter | IntConverter) for c in convs)
    ]


def _value(converter: Any, i: int) -> Any:
    return uuid.uuid4() if isinstance(converter, UUIDConverter) else 7 + i


def test_every_named_address_equals_djangos_reverse() -> None:
    patterns = _named_patterns()
    assert len(patterns) > 100  # the walk found the project's addresses
    with_args = 0
    for name, converters in patterns:
        for _ in range(3):
            args = [_value(c, i) for i, c in enumerate(converters)]
            assert fast_reverse(name, args) == reverse(name, args=args), name
            as_text = [str(a) for a in args]
            assert fast_reverse(name, as_text) == reverse(name, args=as_text), name
        with_args += bool(converters)
    assert with_args > 80


def test_other_shapes_fall_back_to_django_with_its_errors() -> None:
    tenant = uuid.uuid4()
    # a string that is no UUID: Django decides (here: no match)
    with pytest.raises(NoReverseMatch):
        fast_reverse("participants:caseload", ["not-a-uuid"])
    with pytest.raises(NoReverseMatch):
        fast_reverse("participants:caseload", [tenant, tenant])  # wrong number of arguments
    # an upper-case UUID is not taken for the fast path: Django refuses it too
    with pytest.raises(NoReverseMatch):
        fast_reverse("participants:caseload", [str(tenant).upper()])
    assert fast_reverse("home") == reverse("home")
    assert fast_reverse("finder:finder", [tenant, "de"]) == reverse(
        "finder:finder", args=[tenant, "de"]
    )


def test_a_changed_script_prefix_is_a_different_address() -> None:
    from django.urls import set_script_prefix

    tenant = uuid.uuid4()
    plain = fast_reverse("participants:caseload", [tenant])
    try:
        set_script_prefix("/teilhabe/")
        prefixed = fast_reverse("participants:caseload", [tenant])
        assert prefixed == reverse("participants:caseload", args=[tenant])
        assert prefixed == "/teilhabe" + plain
    finally:
        set_script_prefix("/")
        fasturls.clear()


def test_url_tag_renders_like_djangos() -> None:
    tenant, case = uuid.uuid4(), uuid.uuid4()
    template = Template(
        "{% url 'participants:case_detail' t c %}|"
        "{% url 'participants:case_detail' t c as link %}[{{ link }}]|"
        "{% url 'participants:caseload' tenant_id=t %}|"
        "{% url 'nothing:here' t as missing %}[{{ missing }}]"
    )
    out = template.render(Context({"t": tenant, "c": case}))
    detail = reverse("participants:case_detail", args=[tenant, case])
    caseload = reverse("participants:caseload", kwargs={"tenant_id": tenant})
    assert out == f"{detail}|[{detail}]|{caseload}|[]"
    with pytest.raises(NoReverseMatch):
        Template("{% url 'nothing:here' t %}").render(Context({"t": tenant}))


def test_dmy_is_the_german_date_of_djangos_date_filter() -> None:
    values: list[Any] = [
        date(2026, 3, 4),
        date(999, 12, 31),
        timezone.make_aware(datetime(2026, 11, 26, 23, 30)),
        datetime(2026, 1, 2, 0, 5),
        None,
        "",
        "kein Datum",
    ]
    for value in values:
        ours = Template("{{ v|dmy }}").render(Context({"v": value}))
        django = Template('{{ v|date:"d.m.Y" }}').render(Context({"v": value}))
        assert ours == django, value
    # aware times are shown in local time, as Django's filter does (23:30 UTC = next day)
    late = datetime(2026, 11, 26, 23, 30, tzinfo=timezone.get_fixed_timezone(0))
    assert Template("{{ v|dmy }}").render(Context({"v": late})) == "27.11.2026"


def test_translate_tag_renders_like_djangos_in_every_case() -> None:
    from django.template import Engine, engines
    from django.utils import translation

    ours = engines["django"].engine
    from teilhabe.core.templatetags import fast_i18n

    assert ours.template_libraries["i18n"] is fast_i18n.register
    django = Engine(libraries={"i18n": "django.templatetags.i18n"})
    snippets = [
        '{% translate "Participants" %}',
        '{% translate "Participants" %}|{% translate "Participants" %}',
        '{% trans "Referrals" context "referrals" %}',
        '{% translate "Public offer finder" context "finder" %}',
        '{% translate "50%% & <b>more</b>" %}',
        '{% translate "Participants" as label %}[{{ label }}]',
        '{% translate "Participants" noop %}',
        "{% translate word %}",
        '{% translate "participants"|upper %}',
        '{% translate "Participants" context ctx %}',
        '{% autoescape off %}{% translate "a & b" %}{% endautoescape %}',
        "{% blocktranslate count n=2 %}{{ n }} person{% plural %}{{ n }} people"
        "{% endblocktranslate %}",
    ]
    for language in ("de", "en", "ar"):
        with translation.override(language):
            for snippet in snippets:
                source = "{% load i18n %}" + snippet
                context = {"word": "Offers", "ctx": "referrals"}
                expected = django.from_string(source).render(Context(context))
                for _ in range(2):  # the second time from the dictionary
                    got = ours.from_string(source).render(Context(context))
                    assert got == expected, (language, snippet)
    with translation.override("de"):
        assert (
            ours.from_string('{% load i18n %}{% translate "Participants" %}').render(Context())
            == "Teilnehmende"
        )
