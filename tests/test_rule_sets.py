"""Participation rules: the programme's rule sets and the tenant's own, edited in a form."""

from __future__ import annotations

from datetime import date

from django.test import Client
from django.urls import reverse

from teilhabe.audit.models import AuditEvent
from teilhabe.eligibility import Facts, Status, evaluate, rule_set_from_dict
from teilhabe.offers.models import RuleSetRecord
from teilhabe.offers.services import programme_rule_sets_load

from .conftest import World, login

VALID = {
    "name": "Sprachkurse für Geduldete",
    "code": "gt.sprache-duldung",
    "valid_from": "2026-01-01",
    "min_age": "18",
    "max_age": "27",
    "allow_age_exception": "on",
    "statuses": ["duldung:60a", "duldung:60c", "gestattung"],
    "not_in_state_facility": "on",
    "min_level": "A1",
}


def _url(name: str, world: World, **kw: object) -> str:
    return reverse(f"offers:{name}", kwargs={"tenant_id": world.tenant.public_id, **kw})


def test_programme_rule_sets_are_loaded_once_and_linked_to_modules(world: World) -> None:
    assert programme_rule_sets_load() == 6
    assert programme_rule_sets_load() == 0
    codes = set(RuleSetRecord.objects.filter(tenant=None).values_list("code", flat=True))
    assert {"diaa.target_group", "diaa.f1", "diaa.f2", "diaa.f5"} <= codes
    from teilhabe.offers.models import FundingSource

    assert FundingSource.objects.get(code="f2").rule_set.code == "diaa.f2"
    assert FundingSource.objects.get(code="sgb2").rule_set is None


def test_coordinator_creates_rules_in_a_form(world: World) -> None:
    client = login(Client(), world.users["coordination"])
    response = client.post(_url("rule_set_create", world), VALID)
    assert response.status_code == 302
    record = RuleSetRecord.objects.get(tenant=world.tenant, code="gt.sprache-duldung")
    rules = rule_set_from_dict(record.definition)
    assert [c.kind for c in rules.criteria] == [
        "age_range",
        "residence_status",
        "not_in_state_facility",
        "min_language_level",
    ]
    person = Facts.from_dict(
        {
            "birth_date": "2000-01-01",
            "residence_status": {"kind": "duldung", "paragraph": "60c"},
            "lives_in_state_facility": False,
            "german_level": "A2",
        }
    )
    assert evaluate(person, rules, date(2026, 11, 26)).status is Status.ELIGIBLE
    gestattet_ohne_deutsch = Facts.from_dict(
        {
            "birth_date": "2000-01-01",
            "residence_status": "gestattung",
            "lives_in_state_facility": False,
            "german_level": "A0",
        }
    )
    assert evaluate(gestattet_ohne_deutsch, rules, date(2026, 11, 26)).status is Status.NOT_ELIGIBLE
    assert AuditEvent.objects.filter(action="ruleset.create", tenant=world.tenant).exists()
    detail = client.get(_url("rule_set_detail", world, rule_set_id=record.public_id))
    assert "min_language_level" in detail.content.decode()
    # the form shows the stored values again
    edit = client.get(_url("rule_set_edit", world, rule_set_id=record.public_id))
    assert edit.context["form"].initial["statuses"] == ["duldung:60a", "duldung:60c", "gestattung"]


def test_bad_rules_are_refused_and_nothing_is_written(world: World) -> None:
    client = login(Client(), world.users["coordination"])
    before = RuleSetRecord.objects.count()
    for change, message in (
        ({"max_age": "16"}, "Das Höchstalter liegt unter dem Mindestalter."),
        ({"valid_until": "2025-01-01"}, "Das Ende liegt vor dem Beginn."),
        ({"code": "mit leerzeichen"}, "Nur Kleinbuchstaben, Ziffern, Punkt, - und _."),
        ({"statuses": ["duldung:99x"]}, "keine gültige Auswahl"),
    ):
        response = client.post(_url("rule_set_create", world), {**VALID, **change})
        assert response.status_code == 200
        assert message in response.content.decode(), message
    programme_rule_sets_load()
    before = RuleSetRecord.objects.count()
    clash = client.post(_url("rule_set_create", world), {**VALID, "code": "diaa.f2"})
    assert "Ein Regelwerk mit diesem Code gibt es bereits." in clash.content.decode()
    assert RuleSetRecord.objects.count() == before


def test_programme_rules_cannot_be_edited_by_a_tenant(world: World) -> None:
    programme_rule_sets_load()
    record = RuleSetRecord.objects.get(tenant=None, code="diaa.f2")
    client = login(Client(), world.users["coordination"])
    assert (
        client.get(_url("rule_set_detail", world, rule_set_id=record.public_id)).status_code == 200
    )
    assert client.get(_url("rule_set_edit", world, rule_set_id=record.public_id)).status_code == 404
    other = RuleSetRecord.objects.create(
        tenant=world.other_tenant, code="bi.x", name="Bielefeld", definition=record.definition
    )
    assert (
        client.get(_url("rule_set_detail", world, rule_set_id=other.public_id)).status_code == 404
    )
