"""Case work with each young person: the most sensitive data of the platform.

Every table is tenant-scoped; reads go through ``selectors`` (scoped by the policy and
audited), writes through ``services``.  Fields released to volunteers are listed in
``VOLUNTEER_FIELDS``; residence status, benefits, health and documents never are.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from teilhabe.core.models import TenantScoped
from teilhabe.offers.models import CEFR_CHOICES

# Values the audit log never keeps (``audit_record`` stores "[…]" instead): names, birth date,
# contact data and every free text of the case work — everything the anonymisation replaces
# (Art. 17).  The log keeps who changed which field when; it never needs rewriting.
AUDIT_REDACTED_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "name_transliteration",
        "name_key",
        "birth_date",
        "phone",
        "email",
        "street",
        "postcode",
        "interpreter_language",
        "certificates",
        "other_languages",
        "work_experience",
        "interests",
        "residence_obligation",
        "conditions",
        "witness",
        "closing_reason",
        "text",
        "topic",
        "note",
        "proof_by",
        "title",
        "organisation",
        "result",
        "reason",
        "note_to_provider",
    }
)


class AuditLabelled:
    """Case-work records in the audit log: labelled without names, values redacted."""

    AUDIT_REDACTED_FIELDS = AUDIT_REDACTED_FIELDS

    def audit_label(self) -> str:
        meta = self._meta  # type: ignore[attr-defined]
        return f"{meta.model_name} {str(self.public_id)[:8]}"  # type: ignore[attr-defined]


class Sex(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")
    DIVERSE = "diverse", _("diverse")
    UNKNOWN = "unknown", _("not stated")


class Participant(AuditLabelled, TenantScoped):
    first_name = models.CharField(_("first name"), max_length=120)
    last_name = models.CharField(_("last name"), max_length=120)
    # Latin transliteration as written in documents (for duplicate search); optional.
    name_transliteration = models.CharField(_("name as in documents"), max_length=240, blank=True)
    name_key = models.CharField(max_length=240, editable=False, db_index=True, default="")
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    nationalities = models.JSONField(_("nationalities (ISO codes)"), default=list, blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    street = models.CharField(_("street"), max_length=120, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    gemeinde = models.ForeignKey(
        "territory.Territory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality of residence"),
    )
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)
    interpreter_language = models.CharField(_("interpreter language"), max_length=40, blank=True)
    children = models.PositiveSmallIntegerField(_("children"), default=0)
    childcare_needed = models.BooleanField(_("childcare needed"), default=False)
    entry_date = models.DateField(_("date of entry"), null=True, blank=True)
    first_asylum_request = models.DateField(_("first asylum request"), null=True, blank=True)
    asylum_decision = models.CharField(
        _("asylum decision"),
        max_length=12,
        blank=True,
        choices=[
            ("pending", _("pending")),
            ("rejected", _("rejected")),
            ("recognised", _("recognised")),
            ("withdrawn", _("withdrawn")),
        ],
    )
    work_permission = models.CharField(
        _("work permission"),
        max_length=16,
        blank=True,
        choices=[
            ("permitted", _("permitted")),
            ("needs_approval", _("needs approval")),
            ("banned", _("statutory ban")),
        ],
    )
    integration_course_access = models.BooleanField(
        _("access to an integration course"), null=True, blank=True
    )
    lives_in_state_facility = models.BooleanField(
        _("lives in a state facility"), null=True, blank=True
    )
    security_exclusion = models.BooleanField(_("security exclusion"), null=True, blank=True)
    school_years = models.PositiveSmallIntegerField(_("years of school"), null=True, blank=True)
    certificates = models.TextField(_("certificates and recognition"), blank=True)
    german_reading = models.CharField(
        _("German: reading"), max_length=2, blank=True, choices=CEFR_CHOICES
    )
    german_writing = models.CharField(
        _("German: writing"), max_length=2, blank=True, choices=CEFR_CHOICES
    )
    german_listening = models.CharField(
        _("German: listening"), max_length=2, blank=True, choices=CEFR_CHOICES
    )
    german_speaking = models.CharField(
        _("German: speaking"), max_length=2, blank=True, choices=CEFR_CHOICES
    )
    other_languages = models.CharField(_("other languages"), max_length=200, blank=True)
    work_experience = models.TextField(_("work experience"), blank=True)
    interests = models.TextField(_("interests"), blank=True)
    # pseudonym for evaluation extracts; never derived from the name
    pseudonym = models.CharField(max_length=16, editable=False, db_index=True, default="")
    restricted = models.BooleanField(_("processing restricted (Art. 18 GDPR)"), default=False)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        indexes = [
            models.Index(fields=["tenant", "last_name", "first_name"]),
            models.Index(fields=["tenant", "birth_date"]),
            models.Index(fields=["tenant", "name_key"]),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def audit_label(self) -> str:
        """The pseudonym: the audit log never holds the name (it outlives an anonymisation)."""
        return self.pseudonym or str(self.public_id)

    @property
    def german_level(self) -> str:
        """The weakest recorded skill (what an offer can count on)."""
        from teilhabe.offers.models import CEFR_LEVELS

        levels = [
            lvl
            for lvl in (
                self.german_reading,
                self.german_writing,
                self.german_listening,
                self.german_speaking,
            )
            if lvl
        ]
        return min(levels, key=CEFR_LEVELS.index) if levels else ""


# Fields a volunteer may see (no residence status, benefits, health or documents).
VOLUNTEER_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "languages",
    "interpreter_needed",
    "interests",
)


class StatusKind(models.TextChoices):
    GESTATTUNG = "gestattung", _("Aufenthaltsgestattung")
    ANKUNFTSNACHWEIS = "ankunftsnachweis", _("Ankunftsnachweis")
    DULDUNG = "duldung", _("Duldung")
    AUFENTHALTSERLAUBNIS = "aufenthaltserlaubnis", _("Aufenthaltserlaubnis")
    NIEDERLASSUNGSERLAUBNIS = "niederlassungserlaubnis", _("Niederlassungserlaubnis")
    NONE = "none", _("no status")


class ResidenceStatusEntry(AuditLabelled, TenantScoped):
    """A dated entry of the residence-status history (kind and paragraph from the editable
    catalogue of the eligibility engine)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="statuses")
    kind = models.CharField(_("kind"), max_length=32)
    paragraph = models.CharField(_("paragraph"), max_length=20, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    issuing_office = models.CharField(_("issuing immigration office"), max_length=120, blank=True)
    work_permitted = models.BooleanField(_("employment permitted"), null=True, blank=True)
    residence_obligation = models.CharField(
        _("residence obligation (Wohnsitzauflage)"), max_length=120, blank=True
    )
    conditions = models.TextField(_("further conditions"), blank=True)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("residence status")
        verbose_name_plural = _("residence statuses")
        indexes = [
            models.Index(fields=["tenant", "participant", "valid_from"]),
            models.Index(fields=["tenant", "valid_until"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="status_until_after_from",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.paragraph}".strip()


class BenefitEntry(AuditLabelled, TenantScoped):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="benefits")
    kind = models.CharField(
        _("benefit system"),
        max_length=10,
        choices=[
            ("asylblg", "AsylbLG"),
            ("sgb2", "SGB II"),
            ("sgb12", "SGB XII"),
            ("none", _("none")),
        ],
    )
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["-valid_from"]
        indexes = [models.Index(fields=["tenant", "participant", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="benefit_until_after_from",
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class ConsentPurpose(models.TextChoices):
    CASE_WORK = "case_work", _("case work")
    SHARE_PROVIDER = "share_provider", _("sharing with a provider")
    VOLUNTEER = "volunteer", _("volunteer support")
    EVALUATION = "evaluation", _("evaluation")
    REMINDERS = "reminders", _("reminder messages")


class ConsentForm(models.TextChoices):
    SIGNED_PAPER = "paper", _("signed on paper (scanned)")
    VERBAL = "verbal", _("verbal with witness")
    DIGITAL = "digital", _("digital")


class Consent(AuditLabelled, TenantScoped):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    provider = models.ForeignKey(
        "offers.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("provider"),
    )
    given_on = models.DateField(_("given on"))
    form = models.CharField(_("form"), max_length=10, choices=ConsentForm.choices)
    witness = models.CharField(_("witness"), max_length=120, blank=True)
    language = models.CharField(_("language of the consent text"), max_length=5, default="de")
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    document = models.ForeignKey(
        "participants.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scanned form"),
    )

    class Meta:
        ordering = ["-given_on"]
        indexes = [models.Index(fields=["tenant", "participant", "purpose"])]

    def __str__(self) -> str:
        return self.get_purpose_display()


class CaseStatus(models.TextChoices):
    FIRST_CONTACT = "erstkontakt", _("first contact")
    ACTIVE = "aktiv", _("active")
    DORMANT = "ruhend", _("dormant")
    CLOSED = "abgeschlossen", _("closed")


CASE_TRANSITIONS: dict[str, set[str]] = {
    CaseStatus.FIRST_CONTACT: {CaseStatus.ACTIVE, CaseStatus.CLOSED},
    CaseStatus.ACTIVE: {CaseStatus.DORMANT, CaseStatus.CLOSED},
    CaseStatus.DORMANT: {CaseStatus.ACTIVE, CaseStatus.CLOSED},
    CaseStatus.CLOSED: {CaseStatus.ACTIVE},  # reopening
}


class Case(AuditLabelled, TenantScoped):
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="cases")
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cases_responsible",
        verbose_name=_("responsible"),
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="cases_team", verbose_name=_("team")
    )
    programme = models.CharField(_("programme"), max_length=60, default="Durchstarten")
    module = models.CharField(
        _("funding module"),
        max_length=10,
        choices=[
            ("f1", _("F1 coaching")),
            ("f6", _("F6 participation management")),
            ("kim", _("KIM case management")),
            ("other", _("other")),
        ],
        default="f1",
    )
    intake_date = models.DateField(_("intake"))
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.FIRST_CONTACT
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closing_reason = models.CharField(_("closing reason"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-intake_date"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["tenant", "responsible", "status"]),
            models.Index(fields=["tenant", "participant"]),
        ]

    def __str__(self) -> str:
        return f"{self.participant} ({self.get_status_display()})"

    def audit_label(self) -> str:
        return f"{self.participant.audit_label()} ({self.status})"


class GoalStatus(models.TextChoices):
    OPEN = "offen", _("open")
    IN_PROGRESS = "in_arbeit", _("in progress")
    REACHED = "erreicht", _("reached")
    DROPPED = "verworfen", _("dropped")


class Goal(AuditLabelled, TenantScoped):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="goals")
    category = models.ForeignKey(
        "offers.Category", on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    text = models.CharField(_("goal"), max_length=300)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=GoalStatus.choices, default=GoalStatus.OPEN
    )
    agreed_with_participant = models.BooleanField(_("agreed with the participant"), default=True)
    urgency = models.PositiveSmallIntegerField(
        _("urgency"), default=2, choices=[(1, _("high")), (2, _("medium")), (3, _("low"))]
    )

    class Meta:
        ordering = ["target_date", "id"]
        indexes = [models.Index(fields=["tenant", "case", "status"])]

    def __str__(self) -> str:
        return self.text


class GoalReview(AuditLabelled, TenantScoped):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    note = models.TextField(_("note"))
    status_after = models.CharField(_("status"), max_length=12, choices=GoalStatus.choices)

    class Meta:
        ordering = ["-reviewed_on"]
        indexes = [models.Index(fields=["tenant", "goal"])]


class ContactKind(models.TextChoices):
    IN_PERSON = "persoenlich", _("in person")
    PHONE = "telefonisch", _("by phone")
    MESSENGER = "messenger", _("messenger")
    OUTREACH = "aufsuchend", _("outreach")
    THIRD_PARTY = "dritte", _("with third parties")


class ContactProof(models.TextChoices):
    PARTICIPANT = "teilnehmende", _("confirmed by the participant")
    SECOND_STAFF = "zweite_fachkraft", _("second staff member")
    ATTENDANCE_LIST = "anwesenheitsliste", _("signed attendance list")
    NONE = "keiner", _("no proof")


class Contact(AuditLabelled, TenantScoped):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    happened_on = models.DateField(_("date"))
    minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    kind = models.CharField(_("kind"), max_length=20, choices=ContactKind.choices)
    topic = models.CharField(_("topic"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    proof = models.CharField(
        _("proof of contact"),
        max_length=20,
        choices=ContactProof.choices,
        default=ContactProof.NONE,
    )
    proof_by = models.CharField(_("confirmed by"), max_length=120, blank=True)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-happened_on", "-id"]
        indexes = [models.Index(fields=["tenant", "case", "happened_on"])]

    def __str__(self) -> str:
        return f"{self.happened_on:%d.%m.%Y} {self.topic}"


class ReferralStatus(models.TextChoices):
    SUGGESTED = "vorgeschlagen", _("suggested")
    SENT = "gesendet", _("sent")
    ACCEPTED = "angenommen", _("accepted")
    WAITING_LIST = "warteliste", _("waiting list")
    DECLINED = "abgelehnt", _("declined")
    STARTED = "begonnen", _("started")
    COMPLETED = "abgeschlossen", _("completed")
    DROPPED_OUT = "abgebrochen", _("dropped out")
    WITHDRAWN = "zurueckgezogen", _("withdrawn")


REFERRAL_TRANSITIONS: dict[str, set[str]] = {
    ReferralStatus.SUGGESTED: {ReferralStatus.SENT, ReferralStatus.WITHDRAWN},
    ReferralStatus.SENT: {
        ReferralStatus.ACCEPTED,
        ReferralStatus.WAITING_LIST,
        ReferralStatus.DECLINED,
        ReferralStatus.WITHDRAWN,
    },
    ReferralStatus.WAITING_LIST: {
        ReferralStatus.ACCEPTED,
        ReferralStatus.DECLINED,
        ReferralStatus.WITHDRAWN,
    },
    ReferralStatus.ACCEPTED: {ReferralStatus.STARTED, ReferralStatus.WITHDRAWN},
    ReferralStatus.STARTED: {ReferralStatus.COMPLETED, ReferralStatus.DROPPED_OUT},
    ReferralStatus.DECLINED: set(),
    ReferralStatus.COMPLETED: set(),
    ReferralStatus.DROPPED_OUT: set(),
    ReferralStatus.WITHDRAWN: set(),
}
# Transitions that need a reason.
REFERRAL_REASON_NEEDED = {ReferralStatus.DECLINED, ReferralStatus.DROPPED_OUT}
# Transitions the provider makes (the others: the case worker).
REFERRAL_PROVIDER_STEPS = {
    ReferralStatus.ACCEPTED,
    ReferralStatus.WAITING_LIST,
    ReferralStatus.DECLINED,
    ReferralStatus.STARTED,
    ReferralStatus.COMPLETED,
    ReferralStatus.DROPPED_OUT,
}


class Referral(AuditLabelled, TenantScoped):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    offer = models.ForeignKey("offers.Offer", on_delete=models.PROTECT, related_name="referrals")
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ReferralStatus.choices,
        default=ReferralStatus.SUGGESTED,
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    answer_due = models.DateField(_("answer due"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # the participant's data released to the provider (field names; needs the sharing consent)
    released_fields = models.JSONField(_("released data"), default=list, blank=True)
    note_to_provider = models.TextField(_("note to the provider"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["tenant", "case", "status"]),
            models.Index(fields=["tenant", "offer", "status"]),
            models.Index(fields=["tenant", "status", "answer_due"]),
        ]

    def __str__(self) -> str:
        return f"{self.offer} – {self.get_status_display()}"

    def audit_label(self) -> str:
        return f"{self.offer} – {self.status}"


class ReferralEvent(AuditLabelled, TenantScoped):
    """Every step of a referral, dated and by whom."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=20, choices=ReferralStatus.choices)
    happened_on = models.DateField(_("date"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["happened_on", "id"]
        indexes = [models.Index(fields=["tenant", "referral"])]


class EpisodeKind(models.TextChoices):
    SCHOOL = "schule", _("school")
    COURSE = "kurs", _("course")
    MEASURE = "massnahme", _("funded measure")
    TRAINING = "ausbildung", _("vocational training")
    EQ = "eq", _("entry qualification (EQ)")
    WORK = "arbeit", _("work")
    UNEMPLOYED = "arbeitslos", _("unemployed")


class EducationEpisode(AuditLabelled, TenantScoped):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="episodes")
    kind = models.CharField(_("kind"), max_length=12, choices=EpisodeKind.choices)
    title = models.CharField(_("what"), max_length=200)
    organisation = models.CharField(_("where"), max_length=200, blank=True)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    hours_per_week = models.PositiveSmallIntegerField(_("hours per week"), null=True, blank=True)
    marginal = models.BooleanField(_("marginal employment"), default=False)
    result = models.CharField(_("result"), max_length=200, blank=True)
    progress = models.BooleanField(
        _("progress (certificate, language level, training or work)"), default=False
    )
    referral = models.OneToOneField(
        Referral, on_delete=models.SET_NULL, null=True, blank=True, related_name="episode"
    )

    class Meta:
        ordering = ["-started_on"]
        indexes = [models.Index(fields=["tenant", "participant", "started_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="episode_end_after_start",
            )
        ]


class OutcomeKind(models.TextChoices):
    TRAINING = "ausbildung", _("vocational training")
    WORK_REGULAR = "arbeit_svp", _("work (social insurance)")
    WORK_MARGINAL = "arbeit_geringfuegig", _("work (marginal)")
    SCHOOL = "schule", _("school / school certificate reached")
    STUDIES = "studium", _("university")
    MEASURE = "massnahme", _("further measure")
    LANGUAGE = "sprachniveau", _("language level reached")
    MOVED = "wegzug", _("moved away")
    DEPARTED = "ausreise", _("departure / deportation")
    UNKNOWN = "unbekannt", _("unknown")


class Outcome(AuditLabelled, TenantScoped):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="outcomes")
    moment = models.CharField(
        _("when"),
        max_length=10,
        choices=[
            ("closure", _("at closure")),
            ("m6", _("after 6 months")),
            ("m12", _("after 12 months")),
        ],
    )
    kind = models.CharField(_("outcome"), max_length=24, choices=OutcomeKind.choices)
    recorded_on = models.DateField(_("recorded on"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["recorded_on"]
        indexes = [models.Index(fields=["tenant", "case", "moment"])]
        constraints = [
            models.UniqueConstraint(fields=["case", "moment"], name="outcome_once_per_moment")
        ]


class Document(AuditLabelled, TenantScoped):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    # path below MEDIA_ROOT (outside the web root); never served directly
    storage_name = models.CharField(max_length=200, unique=True)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "participant"])]


class VolunteerProfile(AuditLabelled, TenantScoped):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    police_clearance_on = models.DateField(
        _("police clearance certificate of"), null=True, blank=True
    )

    class Meta:
        indexes = [models.Index(fields=["tenant", "user"])]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="volunteer_once_per_tenant")
        ]


class VolunteerAssignment(AuditLabelled, TenantScoped):
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="volunteer_assignments"
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "volunteer", "ended_on"])]


class VolunteerMeeting(AuditLabelled, TenantScoped):
    assignment = models.ForeignKey(
        VolunteerAssignment, on_delete=models.CASCADE, related_name="meetings"
    )
    happened_on = models.DateField(_("date"))
    minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-happened_on"]
        indexes = [models.Index(fields=["tenant", "assignment"])]


class Transfer(AuditLabelled, TenantScoped):
    """Handing a case over to another tenant when the person moves (needs consent)."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    to_tenant = models.ForeignKey(
        "accounts.Tenant", on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="+")
    handed_over = models.JSONField(_("handed over"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    new_participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["tenant", "participant"])]


class Notice(AuditLabelled, TenantScoped):
    """Something a case worker should know (e.g. an eligibility change after a new status)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=40)
    text = models.TextField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "user", "read_at"])]
