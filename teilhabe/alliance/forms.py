"""Forms of the alliance.  They parse input; the services decide (their German messages are
shown at the form).  Choice querysets are always narrowed to the tenant."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from teilhabe.accounts.models import User
from teilhabe.accounts.roles import Role
from teilhabe.core.forms import KernFormMixin

from .models import (
    AgendaItem,
    Attendance,
    DecisionStatus,
    Group,
    GroupRole,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Member,
    Organisation,
    Task,
    TaskStatus,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class StyledForm(KernFormMixin):
    """``KernFormMixin`` styles the fields present when it runs; these forms add fields later
    (tenant-scoped choices), so the remaining fields are styled when first accessed."""

    def __getitem__(self, name: str) -> Any:
        _style(self)
        return super().__getitem__(name)  # type: ignore[misc]


def _style(form: Any) -> None:
    done: set[str] = form.__dict__.setdefault("_alliance_styled", set())
    for name, field in form.fields.items():
        if name in done:
            continue
        done.add(name)
        widget = field.widget
        if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
            continue
        kind = type(widget).__name__.lower().replace("widget", "").replace("input", "")
        css = {
            "select": "kern-form-input__select",
            "selectmultiple": "kern-form-input__select",
            "checkbox": "kern-form-check__checkbox",
        }.get(kind, "kern-form-input__input")
        widget.attrs.setdefault("class", css)
        if field.help_text:
            auto_id = form.auto_id % form.add_prefix(name) if form.auto_id else name
            widget.attrs.setdefault("aria-describedby", f"{auto_id}-hint")


class UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: User) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.username})" if name else obj.username


def _members(tenant: Any) -> Any:
    return (
        Member.objects.filter(tenant=tenant, is_active=True)
        .select_related("organisation")
        .order_by("organisation__name", "last_name")
    )


class MemberChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.full_name} ({obj.organisation.name})"


class MemberMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.full_name} ({obj.organisation.name})"


class AgendaChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: AgendaItem) -> str:
        day = timezone.localtime(obj.meeting.starts_at).strftime("%d.%m.%Y")
        return f"{day} {obj.meeting.title} – TOP {obj.position}: {obj.topic}"


def add_link_fields(form: forms.Form, tenant: Any) -> None:
    """Optional links to a gap and a planned measure of the gap analysis, where installed."""
    from . import links

    for name, (label, queryset) in links.choices(tenant).items():
        form.fields[name] = forms.ModelChoiceField(label=label, queryset=queryset, required=False)


class OrganisationForm(StyledForm, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Organisation
        fields = ["name", "kind", "address", "email", "phone", "joined_on", "is_active", "note"]
        widgets = {"joined_on": DATE_WIDGET, "note": forms.Textarea(attrs={"rows": 3})}


class MemberForm(StyledForm, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Member
        fields = ["first_name", "last_name", "function", "is_deputy", "email", "phone", "is_active"]

    def __init__(self, *args: Any, tenant: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"] = UserChoiceField(
            label=_("User account (alliance member)"),
            queryset=User.objects.filter(
                memberships__tenant=tenant,
                memberships__is_active=True,
                memberships__role__in=[Role.ALLIANCE_MEMBER, Role.COORDINATION],
            )
            .distinct()
            .order_by("last_name", "first_name"),
            required=False,
            help_text=_("Links the person to an account, so that they can update their tasks."),
        )
        if self.instance.pk:
            self.initial.setdefault("user", self.instance.user_id)


class GroupForm(StyledForm, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Group
        fields = [
            "kind",
            "name",
            "topic",
            "mandate",
            "lead_organisation",
            "board_lead",
            "founded_on",
            "is_active",
        ]
        widgets = {"founded_on": DATE_WIDGET, "mandate": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, tenant: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_organisation"].queryset = Organisation.objects.filter(tenant=tenant)  # type: ignore[attr-defined]
        self.fields["board_lead"] = MemberChoiceField(
            label=_("Lead responsibility (member of the administrative board)"),
            queryset=_members(tenant),
            required=False,
        )
        if self.instance.pk:
            self.initial.setdefault("board_lead", self.instance.board_lead_id)


class GroupMemberForm(StyledForm, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=GroupRole.choices, initial=GroupRole.MEMBER)
    started_on = forms.DateField(label=_("From"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, tenant: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "member": MemberChoiceField(label=_("Person"), queryset=_members(tenant)),
            **self.fields,
        }
        self.initial.setdefault("started_on", timezone.localdate())


class MembershipEndForm(StyledForm, forms.Form):
    ended_on = forms.DateField(label=_("Until"), widget=DATE_WIDGET)


class MeetingForm(StyledForm, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    start_time = forms.TimeField(label=_("Begins at"), widget=TIME_WIDGET)
    end_time = forms.TimeField(label=_("Ends at"), widget=TIME_WIDGET)
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    video_link = forms.URLField(label=_("Video link"), required=False, assume_scheme="https")
    target_group_count = forms.IntegerField(
        label=_("Young people taking part (number only)"), min_value=0, required=False
    )
    participation_results = forms.CharField(
        label=_("Results of the participation"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("For participation formats: what the young people said and asked for."),
    )

    def __init__(
        self, *args: Any, tenant: Any, meeting: Meeting | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "group": forms.ModelChoiceField(
                label=_("Body"),
                queryset=Group.objects.filter(tenant=tenant, is_active=True),
                required=False,
                help_text=_("Its current members form the invitation list."),
            ),
            **self.fields,
        }
        if meeting is not None:
            self.fields["status"] = forms.ChoiceField(
                label=_("Status"), choices=MeetingStatus.choices
            )
            start = timezone.localtime(meeting.starts_at)
            end = timezone.localtime(meeting.ends_at)
            self.initial.update(
                {
                    "group": meeting.group_id,
                    "kind": meeting.kind,
                    "title": meeting.title,
                    "date": start.date(),
                    "start_time": start.time(),
                    "end_time": end.time(),
                    "place": meeting.place,
                    "video_link": meeting.video_link,
                    "status": meeting.status,
                    "target_group_count": meeting.target_group_count,
                    "participation_results": meeting.participation_results,
                }
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            tz = timezone.get_current_timezone()
            data["starts_at"] = dt.datetime.combine(day, start, tzinfo=tz)
            data["ends_at"] = dt.datetime.combine(day, end, tzinfo=tz)
            if end <= start:
                self.add_error(
                    "end_time", _("The meeting ends before it starts. Please check the times.")
                )
        if not data.get("place") and not data.get("video_link") and "place" not in self.errors:
            self.add_error("place", _("Please enter a place or a video link."))
        return data


class AttendeesAddForm(StyledForm, forms.Form):
    def __init__(self, *args: Any, tenant: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        taken = meeting.attendees.values_list("member_id", flat=True)
        self.fields["members"] = MemberMultipleChoiceField(
            label=_("Add people to the invitation list"),
            queryset=_members(tenant).exclude(pk__in=taken),
            widget=forms.SelectMultiple(attrs={"size": 8}),
        )


class InviteForm(StyledForm, forms.Form):
    message = forms.CharField(
        label=_("Personal message"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    only_new = forms.BooleanField(
        label=_("Only to people who have not received the current version"), required=False
    )


class AttendanceForm(StyledForm, forms.Form):
    def __init__(self, *args: Any, tenant: Any, attendees: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = []
        reps = _members(tenant)
        for a in attendees:
            att = f"att_{a.pk}"
            rep = f"rep_{a.pk}"
            self.fields[att] = forms.ChoiceField(
                label=_("Attendance of %(name)s") % {"name": a.member.full_name},
                choices=Attendance.choices,
                initial=a.attendance,
            )
            self.fields[rep] = MemberChoiceField(
                label=_("Represented by"),
                queryset=reps,
                required=False,
                initial=a.represented_by_id,
            )
            self.rows.append((a, att, rep))

    def bound_rows(self) -> list[tuple[Any, Any, Any]]:
        return [(a, self[att], self[rep]) for a, att, rep in self.rows]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for a, att, rep in self.rows:
            if data.get(att) == Attendance.REPRESENTED and not data.get(rep):
                self.add_error(
                    rep, _("Please choose who represented %(name)s.") % {"name": a.member.full_name}
                )
        return data


class AgendaItemForm(StyledForm, forms.Form):
    topic = forms.CharField(label=_("Topic"), max_length=300)

    def __init__(self, *args: Any, tenant: Any, item: AgendaItem | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["presenter"] = MemberChoiceField(
            label=_("Presented by"), queryset=_members(tenant), required=False
        )
        add_link_fields(self, tenant)
        if item is not None:
            self.initial.update({"topic": item.topic, "presenter": item.presenter_id})
            from . import links

            self.initial.update(links.initial(item))


class MinutesForm(StyledForm, forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    notes = forms.CharField(
        label=_("General notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, meeting: Meeting, items: list[AgendaItem], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("revision", meeting.minutes_revision)
        self.initial.setdefault("notes", meeting.minutes_notes)
        self.items = []
        for item in items:
            name = f"item_{item.pk}"
            self.fields[name] = forms.CharField(
                label=f"TOP {item.position}: {item.topic}",
                widget=forms.Textarea(attrs={"rows": 5}),
                required=False,
            )
            self.initial.setdefault(name, item.minutes)
            self.items.append((item, name))

    def item_texts(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data.get(name, "") for item, name in self.items}


class ApproveForm(StyledForm, forms.Form):
    def __init__(self, *args: Any, later: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["approved_in"] = forms.ModelChoiceField(
            label=_("Approved in the meeting"),
            queryset=later,
            required=False,
            help_text=_("Usually the next meeting of the body."),
        )


class AmendForm(StyledForm, forms.Form):
    reason = forms.CharField(
        label=_("Reason for the amendment"), widget=forms.Textarea(attrs={"rows": 3})
    )


class DocumentForm(StyledForm, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"))

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"] = forms.ModelChoiceField(
            label=_("Agenda item"),
            queryset=meeting.agenda_items.order_by("position"),
            required=False,
        )


class DecisionForm(StyledForm, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    text = forms.CharField(label=_("Wording"), widget=forms.Textarea(attrs={"rows": 5}))
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, tenant: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .selectors import agenda_choices

        self.fields["agenda_item"] = AgendaChoiceField(
            label=_("Agenda item"), queryset=agenda_choices(tenant), required=False
        )
        add_link_fields(self, tenant)
        self.initial.setdefault("decided_on", timezone.localdate())


class DecisionStatusForm(StyledForm, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=DecisionStatus.choices)
    status_note = forms.CharField(
        label=_("Note on the status"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class DecisionFilterForm(StyledForm, forms.Form):
    q = forms.CharField(label=_("Search in title and wording"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("all"))] + [(y, str(y)) for y in years]  # type: ignore[attr-defined]
        self.fields["status"].choices = [("", _("all")), *DecisionStatus.choices]  # type: ignore[attr-defined]


class TaskForm(StyledForm, forms.Form):
    title = forms.CharField(label=_("Task"), max_length=300)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    due_on = forms.DateField(label=_("Due on"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, tenant: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .selectors import agenda_choices, decision_choices

        self.fields["organisation"] = forms.ModelChoiceField(
            label=_("Responsible organisation"),
            queryset=Organisation.objects.filter(tenant=tenant, is_active=True),
        )
        self.fields["responsible"] = MemberChoiceField(
            label=_("Responsible person"), queryset=_members(tenant), required=False
        )
        self.fields["decision"] = forms.ModelChoiceField(
            label=_("From the decision"), queryset=decision_choices(tenant), required=False
        )
        self.fields["agenda_item"] = AgendaChoiceField(
            label=_("From the agenda item"), queryset=agenda_choices(tenant), required=False
        )
        add_link_fields(self, tenant)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        org, person = data.get("organisation"), data.get("responsible")
        if org and person and person.organisation_id != org.pk:
            self.add_error(
                "responsible",
                _("The responsible person does not belong to the chosen organisation."),
            )
        due = data.get("due_on")
        if due and due < timezone.localdate():
            self.add_error(
                "due_on",
                _("The due date %(date)s is in the past. Please choose today or a later date.")
                % {"date": due.strftime("%d.%m.%Y")},
            )
        return data


class TaskUpdateForm(StyledForm, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices)
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, task: Task, may_reschedule: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("status", task.status)
        if may_reschedule:
            self.fields["due_on"] = forms.DateField(
                label=_("Due on"), widget=DATE_WIDGET, initial=task.due_on
            )


class TaskFilterForm(StyledForm, forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    overdue = forms.BooleanField(label=_("only overdue"), required=False)

    def __init__(self, *args: Any, tenant: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "organisation": forms.ModelChoiceField(
                label=_("Organisation"),
                queryset=Organisation.objects.filter(tenant=tenant),
                required=False,
                to_field_name="public_id",
            ),
            **self.fields,
        }
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            ("", _("all")),
            ("open", pgettext_lazy("alliance", "open or in progress")),
            *TaskStatus.choices,
        ]


class MeetingFilterForm(StyledForm, forms.Form):
    when = forms.ChoiceField(
        label=_("When"),
        required=False,
        choices=[("", _("all")), ("upcoming", _("upcoming")), ("past", _("past"))],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("all")), *MeetingKind.choices]
    )
