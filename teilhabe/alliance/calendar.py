"""iCalendar (RFC 5545) for meetings: the invitation attached to the e-mail (METHOD:REQUEST)
and the tenant's calendar feed (METHOD:PUBLISH), built with the ``icalendar`` library.

Times are written with their Europe/Berlin time zone and a VTIMEZONE component, so that
calendar clients show the right local time across daylight-saving changes.  The feed carries
no names of people: title, time, place, video link and the agenda topics only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from .models import Attendee, Meeting, MeetingStatus

PRODID = "-//Teilhabe//Buendnis//DE"


def _uid(meeting: Meeting) -> str:
    return f"{meeting.public_id}@teilhabe"


def _local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(ZoneInfo(settings.TIME_ZONE))


def _event(meeting: Meeting, *, with_agenda: bool = True) -> Event:
    event = Event()
    event.add("uid", _uid(meeting))
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", _local(meeting.starts_at))
    event.add("dtend", _local(meeting.ends_at))
    event.add("summary", meeting.title)
    event.add("sequence", meeting.sequence)
    if meeting.place:
        event.add("location", meeting.place)
    elif meeting.video_link:
        event.add("location", meeting.video_link)
    if meeting.video_link:
        event.add("url", meeting.video_link)
    lines = [meeting.get_kind_display()]
    if meeting.group_id is not None:
        lines.append(str(meeting.group))
    if with_agenda:
        items = list(meeting.agenda_items.all())
        if items:
            lines.append("")
            lines.extend(f"TOP {i.position}: {i.topic}" for i in items)
    if meeting.video_link:
        lines.extend(["", meeting.video_link])
    event.add("description", "\n".join(lines))
    event.add("status", "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED")
    return event


def _calendar(method: str, name: str = "") -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def invitation_ics(meeting: Meeting, attendee: Attendee, *, organizer_email: str) -> bytes:
    """The invitation for one person (METHOD:REQUEST with ORGANIZER and ATTENDEE)."""
    cal = _calendar("CANCEL" if meeting.status == MeetingStatus.CANCELLED else "REQUEST")
    event = _event(meeting)
    organizer = vCalAddress(f"mailto:{organizer_email}")
    organizer.params["cn"] = vText(str(meeting.tenant))
    event.add("organizer", organizer)
    member = attendee.member
    address = vCalAddress(f"mailto:{member.email}")
    address.params["cn"] = vText(member.full_name)
    address.params["role"] = vText("REQ-PARTICIPANT")
    address.params["partstat"] = vText("NEEDS-ACTION")
    address.params["rsvp"] = vText("FALSE")
    event.add("attendee", address)
    cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def meeting_ics(meeting: Meeting) -> bytes:
    """A single meeting to download (METHOD:PUBLISH, no attendees)."""
    cal = _calendar("PUBLISH")
    cal.add_component(_event(meeting))
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def feed_ics(tenant: Any, meetings: Iterable[Meeting]) -> bytes:
    """The tenant's feed of alliance meetings (METHOD:PUBLISH)."""
    cal = _calendar("PUBLISH", name=f"Bündnis – {tenant.name}")
    for meeting in meetings:
        cal.add_component(_event(meeting))
    cal.add_missing_timezones()
    return bytes(cal.to_ical())
