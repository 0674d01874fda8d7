"""People who work for several municipalities choose and switch the tenant."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from e2e.support import check_page, follow, make_device, sign_in
from teilhabe.accounts.models import Membership
from teilhabe.accounts.roles import Role
from tests.conftest import World, make_user

pytestmark = pytest.mark.e2e


def test_choose_and_switch_tenant(page: Page, world: World) -> None:
    a, b = world.tenant, world.other_tenant
    person = make_user("pendlerin", first_name="Paula", last_name="Pendel")
    Membership.objects.create(tenant=a, user=person, role=Role.COORDINATION)
    Membership.objects.create(tenant=b, user=person, role=Role.ALLIANCE_MEMBER)
    sign_in(page, person.username, device=make_device(person))

    chooser = page.locator("#tenant-list")
    assert page.get_by_role("heading", level=1).inner_text() == "Mandant wählen"
    assert chooser.get_by_role("link").all_inner_texts() == [a.name, b.name]
    assert "Geschäftsführende Stelle" in chooser.locator("li", has_text=a.name).inner_text()
    assert "Bündnis-Mitglied" in chooser.locator("li", has_text=b.name).inner_text()

    follow(page, a.name, within=chooser)
    assert page.url.endswith(f"/t/{a.public_id}/")
    assert page.get_by_role("heading", level=1).inner_text() == a.name

    follow(page, "Mandant wechseln")
    follow(page, b.name, within=page.locator("#tenant-list"))
    assert page.url.endswith(f"/t/{b.public_id}/")
    assert page.get_by_role("heading", level=1).inner_text() == b.name
    assert "Bündnis-Mitglied" in page.get_by_text("Ihre Rollen hier:").inner_text()

    # The first tenant's address still works: both memberships stay valid.
    page.goto(f"/t/{a.public_id}/")
    check_page(page)
    assert page.get_by_role("heading", level=1).inner_text() == a.name
