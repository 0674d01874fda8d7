from __future__ import annotations

from django.core.management import call_command
from django.db import connection

from teilhabe.accounts.models import Membership, Tenant, User
from teilhabe.accounts.roles import TENANT_ROLES
from teilhabe.seeding.builders import seed_kreis, seed_nrw
from teilhabe.territory.models import Territory, TerritoryKind
from teilhabe.territory.services import territories_load


def test_reference_territories_are_complete(territories: None) -> None:
    assert Territory.objects.count() == 1 + 5 + 427
    assert Territory.objects.gemeinden().count() == 396
    assert Territory.objects.filter(kind=TerritoryKind.KREIS).count() == 30
    assert Territory.objects.filter(kind=TerritoryKind.KREISFREIE_STADT).count() == 22
    assert Territory.objects.filter(kind=TerritoryKind.STAEDTEREGION).count() == 1
    assert Territory.objects.top_level().count() == 53


def test_hierarchy_and_aachen_special_status(territories: None) -> None:
    guetersloh = Territory.objects.get(name="Gütersloh")
    assert guetersloh.parent.name == "Kreis Gütersloh"
    assert guetersloh.parent.parent.name == "Regierungsbezirk Detmold"
    assert guetersloh.parent.parent.parent.ags == "05"
    aachen = Territory.objects.get(ags="05334002")
    assert aachen.has_kreisfreie_rights
    assert aachen.parent.kind == TerritoryKind.STAEDTEREGION
    assert Territory.objects.filter(has_kreisfreie_rights=True).count() == 1


def test_loading_twice_changes_nothing(territories: None) -> None:
    result = territories_load()
    assert (result.created, result.updated, result.unchanged) == (0, 0, 433)
    Territory.objects.filter(ags="05754008").update(name="Falsch")
    assert territories_load().updated == 1
    assert Territory.objects.get(ags="05754008").name == "Gütersloh"


def test_seed_kreis_is_deterministic_and_covers_every_role(territories: None) -> None:
    result = seed_kreis(7)
    names_first = sorted(User.objects.values_list("username", "first_name", "last_name"))
    main = Tenant.objects.get(territory__ags="05754")
    roles = set(Membership.objects.filter(tenant=main).values_list("role", flat=True))
    assert roles == {r.value for r in TENANT_ROLES}
    assert len(result.tenants) == 3
    seed_kreis(7)  # idempotent
    assert sorted(User.objects.values_list("username", "first_name", "last_name")) == names_first
    assert User.objects.get(username="koordination").memberships.count() == 2
    assert User.objects.get(username="fallarbeit").check_password("Teilhabe-Demo-2026")


def test_seed_nrw_builds_73_tenants(territories: None) -> None:
    seed_nrw(1, with_casework=False)
    assert Tenant.objects.count() == 73
    assert Tenant.objects.filter(territory__ags="05334002").exists()
    some = Tenant.objects.exclude(territory__ags__in=["05754", "05711"]).first()
    assert Membership.objects.filter(tenant=some).count() >= len(TENANT_ROLES)


def test_seed_command_prints_logins(territories: None, capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("seed", "--scale", "kreis")
    out = capsys.readouterr().out
    assert "Teilhabe-Demo-2026" in out
    for username in ("admin", "land", "koordination", "fallarbeit", "verwaltung"):
        assert username in out
    if connection.vendor == "postgresql":
        # statistics gathered after the bulk load (the planner would guess from defaults)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stats WHERE tablename = 'participants_participant'"
            )
            assert cursor.fetchone()[0] > 0
