"""The audit log: append-only, own trail, tenant search, CSV export."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from teilhabe.audit.models import AppendOnlyError, AuditEvent
from teilhabe.audit.services import audit_record

from .conftest import World, login


def test_audit_events_cannot_be_changed_or_deleted_through_the_orm(world: World) -> None:
    event = audit_record(
        actor=world.users["tenant_admin"],
        action="read",
        obj=world.users["volunteer"],
        tenant=world.tenant,
    )
    event.action = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "read"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database trigger on PostgreSQL")
def test_postgresql_refuses_update_and_delete_of_audit_rows(world: World) -> None:
    event = audit_record(actor=None, action="read", tenant=world.tenant)
    for sql in (
        "UPDATE audit_auditevent SET action = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "read"


def test_event_records_actor_tenant_object_and_address(world: World) -> None:
    client = login(Client(), world.users["tenant_admin"])
    client.post(
        reverse(
            "accounts:tenant_user_detail",
            args=[world.tenant.public_id, world.users["volunteer"].public_id],
        ),
        {"action": "roles", "roles": ["volunteer", "provider"]},
        REMOTE_ADDR="192.0.2.10",
    )
    event = AuditEvent.objects.get(action="membership.change")
    assert event.actor == world.users["tenant_admin"]
    assert event.tenant == world.tenant
    assert event.object_id == str(world.users["volunteer"].public_id)
    assert event.ip_address == "192.0.2.10"


def test_every_user_sees_only_their_own_trail(world: World) -> None:
    audit_record(actor=world.users["volunteer"], action="auth.login")
    audit_record(actor=world.users["provider"], action="auth.login")
    client = login(Client(), world.users["volunteer"])
    page = client.get(reverse("audit:own_log"))
    events = list(page.context["page"].object_list)
    assert events and all(e.actor == world.users["volunteer"] for e in events)


def test_tenant_log_search_filters(world: World) -> None:
    audit_record(
        actor=world.users["case_worker"],
        action="read",
        obj=world.users["volunteer"],
        tenant=world.tenant,
    )
    audit_record(
        actor=world.users["coordination"],
        action="user.create",
        obj=world.users["provider"],
        tenant=world.tenant,
    )
    audit_record(actor=world.users["other_tenant"], action="read", tenant=world.other_tenant)
    client = login(Client(), world.users["tenant_admin"])
    url = reverse("audit:tenant_log", args=[world.tenant.public_id])
    all_events = client.get(url).context["page"].object_list
    assert all(e.tenant_id == world.tenant.pk for e in all_events)
    by_person = client.get(url, {"q": "user_case_worker"}).context["page"].object_list
    assert [e.action for e in by_person] == ["read"]
    by_action = client.get(url, {"action": "user."}).context["page"].object_list
    assert {e.action for e in by_action} == {"user.create"}
    bad = client.get(url, {"date_from": "2026-05-01", "date_to": "2026-01-01"})
    assert "Das Anfangsdatum liegt nach dem Enddatum." in bad.content.decode()


def test_csv_export_neutralises_formulas_and_is_audited(world: World) -> None:
    audit_record(
        actor=None,
        action="auth.login_failed",
        actor_label='=HYPERLINK("http://x")',
        tenant=world.tenant,
    )
    client = login(Client(), world.users["tenant_admin"])
    response = client.get(reverse("audit:tenant_log_export", args=[world.tenant.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Zeitpunkt", "Person", "Aktion"]
    persons = [r[1] for r in rows[1:]]
    assert '\'=HYPERLINK("http://x")' in persons
    assert not any(p.startswith("=") for p in persons)
    assert AuditEvent.objects.filter(
        action="audit.export", actor=world.users["tenant_admin"]
    ).exists()


def test_tenant_log_query_count_is_constant(world: World, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = login(Client(), world.users["tenant_admin"])
    url = reverse("audit:tenant_log", args=[world.tenant.public_id])
    for _ in range(5):
        audit_record(actor=world.users["case_worker"], action="read", tenant=world.tenant)
    with django_assert_max_num_queries(20) as ctx:
        client.get(url)
    few = len(ctx.captured_queries)
    for _ in range(40):
        audit_record(actor=world.users["coordination"], action="read", tenant=world.tenant)
    with django_assert_max_num_queries(few):
        client.get(url)
