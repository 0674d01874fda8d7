from django.test import Client


def test_health_answers_ok(db: None) -> None:
    response = Client().get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_dashboard_renders_for_member(world, as_role) -> None:  # type: ignore[no-untyped-def]
    response = as_role("tenant_admin").get(f"/t/{world.tenant.public_id}/")
    assert response.status_code == 200
    assert "Kreis Gütersloh" in response.content.decode()
