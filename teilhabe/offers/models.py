"""The offer directory: providers, offers, their locations and weekly times, the category
taxonomy, funding sources and stored eligibility rule sets."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from teilhabe.core.models import PublicId, TenantScoped, TimeStamped

CEFR_LEVELS = ["A0", "A1", "A2", "B1", "B2", "C1", "C2"]
CEFR_CHOICES = [(lvl, lvl) for lvl in CEFR_LEVELS]

# Languages of instruction and of the public finder (ISO 639-1).
LANGUAGE_CHOICES = [
    ("de", _("German")),
    ("en", _("English")),
    ("ar", _("Arabic")),
    ("fa", _("Farsi/Dari")),
    ("uk", _("Ukrainian")),
    ("tr", _("Turkish")),
    ("ru", _("Russian")),
    ("fr", _("French")),
    ("ti", _("Tigrinya")),
    ("ku", _("Kurdish")),
    ("ps", _("Pashto")),
    ("so", _("Somali")),
]


class Category(TimeStamped, PublicId):
    """Editable offer taxonomy (shared by all tenants)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_plain = models.CharField(_("name in plain language"), max_length=160, blank=True)
    description = models.TextField(_("description"), blank=True)
    # {"en": "...", "ar": "...", ...}: the name in further languages
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    def name_in(self, language: str) -> str:
        return str(self.translations.get(language) or self.name)


class RuleSetRecord(TimeStamped, PublicId):
    """An eligibility rule set stored as data (the engine's JSON definition).

    Programme rule sets (``tenant`` empty) come from ``teilhabe/eligibility/data`` and are
    edited by platform administrators; a tenant may add its own for its offers.
    """

    tenant = models.ForeignKey(
        "accounts.Tenant", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    code = models.CharField(_("code"), max_length=80)
    name = models.CharField(_("name"), max_length=200)
    definition = models.JSONField(_("definition"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="ruleset_unique_code"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(tenant__isnull=True), name="ruleset_unique_global_code"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "code"])]

    def __str__(self) -> str:
        return self.name


class FundingKind(models.TextChoices):
    MODULE = "module", _("Funding module (Durchstarten)")
    REGULAR = "regular", _("Regular funding")
    MUNICIPAL = "municipal", _("Municipal")
    OTHER = "other", _("Other")


class FundingSource(TimeStamped, PublicId):
    """F1–F5 or a regular funding (SGB II/III, BAMF, kommunal); shared by all tenants."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=20, choices=FundingKind.choices)
    rule_set = models.ForeignKey(
        RuleSetRecord, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")

    def __str__(self) -> str:
        return self.name


class ProviderKind(models.TextChoices):
    VHS = "vhs", _("Adult education centre (VHS)")
    BERUFSKOLLEG = "berufskolleg", _("Vocational college")
    JMD = "jmd", _("Youth migration service (JMD)")
    WELFARE = "wohlfahrtsverband", _("Welfare association")
    JOBCENTER = "jobcenter", _("Jobcenter")
    EMPLOYMENT_AGENCY = "agentur", _("Employment agency")
    CHAMBER = "kammer", _("Chamber (IHK/HWK)")
    ASSOCIATION = "verein", _("Association")
    COMPANY = "unternehmen", _("Company")
    MUNICIPALITY = "kommune", _("Municipality")
    EDUCATION = "bildungstraeger", _("Education provider")
    MIGRANT_ORG = "mso", _("Migrant organisation")
    OTHER = "sonstige", _("Other")


class Provider(TenantScoped):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=ProviderKind.choices)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    street = models.CharField(_("street"), max_length=120, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="provider_staff", verbose_name=_("staff")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        indexes = [models.Index(fields=["tenant", "name"])]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="provider_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class OfferStatus(models.TextChoices):
    PLANNED = "geplant", _("planned")
    ACTIVE = "aktiv", _("active")
    PAUSED = "pausiert", _("paused")
    ENDED = "beendet", _("ended")


class OfferQuerySet(models.QuerySet["Offer"]):
    def with_free_seats(self) -> OfferQuerySet:
        return self.filter(Q(capacity__isnull=True) | Q(capacity__gt=F("seats_taken")))

    def open_for_people(self) -> OfferQuerySet:
        return self.filter(status__in=[OfferStatus.ACTIVE, OfferStatus.PLANNED])


class Offer(TenantScoped):
    key = models.SlugField(
        _("offer number"),
        max_length=60,
        help_text=_("Stable key; imports update the offer with the same number."),
    )
    title = models.CharField(_("title"), max_length=200)
    title_plain = models.CharField(_("title in plain language"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_plain = models.TextField(_("description in plain language"), blank=True)
    # {"en": {"title": "...", "description": "..."}, "ar": {...}}
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="offers", verbose_name=_("category")
    )
    funding = models.ForeignKey(
        FundingSource,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offers",
        verbose_name=_("funding"),
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="offers", verbose_name=_("provider")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=OfferStatus.choices, default=OfferStatus.PLANNED
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    teaching_hours = models.PositiveIntegerField(_("teaching hours"), null=True, blank=True)
    schedule_note = models.CharField(_("note on times"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("seats"), null=True, blank=True)
    seats_taken = models.PositiveIntegerField(_("seats taken"), default=0)
    waiting_list = models.PositiveIntegerField(_("waiting list"), default=0)
    languages = models.JSONField(_("languages of instruction"), default=list, blank=True)
    language_level_required = models.CharField(
        _("required German level"), max_length=2, choices=CEFR_CHOICES, blank=True
    )
    language_level_target = models.CharField(
        _("German level reached"), max_length=2, choices=CEFR_CHOICES, blank=True
    )
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    cost = models.DecimalField(
        _("cost for participants (EUR)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    cost_note = models.CharField(_("note on costs"), max_length=200, blank=True)
    travel_costs_reimbursed = models.BooleanField(_("travel costs reimbursed"), default=False)
    childcare_reimbursed = models.BooleanField(_("childcare costs reimbursed"), default=False)
    women_only = models.BooleanField(_("women only"), default=False)
    childcare_on_site = models.BooleanField(_("childcare on site"), default=False)
    wheelchair_accessible = models.BooleanField(_("wheelchair accessible"), default=False)
    accessibility_note = models.CharField(_("accessibility"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    rule_set = models.ForeignKey(
        RuleSetRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offers",
        verbose_name=_("eligibility rules"),
    )
    eligibility_note = models.TextField(_("who may attend (text)"), blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = OfferQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        indexes = [
            models.Index(fields=["tenant", "status", "category"]),
            models.Index(fields=["tenant", "provider"]),
            models.Index(fields=["tenant", "title"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="offer_unique_key"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="offer_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(max_age__isnull=True)
                | Q(min_age__isnull=True)
                | Q(max_age__gte=F("min_age")),
                name="offer_age_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def free_seats(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.seats_taken, 0)

    def text_in(self, language: str, plain: bool = False) -> tuple[str, str]:
        """Title and description in ``language`` where translated, else German."""
        if language == "de" or language not in self.translations:
            if plain and (self.title_plain or self.description_plain):
                return (self.title_plain or self.title, self.description_plain or self.description)
            return self.title, self.description
        t = self.translations[language]
        return str(t.get("title") or self.title), str(t.get("description") or self.description)


class OfferLocation(TenantScoped):
    offer = models.ForeignKey(
        Offer, on_delete=models.CASCADE, related_name="locations", verbose_name=_("offer")
    )
    name = models.CharField(_("place"), max_length=120, blank=True)
    street = models.CharField(_("street"), max_length=120)
    postcode = models.CharField(_("postcode"), max_length=5)
    city = models.CharField(_("city"), max_length=80)
    gemeinde = models.ForeignKey(
        "territory.Territory",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("municipality"),
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        indexes = [models.Index(fields=["tenant", "gemeinde"])]

    def __str__(self) -> str:
        return f"{self.street}, {self.postcode} {self.city}"


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")
    SATURDAY = 6, _("Saturday")
    SUNDAY = 7, _("Sunday")


class OfferSchedule(TenantScoped):
    """A weekly time slot of an offer."""

    offer = models.ForeignKey(
        Offer, on_delete=models.CASCADE, related_name="schedules", verbose_name=_("offer")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens_at = models.TimeField(_("from"))
    closes_at = models.TimeField(_("until"))

    class Meta:
        ordering = ["weekday", "opens_at"]
        verbose_name = _("weekly time")
        verbose_name_plural = _("weekly times")
        indexes = [models.Index(fields=["tenant", "offer"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="schedule_closes_after_opens"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"
