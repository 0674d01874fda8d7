"""The local alliance (Bündnis, DOMAIN.md 3.2 UB1): member organisations and their people,
bodies (the alliance, its core group, working groups) with membership history, meetings with
invitations, attendance, agenda and minutes, numbered decisions and tasks.

People here are staff of organisations (contact data), never participants of case work.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from teilhabe.core.models import TenantScoped


class OrganisationKind(models.TextChoices):
    JOBCENTER = "jobcenter", _("Jobcenter")
    EMPLOYMENT_AGENCY = "agentur_fuer_arbeit", _("Employment agency")
    IMMIGRATION_OFFICE = "auslaenderbehoerde", _("Immigration office")
    YOUTH_OFFICE = "jugendamt", _("Youth welfare office")
    SOCIAL_OFFICE = "sozialamt", _("Social welfare office")
    SCHOOL_AUTHORITY = "schulaufsicht", _("School supervisory authority")
    REFUGEE_COUNSELLING = "fluechtlingsberatung", _("Refugee counselling")
    REFUGEE_COUNCIL = "fluechtlingsrat", _("Refugee council")
    YOUTH_MIGRATION_SERVICE = "jugendmigrationsdienst", _("Youth migration service")
    WELFARE_ASSOCIATION = "wohlfahrtsverband", _("Welfare association")
    VOCATIONAL_COLLEGE = "berufskolleg", _("Vocational college")
    ADULT_EDUCATION = "weiterbildung", _("Adult education centre / further education")
    CHAMBER = "kammer", _("Chamber")
    EMPLOYER = "arbeitgeber", _("Employer")
    VOLUNTEER_INITIATIVE = "ehrenamtsinitiative", _("Volunteer initiative")
    MIGRANT_ORGANISATION = "migrantenselbstorganisation", _("Migrant organisation")
    MUNICIPALITY = "kommune", pgettext_lazy("alliance", "Municipality")


class Organisation(TenantScoped):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=40, choices=OrganisationKind.choices)
    address = models.CharField(_("address"), max_length=300, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    is_active = models.BooleanField(_("active member"), default=True)
    joined_on = models.DateField(_("member since"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["tenant", "name"])]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="alliance_org_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Member(TenantScoped):
    """A person who represents an organisation in the alliance (contact data of staff)."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("organisation"),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    function = models.CharField(_("function"), max_length=200, blank=True)
    is_deputy = models.BooleanField(
        _("deputy"), default=False, help_text=_("Deputises for the organisation's representative.")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alliance_members",
        verbose_name=_("user account"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["tenant", "organisation"])]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class GroupKind(models.TextChoices):
    ALLIANCE = "buendnis", _("Alliance (plenary)")
    CORE_GROUP = "kerngruppe", _("Core group")
    WORKING_GROUP = "arbeitsgruppe", _("Working group")


class Group(TenantScoped):
    """A body of the alliance: the plenary, the core group or a working group."""

    kind = models.CharField(_("kind"), max_length=20, choices=GroupKind.choices)
    name = models.CharField(_("name"), max_length=200)
    topic = models.CharField(_("topic"), max_length=300, blank=True)
    mandate = models.TextField(_("mandate"), blank=True)
    lead_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("managing office"),
    )
    board_lead = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead responsibility (member of the administrative board)"),
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        indexes = [models.Index(fields=["tenant", "kind"])]

    def __str__(self) -> str:
        return self.name


class GroupRole(models.TextChoices):
    CHAIR = "vorsitz", _("Chair")
    MEMBER = "mitglied", pgettext_lazy("alliance", "Member")
    DEPUTY = "stellvertretung", _("Deputy")


class GroupMembership(TenantScoped):
    """Who sat in a body, and when (history: an ended membership keeps its row)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(
        _("role"), max_length=20, choices=GroupRole.choices, default=GroupRole.MEMBER
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["ended_on", "member__last_name"]
        indexes = [models.Index(fields=["tenant", "group"])]

    def __str__(self) -> str:
        return f"{self.member} – {self.group}"


class MeetingKind(models.TextChoices):
    STARTER = "starter_workshop", _("Starter workshop")
    CORE_GROUP = "kerngruppe", _("Core group meeting")
    WORKING_GROUP = "arbeitsgruppe", _("Working group meeting")
    PARTICIPATION = "beteiligung", _("Participation format with the target group")


class MeetingStatus(models.TextChoices):
    PLANNED = "geplant", _("planned")
    HELD = "stattgefunden", _("held")
    CANCELLED = "abgesagt", _("cancelled")


class MinutesStatus(models.TextChoices):
    DRAFT = "entwurf", _("draft")
    APPROVED = "genehmigt", _("approved")


class Meeting(TenantScoped):
    group = models.ForeignKey(
        Group,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("body"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    video_link = models.URLField(_("video link"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    # iCalendar SEQUENCE: raised whenever time or place change after invitations went out
    sequence = models.PositiveIntegerField(default=0)
    invitations_sent_at = models.DateTimeField(null=True, blank=True)
    # participation formats: how many young people took part (a number only) and the results
    target_group_count = models.PositiveIntegerField(
        _("young people taking part"), null=True, blank=True
    )
    participation_results = models.TextField(_("results of the participation"), blank=True)
    # minutes
    minutes_notes = models.TextField(_("general notes"), blank=True)
    minutes_status = models.CharField(
        max_length=20, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    minutes_version = models.PositiveIntegerField(default=1)
    minutes_revision = models.PositiveIntegerField(default=0)  # optimistic lock of the draft
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["tenant", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%d.%m.%Y})"

    @property
    def minutes_approved(self) -> bool:
        return self.minutes_status == MinutesStatus.APPROVED


class Attendance(models.TextChoices):
    UNKNOWN = "offen", _("not recorded")
    PRESENT = "anwesend", _("present")
    EXCUSED = "entschuldigt", _("excused")
    ABSENT = "abwesend", _("absent")
    REPRESENTED = "vertreten", _("represented")


class Attendee(TenantScoped):
    """One invited person of a meeting: the invitation and the attendance."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="attendances")
    invited_at = models.DateTimeField(null=True, blank=True)
    invited_sequence = models.PositiveIntegerField(null=True, blank=True)
    attendance = models.CharField(
        _("attendance"), max_length=20, choices=Attendance.choices, default=Attendance.UNKNOWN
    )
    represented_by = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("represented by"),
    )

    class Meta:
        ordering = ["member__organisation__name", "member__last_name"]
        indexes = [models.Index(fields=["tenant", "meeting"])]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="alliance_attendee_once")
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.meeting_id}"


class AgendaItem(TenantScoped):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveIntegerField(_("position"))
    topic = models.CharField(_("topic"), max_length=300)
    presenter = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("presented by"),
    )
    minutes = models.TextField(_("minutes"), blank=True)
    gap = models.ForeignKey(
        "needs.Gap",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gap"),
    )
    measure = models.ForeignKey(
        "needs.PlannedMeasure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("planned measure"),
    )

    class Meta:
        ordering = ["meeting", "position"]
        indexes = [models.Index(fields=["tenant", "meeting"])]

    def __str__(self) -> str:
        return f"TOP {self.position}: {self.topic}"


class MinutesVersion(TenantScoped):
    """An approved version of a meeting's minutes, frozen.  Amendments open a new version;
    the approved ones are never changed."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes_versions")
    number = models.PositiveIntegerField()
    content = models.JSONField(default=dict)
    approved_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_in = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="approved_minutes",
        verbose_name=_("approved in the meeting"),
    )
    amendment_reason = models.TextField(blank=True)  # why the following version was opened

    class Meta:
        ordering = ["meeting", "number"]
        indexes = [models.Index(fields=["tenant", "meeting"])]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="alliance_minutes_version")
        ]


class DecisionStatus(models.TextChoices):
    TAKEN = "gefasst", _("taken")
    IMPLEMENTED = "umgesetzt", _("implemented")
    REVOKED = "aufgehoben", _("revoked")


class DecisionCounter(models.Model):
    """The last decision number per tenant and year (locked while a number is drawn)."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "year"], name="alliance_counter_once")
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Decision(TenantScoped):
    year = models.PositiveIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("wording"))
    decided_on = models.DateField(_("decided on"))
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("agenda item"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=DecisionStatus.choices, default=DecisionStatus.TAKEN
    )
    status_note = models.TextField(_("note on the status"), blank=True)
    gap = models.ForeignKey(
        "needs.Gap",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gap"),
    )
    measure = models.ForeignKey(
        "needs.PlannedMeasure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("planned measure"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-year", "-number"]
        indexes = [models.Index(fields=["tenant", "year", "number"])]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "year", "number"], name="alliance_decision_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"{self.number}/{self.year}"


class TaskStatus(models.TextChoices):
    OPEN = "offen", _("open")
    IN_PROGRESS = "in_arbeit", _("in progress")
    DONE = "erledigt", _("done")
    DROPPED = "entfallen", pgettext_lazy("alliance", "dropped")


OPEN_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)


class Task(TenantScoped):
    title = models.CharField(_("task"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    decision = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("decision"),
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("agenda item"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name=_("responsible organisation"),
    )
    responsible = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("responsible person"),
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    gap = models.ForeignKey(
        "needs.Gap",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gap"),
    )
    measure = models.ForeignKey(
        "needs.PlannedMeasure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("planned measure"),
    )
    completed_on = models.DateField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)  # last reminder e-mail (once a day)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["tenant", "status", "due_on"]),
            models.Index(fields=["tenant", "organisation"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES


class TaskComment(TenantScoped):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("comment"))

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["tenant", "task"])]


class MeetingDocument(TenantScoped):
    """A file attached to a meeting or one of its agenda items (stored like case documents:
    by content type, outside the web root, served audited)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("agenda item"),
    )
    title = models.CharField(_("title"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    storage_name = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["tenant", "meeting"])]

    def __str__(self) -> str:
        return self.title


class CalendarFeed(TenantScoped):
    """The secret address of a tenant's meeting calendar (calendar clients cannot sign in).
    Only the SHA-256 of the token is stored; revoking sets ``revoked_at``."""

    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "revoked_at"])]
