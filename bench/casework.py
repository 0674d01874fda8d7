"""Sessions of a case worker plus the case-work paths to measure, without a browser.

Run with the benchmark's environment (see bench/session.py)::

    python bench/casework.py fallarbeit 20 05754

Creates the sessions as bench/session.py does, then picks one participant of the tenant
whose open case has the user as responsible (not restricted, anonymised or merged; the
lowest pk, so the seed makes the choice deterministic).  Prints one JSON line: the fields
of bench/session.py plus ``paths`` (caseload, participant list, detail page, name search,
built with ``reverse``) and ``participant_id`` and ``last_name`` of the chosen person.
"""

from __future__ import annotations

import json
import sys
from urllib.parse import urlencode

from session import create_sessions


def main(username: str, count: int, tenant_ags: str) -> None:
    data = create_sessions(username, count, tenant_ags)

    from django.urls import reverse

    from teilhabe.accounts.models import User
    from teilhabe.participants.models import Case, CaseStatus

    user = User.objects.get(username=username)
    case = (
        Case.objects.filter(
            tenant__public_id=data["tenant_id"],
            responsible=user,
            participant__restricted=False,
            participant__anonymised_at__isnull=True,
            participant__merged_into__isnull=True,
        )
        .exclude(status=CaseStatus.CLOSED)
        .select_related("participant")
        .order_by("participant__pk")
        .first()
    )
    if case is None:
        raise SystemExit(f"{username} is responsible for no open case in tenant {tenant_ags}")
    person = case.participant
    tenant_id = data["tenant_id"]
    people = reverse("participants:participant_list", kwargs={"tenant_id": tenant_id})
    data["participant_id"] = str(person.public_id)
    data["last_name"] = person.last_name
    data["paths"] = {
        "caseload": reverse("participants:caseload", kwargs={"tenant_id": tenant_id}),
        "participants": people,
        "participant": reverse(
            "participants:participant_detail",
            kwargs={"tenant_id": tenant_id, "participant_id": person.public_id},
        ),
        "search": f"{people}?{urlencode({'q': person.last_name})}",
    }
    print(json.dumps(data))


if __name__ == "__main__":
    main(
        sys.argv[1] if len(sys.argv) > 1 else "fallarbeit",
        int(sys.argv[2]) if len(sys.argv) > 2 else 1,
        sys.argv[3] if len(sys.argv) > 3 else "05754",
    )
