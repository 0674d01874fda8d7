"""Pages of the needs area: the coordinator's path (figures, matrix, drill-down, gap, measure,
report), the case worker's survey and chains, bad input with German errors and nothing
written, query counts."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from teilhabe.audit.models import AuditEvent
from teilhabe.needs.imports import HEADERS
from teilhabe.needs.models import (
    Gap,
    ParticipantNeed,
    PlannedMeasure,
    TargetGroupRow,
    TargetGroupSnapshot,
)
from teilhabe.territory.models import Territory
from tests.conftest import World, login
from tests.factories import make_offer, make_provider
from tests.needs_factories import category, person_with_need, snapshot

pytestmark = pytest.mark.django_db


def u(world: World, name: str, *args: object) -> str:
    return reverse(f"needs:{name}", args=[world.tenant.public_id, *args])


def coord(world: World) -> Client:
    return login(Client(), world.users["coordination"])


def _csv(rows: list[list[object]]) -> SimpleUploadedFile:
    header = ";".join(HEADERS)
    lines = [header] + [";".join(str(c) for c in r) for r in rows]
    return SimpleUploadedFile(
        "zielgruppe.csv", ("\n".join(lines)).encode(), content_type="text/csv"
    )


def _gemeinde(world: World) -> Territory:
    return Territory.objects.filter(parent=world.tenant.territory).order_by("name").first()  # type: ignore[return-value]


def _day(delta: int = 0) -> str:
    return (timezone.localdate() - timedelta(days=delta)).strftime("%d.%m.%Y")


def test_import_of_a_correct_file_records_the_stichtag(world: World) -> None:
    g = _gemeinde(world)
    f = _csv(
        [
            [_day(30), g.ags, "duldung", "18-20", "männlich", "AF", "AsylbLG", 12],
            [
                _day(30),
                g.name,
                "Aufenthaltsgestattung / Ankunftsnachweis",
                "21–24",
                "w",
                "SY",
                "AsylbLG",
                7,
            ],
            [_day(30), "", "gestattung", "25-27", "", "DE", "SGB II", 3],
            [_day(30), g.ags, "Summe", "", "", "", "", 19],
            [_day(30), "", "Summe", "", "", "", "", 22],
        ]
    )
    r = coord(world).post(u(world, "target_group_import"), {"file": f, "source": "ABH"})
    assert r.status_code == 302, r.content.decode()[:3000]
    snap = TargetGroupSnapshot.objects.get(tenant=world.tenant)
    assert snap.total == 22 and snap.source == "ABH"
    assert set(TargetGroupRow.objects.values_list("nationality", flat=True)) == {
        "AF",
        "SY",
        "other",
    }
    page = coord(world).get(u(world, "target_group"))
    assert "<svg" in page.content.decode() and 'id="development"' in page.content.decode()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ([_day(30), "", "duldung", "18-20", "m", "AF", "AsylbLG", -3], "darf nicht negativ sein"),
        ([_day(-5), "", "duldung", "18-20", "m", "AF", "AsylbLG", 3], "in der Zukunft"),
        ([_day(30), "", "flüchtling", "18-20", "m", "AF", "AsylbLG", 3], "Unbekannte Statusgruppe"),
        ([_day(30), "Bielefeld", "duldung", "18-20", "m", "AF", "AsylbLG", 3], "keine Gemeinde"),
        ([_day(30), "", "duldung", "30-35", "m", "AF", "AsylbLG", 3], "Unbekannte Altersgruppe"),
    ],
)
def test_bad_import_rows_give_german_errors_and_write_nothing(
    world: World, row: list[object], message: str
) -> None:
    good = [_day(30), "", "gestattung", "18-20", "w", "SY", "AsylbLG", 5]
    r = coord(world).post(u(world, "target_group_import"), {"file": _csv([good, row])})
    assert r.status_code == 200
    body = r.content.decode()
    assert "Es wurde nichts importiert" in body
    assert message in body
    assert (
        '<th scope="row" class="kern-table__cell kern-table__cell--numeric">3</th>' in body
    )  # row 3
    assert not TargetGroupSnapshot.objects.exists() and not TargetGroupRow.objects.exists()


def test_import_totals_that_do_not_add_up_write_nothing(world: World) -> None:
    rows = [
        [_day(30), "", "duldung", "18-20", "m", "AF", "AsylbLG", 10],
        [_day(30), "", "Summe", "", "", "", "", 11],
    ]
    r = coord(world).post(u(world, "target_group_import"), {"file": _csv(rows)})
    assert "stimmt nicht mit der Summe der Zeilen (10) überein" in r.content.decode()
    assert not TargetGroupSnapshot.objects.exists()


def test_import_xlsx_template_round_trip(world: World) -> None:
    c = coord(world)
    template = c.get(u(world, "target_group_template"))
    assert template.status_code == 200
    wb = load_workbook(io.BytesIO(template.content))
    assert wb.active.cell(1, 1).value == "Stichtag"
    ws = wb.active
    for r in range(2, ws.max_row + 1):
        ws.cell(r, 1).value = _day(10)
    buf = io.BytesIO()
    wb.save(buf)
    f = SimpleUploadedFile("z.xlsx", buf.getvalue())
    r = c.post(u(world, "target_group_import"), {"file": f})
    assert r.status_code == 302
    assert TargetGroupSnapshot.objects.get().total == 19


def test_form_entry_checks_totals_negative_and_future(world: World) -> None:
    c = coord(world)
    base = {
        "reference_date": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "source": "ABH",
        "total": "10",
        "n_duldung_18_20": "6",
        "n_gestattung_21_24": "4",
    }
    assert c.get(u(world, "target_group_create")).status_code == 200
    bad_sum = c.post(u(world, "target_group_create"), base | {"total": "11"})
    assert "ergeben 10, nicht die Gesamtzahl 11" in bad_sum.content.decode()
    negative = c.post(
        u(world, "target_group_create"), base | {"n_duldung_18_20": "-6", "total": "-2"}
    )
    assert "nicht negativ" in negative.content.decode()
    future = c.post(
        u(world, "target_group_create"),
        base | {"reference_date": (timezone.localdate() + timedelta(days=1)).isoformat()},
    )
    assert "in der Zukunft" in future.content.decode()
    assert not TargetGroupSnapshot.objects.exists()
    ok = c.post(u(world, "target_group_create"), base)
    assert ok.status_code == 302
    assert TargetGroupSnapshot.objects.get().total == 10
    again = c.post(u(world, "target_group_create"), base)
    assert "existieren bereits" in again.content.decode()
    assert (
        c.post(
            u(world, "target_group_create"),
            base | {"replace": "on", "total": "6", "n_gestattung_21_24": ""},
        ).status_code
        == 302
    )
    assert TargetGroupSnapshot.objects.get().total == 6


def test_coordinator_path_matrix_cell_gap_measure_report(
    world: World, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    cw = world.users["case_worker"]
    for i in range(6):
        person_with_need(world.tenant, cw, name=f"P{i}", category_code="arbeit")
    provider = make_provider(world.tenant)
    make_offer(world.tenant, provider, key="k1")
    snapshot(
        world.tenant, timezone.localdate() - timedelta(days=20), [("duldung", "18_20", "male", 40)]
    )
    c = coord(world)
    with django_assert_max_num_queries(30):
        page = c.get(u(world, "matrix"))
    body = page.content.decode()
    assert page.status_code == 200 and "Lücke" in body
    assert c.get(u(world, "matrix") + "?ansicht=tabelle").status_code == 200
    for dim in ("age", "sex", "gemeinde"):
        assert c.get(u(world, "matrix") + f"?dim={dim}").status_code == 200
    cell_url = u(world, "cell") + "?dim=status&kategorie=arbeit&spalte=duldung"
    cell = c.get(cell_url)
    assert cell.status_code == 200
    assert 'id="no-accessible"' in cell.content.decode()
    assert 'id="cell-people"' not in cell.content.decode()  # no participants for the coordination
    r = c.post(
        u(world, "gap_create"),
        {
            "stichtag": timezone.localdate().isoformat(),
            "dim": "status",
            "kategorie": "arbeit",
            "spalte": "duldung",
            "title": "Arbeit für Geduldete",
        },
    )
    gap = Gap.objects.get()
    assert r.status_code == 302 and gap.demand == 6 and gap.status_group == "duldung"
    detail = c.get(u(world, "gap_detail", gap.public_id))
    assert detail.status_code == 200
    form = c.get(u(world, "measure_create") + f"?luecke={gap.public_id}")
    assert "Arbeit für Geduldete" in form.content.decode()
    no_funding = c.post(
        u(world, "measure_create") + f"?luecke={gap.public_id}",
        {
            "title": "Jobcoaching",
            "target_group": "Geduldete",
            "responsible_organisation": "KI",
            "status": "geplant",
            "capacity": "3",
        },
    )
    assert "Förderbaustein" in no_funding.content.decode()
    assert not PlannedMeasure.objects.exists()
    from teilhabe.offers.models import FundingSource

    f1 = FundingSource.objects.get(code="f1")
    r = c.post(
        u(world, "measure_create") + f"?luecke={gap.public_id}",
        {
            "title": "Jobcoaching",
            "target_group": "Geduldete",
            "responsible_organisation": "KI",
            "status": "geplant",
            "capacity": "3",
            "funding": str(f1.public_id),
        },
    )
    assert r.status_code == 302
    measure = PlannedMeasure.objects.get()
    assert measure.gap == gap
    detail = c.get(u(world, "gap_detail", gap.public_id)).content.decode()
    assert "50 %" in detail  # 3 seats for 6 people
    pdf = c.get(u(world, "report_pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = c.get(u(world, "report_xlsx"))
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert "Jobcoaching" in [row[0].value for row in wb.worksheets[-1].iter_rows()]
    assert AuditEvent.objects.filter(action="needs.report").count() == 2


def test_small_numbers_are_coarsened_for_the_alliance(world: World) -> None:
    cw = world.users["case_worker"]
    for i in range(3):
        person_with_need(
            world.tenant,
            cw,
            name=f"P{i}",
            category_code="wohnen" if category("wohnen") else "arbeit",
        )
    c = login(Client(), world.users["alliance_member"])
    body = c.get(u(world, "matrix") + "?ansicht=tabelle").content.decode()
    assert "&lt; 5" in body
    assert ">3<" not in body


def test_survey_by_the_case_worker_is_audited_others_get_404(world: World) -> None:
    cw = world.users["case_worker"]
    p = person_with_need(world.tenant, cw, name="Survey")
    c = login(Client(), cw)
    url = u(world, "survey", p.public_id)
    assert c.get(url).status_code == 200
    lang, work = category("sprache"), category("arbeit")
    r = c.post(url, {f"c_{work.pk}": "1", f"c_{lang.pk}": ""})
    assert r.status_code == 302
    assert list(ParticipantNeed.objects.values_list("category__code", "urgency")) == [("arbeit", 1)]
    survey_events = AuditEvent.objects.filter(
        action="update",
        object_type="participants.participant",
        object_id=str(p.public_id),
        changes___details__page="needs_survey",
    )
    assert survey_events.count() == 1
    # another case worker / the coordination: 404, audited
    assert coord(world).get(url).status_code == 403
    other = person_with_need(world.tenant, world.users["coordination"], name="Fremd")
    assert c.get(u(world, "survey", other.public_id)).status_code == 404
    assert AuditEvent.objects.filter(action="security.participant_denied").exists()


def test_case_worker_drilldown_shows_own_participants(world: World) -> None:
    cw = world.users["case_worker"]
    person_with_need(world.tenant, cw, name="Eigen")
    c = login(Client(), cw)
    body = c.get(u(world, "cell") + "?dim=status&kategorie=sprache&spalte=duldung").content.decode()
    assert 'id="cell-people"' in body and "Eigen" in body
    assert "Dringlichkeit: mittel" in body
    assert AuditEvent.objects.filter(action="needs.participants_listed").exists()


def test_bad_cell_parameters_are_404(world: World) -> None:
    c = coord(world)
    assert c.get(u(world, "cell") + "?dim=status&kategorie=nope&spalte=duldung").status_code == 404
    assert c.get(u(world, "cell") + "?dim=status&kategorie=sprache&spalte=nope").status_code == 404
    assert c.get(u(world, "matrix") + "?gemeinde=99999999").status_code == 404


def test_estimate_form_refuses_negative_and_future_and_saves(world: World) -> None:
    from teilhabe.needs.models import NeedEstimate

    c = coord(world)
    data = {
        "reference_date": timezone.localdate().isoformat(),
        "category": str(category("wohnen").pk),
        "status_group": "duldung",
        "count": "-1",
        "source_kind": "estimate",
        "source": "Sozialamt",
    }
    r = c.post(u(world, "estimates"), data)
    assert "Anzahlen dürfen nicht negativ sein." in r.content.decode()
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    r = c.post(u(world, "estimates"), data | {"count": "4", "reference_date": future})
    assert "in der Zukunft" in r.content.decode()
    assert not NeedEstimate.objects.exists()
    assert c.post(u(world, "estimates"), data | {"count": "12"}).status_code == 302
    assert NeedEstimate.objects.get().count == 12
    # the estimate is demand in the matrix; the alliance member may read, not write
    member = login(Client(), world.users["alliance_member"])
    assert member.get(u(world, "estimates")).status_code == 200
    assert member.post(u(world, "estimates"), data | {"count": "3"}).status_code == 403
    assert NeedEstimate.objects.count() == 1


def test_list_pages_run_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    cw = world.users["case_worker"]
    for i in range(8):
        person_with_need(world.tenant, cw, name=f"P{i}", category_code="arbeit")
    today = timezone.localdate()
    for k in range(3):
        snapshot(
            world.tenant,
            today - timedelta(days=40 * (k + 1)),
            [("duldung", "18_20", "male", 10 + k)],
        )
    c = coord(world)
    for i in range(6):
        c.post(
            u(world, "gap_create"),
            {
                "stichtag": today.isoformat(),
                "dim": "status",
                "kategorie": "arbeit",
                "spalte": "duldung",
                "title": f"Lücke {i}",
            },
        )
    gap = Gap.objects.first()
    assert gap is not None
    for i in range(6):
        PlannedMeasure.objects.create(
            tenant=world.tenant,
            gap=gap,
            title=f"M{i}",
            target_group="x",
            responsible_organisation="KI",
            capacity=2,
        )
    for name in ("overview", "target_group", "estimates", "gap_list", "measure_list"):
        with django_assert_max_num_queries(20):
            assert c.get(u(world, name)).status_code == 200
    with django_assert_max_num_queries(90):  # up to six Stichtage, a fixed number each
        assert c.get(u(world, "trend")).status_code == 200
        assert c.get(u(world, "gap_detail", gap.public_id)).status_code == 200


def test_gap_can_be_closed_and_measure_edited_with_conflict(world: World) -> None:
    c = coord(world)
    gap = Gap.objects.create(
        tenant=world.tenant,
        reference_date=timezone.localdate(),
        category=category("wohnen"),
        status_group="duldung",
        title="Wohnen",
    )
    r = c.post(u(world, "gap_detail", gap.public_id), {"status": "geschlossen"})
    assert r.status_code == 302
    gap.refresh_from_db()
    assert gap.status == "geschlossen" and gap.closed_on == timezone.localdate()
    measure = PlannedMeasure.objects.create(
        tenant=world.tenant,
        gap=gap,
        title="Wohnraumlotsen",
        target_group="Geduldete",
        responsible_organisation="KI",
        funding_note="Stiftung",
    )
    provider = make_provider(world.tenant)
    offer = make_offer(world.tenant, provider, key="lotsen")
    data = {
        "title": "Wohnraumlotsen",
        "target_group": "Geduldete",
        "responsible_organisation": "KI",
        "funding_note": "Stiftung",
        "status": "laeuft",
        "capacity": "10",
        "offer": str(offer.public_id),
        "version": str(measure.version),
    }
    assert c.post(u(world, "measure_edit", measure.public_id), data).status_code == 302
    measure.refresh_from_db()
    assert measure.offer == offer and measure.status == "laeuft" and measure.version == 2
    stale = c.post(u(world, "measure_edit", measure.public_id), data | {"capacity": "12"})
    assert "inzwischen geändert" in stale.content.decode()
    measure.refresh_from_db()
    assert measure.capacity == 10
    # the evaluation reads the measure, may not change it
    ev = login(Client(), world.users["evaluator"])
    assert ev.get(u(world, "measure_edit", measure.public_id)).status_code == 200
    assert ev.post(u(world, "measure_edit", measure.public_id), data).status_code == 403


def test_another_tenants_objects_are_404(world: World) -> None:
    other_gap = Gap.objects.create(
        tenant=world.other_tenant,
        reference_date=timezone.localdate(),
        category=category("wohnen"),
        status_group="duldung",
        title="Fremd",
    )
    assert coord(world).get(u(world, "gap_detail", other_gap.public_id)).status_code == 404
    other_snap = snapshot(
        world.other_tenant, timezone.localdate(), [("duldung", "18_20", "male", 5)]
    )
    assert coord(world).get(u(world, "snapshot_detail", other_snap.public_id)).status_code == 404


def test_chains_page_lists_own_participants_for_case_workers(world: World) -> None:
    from teilhabe.participants.models import EducationEpisode

    cw = world.users["case_worker"]
    p = person_with_need(world.tenant, cw, name="Kette")
    for i in range(3):
        EducationEpisode.objects.create(
            tenant=world.tenant,
            participant=p,
            kind="kurs",
            title=f"Kurs {i}",
            started_on=timezone.localdate() - timedelta(days=60 * (i + 1)),
        )
    body = login(Client(), cw).get(u(world, "chains")).content.decode()
    assert "Kette" in body
    overview = coord(world).get(u(world, "overview")).content.decode()
    assert 'id="chain-count">&lt; 5<' in overview
    assert "Kette" not in overview


def test_import_accepts_status_kind_with_paragraph(world: World) -> None:
    rows = [
        [_day(20), "", "aufenthaltserlaubnis", "21-24", "m", "SY", "SGB II", 8, "25a"],
        [_day(20), "", "duldung", "18-20", "m", "AF", "AsylbLG", 4, "§60c"],
    ]
    r = coord(world).post(u(world, "target_group_import"), {"file": _csv(rows)})
    assert r.status_code == 302
    groups = dict(TargetGroupRow.objects.values_list("status_group", "count"))
    assert groups == {"ae_bleiberecht": 8, "duldung_60c_60d": 4}


def test_import_unknown_paragraph_is_an_error(world: World) -> None:
    rows = [[_day(20), "", "aufenthaltserlaubnis", "21-24", "m", "SY", "SGB II", 8, "99z"]]
    r = coord(world).post(u(world, "target_group_import"), {"file": _csv(rows)})
    assert "Unbekannter Paragraf „99z“" in r.content.decode()
    assert not TargetGroupSnapshot.objects.exists()


def test_report_coarsens_small_counts(world: World) -> None:
    cw = world.users["case_worker"]
    for i in range(3):
        person_with_need(world.tenant, cw, name=f"P{i}", category_code="arbeit")
    snapshot(
        world.tenant, timezone.localdate() - timedelta(days=5), [("duldung", "18_20", "male", 2)]
    )
    xlsx = login(Client(), world.users["evaluator"]).get(u(world, "report_xlsx"))
    wb = load_workbook(io.BytesIO(xlsx.content))
    values = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert "< 5" in values
    matrix = wb.worksheets[2]
    labels = [row[0].value for row in matrix.iter_rows()]
    arbeit = next(row for row in matrix.iter_rows() if row[0].value == "Arbeit und Qualifizierung")
    assert "Arbeit und Qualifizierung" in labels
    assert arbeit[4].value == "< 5"  # Duldung is the second status group: demand 3 shown coarsened


def test_support_plan_links_to_the_needs_survey(world: World) -> None:
    from teilhabe.participants.models import Case

    cw = world.users["case_worker"]
    p = person_with_need(world.tenant, cw, name="Planlink")
    case = Case.objects.get(participant=p)
    c = login(Client(), cw)
    plan = reverse("participants:case_plan", args=[world.tenant.public_id, case.public_id])
    page = c.get(plan).content.decode()
    survey = u(world, "survey", p.public_id)
    assert f'id="needs-survey-link" href="{survey}"' in page
    assert "Bedarfe erfassen (Kurzbefragung mit der Person)" in page
    assert c.get(survey).status_code == 200
