"""Platform administration of shared directory data: programme rule sets and categories."""

from __future__ import annotations

import json

from django.test import Client
from django.urls import reverse

from teilhabe.audit.models import AuditEvent
from teilhabe.offers.models import Category, RuleSetRecord
from teilhabe.offers.services import programme_rule_sets_load

from .conftest import World, login


def _record() -> RuleSetRecord:
    programme_rule_sets_load()
    return RuleSetRecord.objects.get(tenant=None, code="diaa.f2")


def test_platform_admin_changes_programme_period_as_data(world: World) -> None:
    record = _record()
    client = login(Client(), world.users["platform_admin"])
    url = reverse("offers:platform_rule_set_edit", args=[record.public_id])
    definition = dict(record.definition, valid_until="2026-12-31")
    response = client.post(url, {"name": record.name, "definition": json.dumps(definition)})
    assert response.status_code == 302
    record.refresh_from_db()
    assert str(record.valid_until) == "2026-12-31"
    assert AuditEvent.objects.filter(
        action="ruleset.update", object_id=str(record.public_id)
    ).exists()


def test_invalid_rule_json_is_refused(world: World) -> None:
    record = _record()
    before = record.definition
    client = login(Client(), world.users["platform_admin"])
    url = reverse("offers:platform_rule_set_edit", args=[record.public_id])
    for payload, message in (
        ("{nicht json", "Kein gültiges JSON"),
        ("[]", "JSON-Objekt"),
        (
            json.dumps(
                dict(
                    before,
                    criteria=[{"code": "x", "kind": "unbekannt", "required": True, "params": {}}],
                )
            ),
            "Die Regeln sind ungültig",
        ),
        (json.dumps(dict(before, code="anders")), "Code eines Programm-Regelwerks"),
    ):
        response = client.post(url, {"name": record.name, "definition": payload})
        assert response.status_code == 200
        assert message in response.content.decode(), message
    record.refresh_from_db()
    assert record.definition == before


def test_platform_admin_edits_taxonomy(world: World) -> None:
    client = login(Client(), world.users["platform_admin"])
    response = client.post(
        reverse("offers:platform_categories"),
        {
            "code": "digitales",
            "name": "Digitale Teilhabe",
            "name_plain": "Computer und Handy",
            "sort_order": "130",
            "is_active": "on",
            "name_en": "Digital participation",
            "name_ar": "المشاركة الرقمية",
        },
    )
    assert response.status_code == 302
    category = Category.objects.get(code="digitales")
    assert category.translations == {"en": "Digital participation", "ar": "المشاركة الرقمية"}
    assert (
        category.name_in("ar") == "المشاركة الرقمية"
        and category.name_in("tr") == "Digitale Teilhabe"
    )
    dup = client.post(
        reverse("offers:platform_categories"), {"code": "digitales", "name": "X", "sort_order": "1"}
    )
    assert dup.status_code == 200
    assert Category.objects.filter(code="digitales").count() == 1
