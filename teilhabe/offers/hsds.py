"""The public offer directory in the Open Referral HSDS 3.0 format.

Two parts:

* **Selectors** (``hsds_*``): the public rows of one tenant — offers with status *aktiv* or
  *geplant*, their providers and locations — with ``select_related``/``prefetch_related`` so
  that a page of objects costs a constant number of queries.
* **Mapping functions** (``service_*``, ``organization_*``, …): pure functions from those rows
  to plain dicts that validate against the HSDS 3.0 schemas.  They run no queries of their own.
  Optional fields without a value are left out (the schemas allow no ``null``).

Nothing personal leaves this module: no participant data, no user accounts, no provider
staff.  The only name of a person is an offer's published contact person.

Ids are stable: the public UUIDs of the rows; objects without a row of their own (addresses,
phones, attributes, taxonomy terms …) get a UUID5 derived from their parent's id or, for
taxonomies and their terms, from :data:`NAMESPACE` and their code.  The profile (taxonomies,
link types, what is mapped how) is documented in ``docs/hsds.md``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import translation

from teilhabe.accounts.models import Tenant
from teilhabe.territory.models import TerritoryKind

from .models import (
    LANGUAGE_CHOICES,
    Category,
    Offer,
    OfferLocation,
    OfferSchedule,
    OfferStatus,
    Provider,
    ProviderKind,
    RuleSetRecord,
    Weekday,
)

HSDS_VERSION = "3.0"

#: Namespace of all derived ids.  Never change it: consumers keep the ids.
NAMESPACE = uuid.UUID("a74793ae-5022-4c98-8c45-9fcd8fcc5984")

#: Only these offers are public.
PUBLIC_STATUSES = (OfferStatus.ACTIVE, OfferStatus.PLANNED)

#: ``attribute.link_type`` of the two taxonomies
LINK_CATEGORY = "category"
LINK_ELIGIBILITY = "eligibility"
LINK_PRIORITY = "eligibility_priority"

STATUS_CATALOGUE_PATH = (
    Path(__file__).resolve().parent.parent / "eligibility" / "data" / "residence_status_kinds.json"
)


def derived_id(parent: uuid.UUID | str, part: str) -> str:
    """The stable id of a sub-object (address, phone, attribute …) of ``parent``."""
    base = parent if isinstance(parent, uuid.UUID) else uuid.UUID(str(parent))
    return str(uuid.uuid5(base, part))


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Drop optional fields without a value (HSDS types allow no null)."""
    return {k: v for k, v in data.items() if v is not None and v != ""}


def _de(label: Any) -> str:
    with translation.override("de"):
        return str(label)


@lru_cache(maxsize=1)
def _language_names() -> dict[str, str]:
    return {code: _de(name) for code, name in LANGUAGE_CHOICES}


@lru_cache(maxsize=1)
def _provider_kinds() -> dict[str, str]:
    return {value: _de(label) for value, label in ProviderKind.choices}


@lru_cache(maxsize=1)
def _weekday_names() -> dict[int, str]:
    return {int(value): _de(label) for value, label in Weekday.choices}


ICAL_DAYS = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}


def timestamp(value: datetime) -> str:
    """RFC 3339 in UTC with milliseconds, as HSDS asks for ``last_modified``."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- Taxonomies ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Taxonomy:
    code: str
    description: str
    version: str = "1"

    @cached_property
    def id(self) -> str:
        return str(uuid.uuid5(NAMESPACE, f"taxonomy/{self.code}"))

    def term_id(self, code: str) -> str:
        return str(uuid.uuid5(NAMESPACE, f"taxonomy/{self.code}/term/{code}"))


CATEGORY_TAXONOMY = Taxonomy(
    code="teilhabe-kategorien",
    description=(
        "Angebotskategorien der Plattform Teilhabe (Kommunale Integrationszentren NRW): "
        "Sprache, Schulabschluss, Berufsorientierung, Ausbildung, Arbeit, Beratung, Gesundheit, "
        "Wohnen, Mobilität, Ehrenamt, Freizeit, Kinderbetreuung. Jedes Angebot gehört zu genau "
        "einer Kategorie (Attribut mit link_type „category“)."
    ),
)
STATUS_TAXONOMY = Taxonomy(
    code="teilhabe-aufenthaltsstatus",
    description=(
        "Aufenthaltsrechtlicher Status nach deutschem Recht (AsylG, AufenthG), zweistufig: "
        "die Art des Status (z. B. Duldung) und darunter die Rechtsgrundlage (z. B. § 60c "
        "AufenthG). Ein Attribut mit link_type „eligibility“ an einem Angebot bedeutet: "
        "Menschen mit diesem Status können teilnehmen; ein Begriff der oberen Stufe gilt für "
        "jede Rechtsgrundlage dieses Status."
    ),
)
TAXONOMIES = (CATEGORY_TAXONOMY, STATUS_TAXONOMY)


@dataclass(frozen=True)
class Term:
    taxonomy: Taxonomy
    code: str
    name: str
    description: str
    parent_code: str | None = None

    @cached_property
    def id(self) -> str:
        return self.taxonomy.term_id(self.code)

    @cached_property
    def parent_id(self) -> str | None:
        return None if self.parent_code is None else self.taxonomy.term_id(self.parent_code)


@dataclass(frozen=True)
class StatusCatalogue:
    """The residence-status kinds and their paragraphs, read tolerantly from the engine's
    catalogue file (``teilhabe/eligibility/data/residence_status_kinds.json``)."""

    terms: tuple[Term, ...] = ()
    # kind -> paragraph codes (an empty set: the kind has no paragraphs)
    paragraphs: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def term(self, code: str) -> Term | None:
        for t in self.terms:
            if t.code == code:
                return t
        return None


def _catalogue_from_data(data: Any) -> StatusCatalogue:
    kinds = data.get("kinds") if isinstance(data, Mapping) else None
    if not isinstance(kinds, list):
        return StatusCatalogue()
    terms: list[Term] = []
    paragraphs: dict[str, frozenset[str]] = {}
    for kind in kinds:
        if not isinstance(kind, Mapping) or kind.get("unknown"):
            continue
        code, name = kind.get("code"), kind.get("name_de")
        if not (isinstance(code, str) and code and isinstance(name, str) and name):
            continue
        if code in paragraphs:
            continue
        terms.append(
            Term(
                STATUS_TAXONOMY,
                code,
                name,
                f"Aufenthaltsstatus „{name}“ (jede Rechtsgrundlage).",
            )
        )
        pars: set[str] = set()
        for par in kind.get("paragraphs") or []:
            if not isinstance(par, Mapping):
                continue
            pcode, pname = par.get("code"), par.get("name_de")
            if not (isinstance(pcode, str) and pcode and isinstance(pname, str) and pname):
                continue
            if pcode in pars:
                continue
            pars.add(pcode)
            terms.append(
                Term(
                    STATUS_TAXONOMY,
                    f"{code}:{pcode}",
                    f"{name}: {pname}",
                    f"Aufenthaltsstatus „{name}“ mit der Rechtsgrundlage {pname}.",
                    parent_code=code,
                )
            )
        paragraphs[code] = frozenset(pars)
    return StatusCatalogue(terms=tuple(terms), paragraphs=paragraphs)


@lru_cache(maxsize=1)
def status_catalogue() -> StatusCatalogue:
    """The residence-status terms; an empty catalogue if the file is missing or unreadable."""
    try:
        data = json.loads(STATUS_CATALOGUE_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return StatusCatalogue()
    return _catalogue_from_data(data)


def category_term(category: Category) -> Term:
    return Term(
        CATEGORY_TAXONOMY,
        category.code,
        category.name,
        category.description or category.name_plain or category.name,
    )


# --- Eligibility: residence status from a rule-set definition --------------------------------

# kind -> permitted paragraphs (None: every paragraph), as in the eligibility engine
_Spec = dict[str, frozenset[str] | None]


class _UnknownShape(ValueError):
    pass


def _spec_from_list(value: Any, catalogue: StatusCatalogue) -> _Spec:
    """A non-empty list of ``"kind"``, ``"kind:paragraph"`` or ``{"kind", "paragraphs"}``
    (the status specs of the eligibility engine) with kinds and paragraphs of the catalogue."""
    if not isinstance(value, list) or not value:
        raise _UnknownShape
    spec: _Spec = {}
    for item in value:
        pars: frozenset[str] | None
        if isinstance(item, str):
            kind, _, par = item.partition(":")
            pars = frozenset([par]) if par else None
        elif isinstance(item, Mapping) and isinstance(item.get("kind"), str):
            kind = item["kind"]
            raw = item.get("paragraphs")
            if raw is None:
                pars = None
            elif isinstance(raw, list) and raw and all(isinstance(p, str) for p in raw):
                pars = frozenset(raw)
            else:
                raise _UnknownShape
        else:
            raise _UnknownShape
        known = catalogue.paragraphs.get(kind)
        if known is None or (pars is not None and not pars <= known):
            raise _UnknownShape
        spec = _union(spec, {kind: pars})
    return spec


def _union(a: _Spec, b: _Spec) -> _Spec:
    out = dict(a)
    for kind, pb in b.items():
        if kind not in out:
            out[kind] = pb
        else:
            pa = out[kind]
            out[kind] = None if pa is None or pb is None else pa | pb
    return out


def _intersect(a: _Spec, b: _Spec) -> _Spec:
    out: _Spec = {}
    for kind in a.keys() & b.keys():
        pa, pb = a[kind], b[kind]
        if pa is None:
            out[kind] = pb
        elif pb is None:
            out[kind] = pa
        elif pa & pb:
            out[kind] = pa & pb
    return out


def _codes(spec: _Spec, catalogue: StatusCatalogue) -> tuple[str, ...]:
    """Term codes of a spec in catalogue order: a whole kind as its own term, single
    paragraphs as their terms."""
    codes: list[str] = []
    for term in catalogue.terms:
        if term.parent_code is None:
            if term.code in spec and spec[term.code] is None:
                codes.append(term.code)
        else:
            pars = spec.get(term.parent_code)
            if pars is not None and term.code.partition(":")[2] in pars:
                codes.append(term.code)
    return tuple(codes)


@dataclass(frozen=True)
class StatusTerms:
    """Term codes of ``teilhabe-aufenthaltsstatus`` for one rule set."""

    allowed: tuple[str, ...] = ()  # who may take part (empty: no restriction stated)
    preferred: tuple[str, ...] = ()  # the priority group ("vorrangig")


def status_terms_of(definition: Any, catalogue: StatusCatalogue | None = None) -> StatusTerms:
    """The residence statuses an offer's rule set admits and prefers.

    Every *required* criterion of kind ``residence_status`` restricts the statuses with its
    ``allowed`` list (several such criteria: their intersection; ``"any"``: no restriction);
    their ``preferred`` lists together form the priority group.  Any shape this function does
    not understand (unknown kinds or paragraphs, a different layout of the definition) gives
    no terms at all, so that no attribute claims more or less than the rules say.
    """
    catalogue = catalogue if catalogue is not None else status_catalogue()
    if not isinstance(definition, Mapping) or not catalogue.terms:
        return StatusTerms()
    criteria = definition.get("criteria")
    if not isinstance(criteria, list):
        return StatusTerms()
    allowed: _Spec | None = None
    preferred: _Spec = {}
    try:
        for criterion in criteria:
            if not isinstance(criterion, Mapping):
                raise _UnknownShape
            if criterion.get("kind") != "residence_status":
                continue
            if criterion.get("required", True) is not True:
                continue
            params = criterion.get("params")
            if not isinstance(params, Mapping):
                raise _UnknownShape
            if params.get("allowed") != "any":
                found = _spec_from_list(params.get("allowed"), catalogue)
                allowed = found if allowed is None else _intersect(allowed, found)
            if params.get("preferred"):
                preferred = _union(preferred, _spec_from_list(params["preferred"], catalogue))
    except _UnknownShape:
        return StatusTerms()
    return StatusTerms(
        allowed=_codes(allowed, catalogue) if allowed else (),
        preferred=_codes(preferred, catalogue),
    )


def status_term_codes(definition: Any, catalogue: StatusCatalogue | None = None) -> list[str]:
    """The residence-status term codes an offer's rule set admits (see
    :func:`status_terms_of`)."""
    return list(status_terms_of(definition, catalogue).allowed)


# --- Selectors -------------------------------------------------------------------------------


def hsds_tenant_get(public_id: str) -> Tenant | None:
    """An active tenant by its public UUID (a malformed id: None)."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return Tenant.objects.select_related("territory").filter(public_id=key, is_active=True).first()


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _locations_queryset() -> QuerySet[OfferLocation]:
    return OfferLocation.objects.select_related("gemeinde__parent").order_by("id")


def hsds_offers(tenant: Tenant, *, nested: bool = True) -> QuerySet[Offer]:
    """The tenant's public offers with everything the mapping functions read."""
    qs = (
        Offer.objects.filter(tenant=tenant, status__in=PUBLIC_STATUSES)
        .select_related("category", "provider", "funding", "rule_set")
        .order_by("title", "id")
    )
    if nested:
        qs = qs.prefetch_related(
            Prefetch("locations", queryset=_locations_queryset()),
            Prefetch("schedules", queryset=OfferSchedule.objects.order_by("weekday", "opens_at")),
        )
    return qs


def hsds_offer_get(tenant: Tenant, public_id: str) -> Offer | None:
    key = _uuid_or_none(public_id)
    return None if key is None else hsds_offers(tenant).filter(public_id=key).first()


def _public_offer_exists(tenant: Tenant) -> Exists:
    return Exists(
        Offer.objects.filter(tenant=tenant, provider=OuterRef("pk"), status__in=PUBLIC_STATUSES)
    )


def hsds_providers(tenant: Tenant, *, with_offers: bool = False) -> QuerySet[Provider]:
    """Providers with at least one public offer (an organization without any public service
    is not part of the public directory)."""
    qs = (
        Provider.objects.filter(tenant=tenant)
        .filter(_public_offer_exists(tenant))
        .order_by("name", "id")
    )
    if with_offers:
        qs = qs.prefetch_related(
            Prefetch("offers", queryset=hsds_offers(tenant), to_attr="public_offers")
        )
    return qs


def hsds_provider_get(tenant: Tenant, public_id: str) -> Provider | None:
    key = _uuid_or_none(public_id)
    if key is None:
        return None
    return hsds_providers(tenant, with_offers=True).filter(public_id=key).first()


def hsds_locations(tenant: Tenant, *, nested: bool = False) -> QuerySet[OfferLocation]:
    """Locations of public offers (one service_at_location each)."""
    qs = (
        OfferLocation.objects.filter(tenant=tenant, offer__status__in=PUBLIC_STATUSES)
        .select_related(
            "gemeinde__parent",
            "offer__category",
            "offer__provider",
            "offer__funding",
            "offer__rule_set",
        )
        .order_by("offer__title", "offer__id", "id")
    )
    if nested:
        qs = qs.prefetch_related(
            Prefetch(
                "offer__schedules",
                queryset=OfferSchedule.objects.order_by("weekday", "opens_at"),
            )
        )
    return qs


def hsds_location_get(tenant: Tenant, public_id: str) -> OfferLocation | None:
    key = _uuid_or_none(public_id)
    return (
        None if key is None else hsds_locations(tenant, nested=True).filter(public_id=key).first()
    )


def hsds_categories(tenant: Tenant) -> list[Category]:
    """Active categories, and retired ones that a public offer still uses."""
    used = Offer.objects.filter(tenant=tenant, status__in=PUBLIC_STATUSES, category=OuterRef("pk"))
    return list(
        Category.objects.filter(Q(is_active=True) | Exists(used)).order_by("sort_order", "name")
    )


@dataclass(frozen=True)
class DirectoryFilter:
    """The HSDS filter parameters of ``/services`` and ``/service_at_locations``."""

    search: str = ""
    taxonomy_term_id: str = ""
    taxonomy_id: str = ""
    organization_id: str = ""
    modified_after: datetime | None = None
    postcode: str = ""  # service_at_locations only


def _attribute_codes(found: StatusTerms) -> set[str]:
    return set(found.allowed) | set(found.preferred)


def _rule_sets_where(tenant: Tenant, keep: Any) -> list[int]:
    """Ids of the rule sets of public offers whose status term codes satisfy ``keep``."""
    used = (
        Offer.objects.filter(tenant=tenant, status__in=PUBLIC_STATUSES, rule_set__isnull=False)
        .values_list("rule_set_id", flat=True)
        .distinct()
    )
    return [
        rs.pk
        for rs in RuleSetRecord.objects.filter(pk__in=used).only("pk", "definition")
        if keep(_attribute_codes(status_terms_of(rs.definition)))
    ]


def _offer_q(tenant: Tenant, f: DirectoryFilter, prefix: str = "") -> Q:
    """Search and taxonomy/organization filters as a Q over Offer (``prefix="offer__"``: the
    same over OfferLocation)."""
    p = prefix
    nothing = Q(pk__in=[])
    q = Q()
    if f.search:
        outer = OuterRef("offer_id" if p else "pk")
        for word in f.search.split()[:6]:
            located = OfferLocation.objects.filter(offer=outer).filter(
                Q(city__icontains=word) | Q(name__icontains=word) | Q(postcode=word)
            )
            q &= (
                Q(**{f"{p}title__icontains": word})
                | Q(**{f"{p}title_plain__icontains": word})
                | Q(**{f"{p}description__icontains": word})
                | Q(**{f"{p}provider__name__icontains": word})
                | Q(**{f"{p}category__name__icontains": word})
                | Q(**{f"{p}key__iexact": word})
                | Q(Exists(located))
            )
    if f.organization_id:
        key = _uuid_or_none(f.organization_id)
        q &= Q(**{f"{p}provider__public_id": key}) if key else nothing
    if f.taxonomy_id == STATUS_TAXONOMY.id:
        q &= Q(**{f"{p}rule_set__in": _rule_sets_where(tenant, bool)})
    elif f.taxonomy_id and f.taxonomy_id != CATEGORY_TAXONOMY.id:
        q &= nothing  # (every offer has a term of the category taxonomy)
    if f.taxonomy_term_id:
        status = term_by_id(f.taxonomy_term_id, categories=None)
        if status is not None:
            code = status.code
            q &= Q(**{f"{p}rule_set__in": _rule_sets_where(tenant, lambda c: code in c)})
        else:
            codes = [
                c
                for c in Category.objects.values_list("code", flat=True)
                if CATEGORY_TAXONOMY.term_id(c) == f.taxonomy_term_id
            ]
            q &= Q(**{f"{p}category__code__in": codes}) if codes else nothing
    return q


def hsds_offers_filtered(tenant: Tenant, f: DirectoryFilter, *, nested: bool) -> QuerySet[Offer]:
    qs = hsds_offers(tenant, nested=nested).filter(_offer_q(tenant, f))
    if f.modified_after is not None:
        qs = qs.filter(updated_at__gte=f.modified_after)
    return qs


def hsds_locations_filtered(
    tenant: Tenant, f: DirectoryFilter, *, nested: bool
) -> QuerySet[OfferLocation]:
    qs = hsds_locations(tenant, nested=nested).filter(_offer_q(tenant, f, prefix="offer__"))
    if f.modified_after is not None:
        # a place counts as modified when it or its offer changed
        qs = qs.filter(
            Q(updated_at__gte=f.modified_after) | Q(offer__updated_at__gte=f.modified_after)
        )
    if f.postcode:
        qs = qs.filter(postcode=f.postcode)
    return qs


def provider_search(qs: QuerySet[Provider], search: str) -> QuerySet[Provider]:
    for word in search.split()[:6]:
        qs = qs.filter(
            Q(name__icontains=word) | Q(description__icontains=word) | Q(city__icontains=word)
        )
    return qs


# --- Mapping: taxonomies ---------------------------------------------------------------------


def taxonomy_dict(taxonomy: Taxonomy) -> dict[str, Any]:
    return {
        "id": taxonomy.id,
        "name": taxonomy.code,
        "description": taxonomy.description,
        "version": taxonomy.version,
    }


def term_dict(term: Term) -> dict[str, Any]:
    return dict(_term_dict(term))


@lru_cache(maxsize=1024)
def _term_dict(term: Term) -> dict[str, Any]:
    # cached: read only (``term_dict`` hands out copies)
    return _clean(
        {
            "id": term.id,
            "code": term.code,
            "name": term.name,
            "description": term.description,
            "parent_id": term.parent_id,
            "taxonomy": term.taxonomy.code,
            "taxonomy_id": term.taxonomy.id,
            "taxonomy_detail": taxonomy_dict(term.taxonomy),
            "language": "de",
        }
    )


def all_terms(categories: Iterable[Category]) -> list[Term]:
    return [category_term(c) for c in categories] + list(status_catalogue().terms)


def term_by_id(term_id: str, categories: Iterable[Category] | None) -> Term | None:
    """A status term by id, or (with ``categories``) a category term."""
    pool = list(status_catalogue().terms)
    if categories is not None:
        pool = [category_term(c) for c in categories] + pool
    for term in pool:
        if term.id == term_id:
            return term
    return None


# --- Mapping: organizations, locations, services ---------------------------------------------


class Context:
    """What the mapping functions share within one response: the tenant (for the service
    area) and the status terms of each rule set, computed once."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.catalogue = status_catalogue()
        self._status: dict[int, tuple[list[Term], list[Term]]] = {}

    def _terms(self, offer: Offer) -> tuple[list[Term], list[Term]]:
        rule_set = offer.rule_set
        if rule_set is None:
            return [], []
        if rule_set.pk not in self._status:
            found = status_terms_of(rule_set.definition, self.catalogue)
            self._status[rule_set.pk] = (
                [t for t in map(self.catalogue.term, found.allowed) if t is not None],
                [t for t in map(self.catalogue.term, found.preferred) if t is not None],
            )
        return self._status[rule_set.pk]

    def status_terms(self, offer: Offer) -> list[Term]:
        """The residence statuses with which one may take part (empty: not restricted)."""
        return self._terms(offer)[0]

    def priority_terms(self, offer: Offer) -> list[Term]:
        """The residence statuses of the priority group."""
        return self._terms(offer)[1]


def organization_basic(provider: Provider) -> dict[str, Any]:
    return _clean(
        {
            "id": str(provider.public_id),
            "name": provider.name,
            "description": provider.description or _provider_kinds().get(provider.kind, ""),
            "email": provider.email,
            "website": provider.website,
        }
    )


def _organization_location(provider: Provider) -> dict[str, Any] | None:
    if not (provider.street and provider.postcode and provider.city):
        return None
    location_id = derived_id(provider.public_id, "location")
    return {
        "id": location_id,
        "location_type": "postal",
        "organization_id": str(provider.public_id),
        "name": f"Anschrift: {provider.name}",
        "addresses": [
            {
                "id": derived_id(provider.public_id, "address"),
                "location_id": location_id,
                "address_1": provider.street,
                "city": provider.city,
                "state_province": "NW",
                "postal_code": provider.postcode,
                "country": "DE",
                "address_type": "postal",
            }
        ],
    }


def organization_full(
    provider: Provider, ctx: Context, *, full_services: bool = False
) -> dict[str, Any]:
    """The organization with phones, locations (its address and the places of its public
    offers) and its services (one-to-one fields, or fully nested with ``full_services``).
    Needs ``provider.public_offers`` from :func:`hsds_providers` ``(with_offers=True)``."""
    data = organization_basic(provider)
    offers: list[Offer] = list(getattr(provider, "public_offers", []))
    data["phones"] = (
        [
            {
                "id": derived_id(provider.public_id, "phone"),
                "organization_id": str(provider.public_id),
                "number": provider.phone,
            }
        ]
        if provider.phone
        else []
    )
    locations = [loc for loc in [_organization_location(provider)] if loc]
    for offer in offers:
        locations.extend(location_dict(loc, offer, full=True) for loc in offer.locations.all())
    data["locations"] = locations
    if full_services:
        data["services"] = [
            service_full(o, ctx, with_organization=False, with_locations=True) for o in offers
        ]
    else:
        data["services"] = [service_basic(o, ctx, with_organization=False) for o in offers]
    return data


def organization_export(provider: Provider) -> dict[str, Any]:
    """Export form: phones only; locations and services are lists of their own."""
    data = organization_basic(provider)
    data["phones"] = (
        [
            {
                "id": derived_id(provider.public_id, "phone"),
                "organization_id": str(provider.public_id),
                "number": provider.phone,
            }
        ]
        if provider.phone
        else []
    )
    return data


def _region(location: OfferLocation) -> str:
    gemeinde = location.gemeinde
    parent = gemeinde.parent
    if parent is not None and parent.kind in (TerritoryKind.KREIS, TerritoryKind.STAEDTEREGION):
        return parent.name
    return gemeinde.name


def location_id_for(location: OfferLocation) -> str:
    return derived_id(location.public_id, "location")


def location_dict(location: OfferLocation, offer: Offer, *, full: bool) -> dict[str, Any]:
    """An offer's place.  ``full``: with its address and accessibility."""
    loc_id = location_id_for(location)
    data = _clean(
        {
            "id": loc_id,
            "location_type": "physical",
            "organization_id": str(offer.provider.public_id),
            "name": location.name or f"{location.street}, {location.postcode} {location.city}",
            "latitude": None if location.latitude is None else float(location.latitude),
            "longitude": None if location.longitude is None else float(location.longitude),
            "external_identifier": location.gemeinde.ags,
            "external_identifier_type": "AGS (Amtlicher Gemeindeschlüssel)",
        }
    )
    if not full:
        return data
    data["addresses"] = [
        _clean(
            {
                "id": derived_id(location.public_id, "address"),
                "location_id": loc_id,
                "address_1": location.street,
                "city": location.city,
                "region": _region(location),
                "state_province": "NW",
                "postal_code": location.postcode,
                "country": "DE",
                "address_type": "physical",
            }
        )
    ]
    accessibility = []
    if offer.wheelchair_accessible or offer.accessibility_note:
        accessibility.append(
            _clean(
                {
                    "id": derived_id(location.public_id, "accessibility"),
                    "location_id": loc_id,
                    "description": (
                        "rollstuhlgerecht" if offer.wheelchair_accessible else "Barrierefreiheit"
                    ),
                    "details": offer.accessibility_note,
                }
            )
        )
    data["accessibility"] = accessibility
    return data


def _status(offer: Offer) -> str:
    return "active" if offer.status == OfferStatus.ACTIVE else "inactive"


def _alert(offer: Offer) -> str:
    if offer.status != OfferStatus.PLANNED:
        return ""
    if offer.start_date:
        return f"Geplantes Angebot, Beginn am {offer.start_date:%d.%m.%Y}."
    return "Geplantes Angebot, der Beginn steht noch nicht fest."


def _fees_description(offer: Offer) -> str:
    parts = []
    if offer.cost:
        amount = f"{offer.cost:.2f}".replace(".", ",")
        parts.append(f"Teilnahmebeitrag {amount} Euro.")
    else:
        parts.append("Kostenlos.")
    if offer.cost_note:
        parts.append(offer.cost_note)
    if offer.travel_costs_reimbursed:
        parts.append("Fahrtkosten werden erstattet.")
    if offer.childcare_reimbursed:
        parts.append("Kosten der Kinderbetreuung werden erstattet.")
    return " ".join(parts)


def eligibility_description(
    offer: Offer, terms: Sequence[Term], priority: Sequence[Term] = ()
) -> str:
    """Who may take part, in German: the free-text note, the rule set, the residence
    statuses it admits (and prefers) and the further conditions of the offer."""
    parts = []
    if offer.eligibility_note.strip():
        parts.append(offer.eligibility_note.strip())
    if offer.rule_set is not None:
        parts.append(f"Zugangsregeln: {offer.rule_set.name}.")
    if terms:
        parts.append("Aufenthaltsstatus: " + "; ".join(t.name for t in terms) + ".")
    if priority:
        parts.append("Vorrangig für: " + "; ".join(t.name for t in priority) + ".")
    if offer.min_age is not None and offer.max_age is not None:
        parts.append(f"Alter: {offer.min_age} bis {offer.max_age} Jahre.")
    elif offer.min_age is not None:
        parts.append(f"Alter: ab {offer.min_age} Jahren.")
    elif offer.max_age is not None:
        parts.append(f"Alter: bis {offer.max_age} Jahre.")
    if offer.language_level_required:
        parts.append(f"Deutschkenntnisse: mindestens {offer.language_level_required}.")
    if offer.women_only:
        parts.append("Nur für Frauen.")
    return "\n".join(parts)


def service_basic(offer: Offer, ctx: Context, *, with_organization: bool = True) -> dict[str, Any]:
    """The one-to-one fields of a service (``compiled/service_list.json``)."""
    data = _clean(
        {
            "id": str(offer.public_id),
            "organization_id": str(offer.provider.public_id),
            "name": offer.title,
            "alternate_name": offer.title_plain,
            "description": offer.description,
            "email": offer.contact_email,
            "status": _status(offer),
            "fees_description": _fees_description(offer),
            "eligibility_description": eligibility_description(
                offer, ctx.status_terms(offer), ctx.priority_terms(offer)
            ),
            "minimum_age": offer.min_age,
            "maximum_age": offer.max_age,
            "alert": _alert(offer),
            "last_modified": timestamp(offer.updated_at),
        }
    )
    if with_organization:
        data["organization"] = organization_basic(offer.provider)
    return data


def _schedule(schedule: OfferSchedule, offer: Offer) -> dict[str, Any]:
    day = _weekday_names().get(schedule.weekday, "")
    opens, closes = f"{schedule.opens_at:%H:%M}", f"{schedule.closes_at:%H:%M}"
    return _clean(
        {
            "id": str(schedule.public_id),
            "service_id": str(offer.public_id),
            "valid_from": offer.start_date.isoformat() if offer.start_date else None,
            "valid_to": offer.end_date.isoformat() if offer.end_date else None,
            "dtstart": offer.start_date.isoformat() if offer.start_date else None,
            "until": offer.end_date.isoformat() if offer.end_date else None,
            "wkst": "MO",
            "freq": "WEEKLY",
            "interval": 1,
            "byday": ICAL_DAYS.get(schedule.weekday),
            "opens_at": opens,
            "closes_at": closes,
            "description": f"{day} {opens}–{closes} Uhr (Ortszeit)",
            "notes": offer.schedule_note,
        }
    )


def _attribute(offer: Offer, term: Term, link_type: str) -> dict[str, Any]:
    return {
        "id": derived_id(offer.public_id, f"attribute/{link_type}/{term.id}"),
        "link_id": str(offer.public_id),
        "link_type": link_type,
        "link_entity": "service",
        "taxonomy_term_id": term.id,
        "taxonomy_term": term_dict(term),
    }


def service_at_location_basic(
    location: OfferLocation, offer: Offer, *, service: dict[str, Any] | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(location.public_id),
        "service_id": str(offer.public_id),
        "location_id": location_id_for(location),
    }
    if service is not None:
        data["service"] = service
    return data


def service_full(
    offer: Offer,
    ctx: Context,
    *,
    with_organization: bool = True,
    with_locations: bool = True,
) -> dict[str, Any]:
    """The fully nested service (``compiled/service.json``)."""
    data = service_basic(offer, ctx, with_organization=with_organization)
    sid = str(offer.public_id)
    data["phones"] = (
        [
            {
                "id": derived_id(offer.public_id, "phone"),
                "service_id": sid,
                "number": offer.contact_phone,
            }
        ]
        if offer.contact_phone
        else []
    )
    data["schedules"] = [_schedule(s, offer) for s in offer.schedules.all()]
    territory = ctx.tenant.territory
    data["service_areas"] = [
        {
            "id": derived_id(offer.public_id, f"service_area/{territory.ags}"),
            "service_id": sid,
            "name": territory.name,
            "description": (
                f"Angebot im Gebiet von {ctx.tenant.name} "
                f"(AGS {territory.ags}, Nordrhein-Westfalen)."
            ),
        }
    ]
    if with_locations:
        data["service_at_locations"] = [
            {
                **service_at_location_basic(loc, offer),
                "location": location_dict(loc, offer, full=True),
            }
            for loc in offer.locations.all()
        ]
    names = _language_names()
    data["languages"] = [
        {
            "id": derived_id(offer.public_id, f"language/{code}"),
            "service_id": sid,
            "name": names.get(code, code),
            "code": code,
        }
        for code in (offer.languages or [])
        if isinstance(code, str) and code
    ]
    data["funding"] = (
        [
            {
                "id": derived_id(offer.public_id, "funding"),
                "service_id": sid,
                "source": offer.funding.name,
            }
        ]
        if offer.funding is not None
        else []
    )
    data["cost_options"] = [
        _clean(
            {
                "id": derived_id(offer.public_id, "cost_option"),
                "service_id": sid,
                "option": "Teilnahmebeitrag",
                "currency": "EUR",
                "amount": float(offer.cost),
                "amount_description": offer.cost_note,
            }
        )
    ]
    data["contacts"] = (
        [
            _clean(
                {
                    "id": derived_id(offer.public_id, "contact"),
                    "service_id": sid,
                    "name": offer.contact_name,
                    "email": offer.contact_email,
                }
            )
        ]
        if offer.contact_name or offer.contact_email
        else []
    )
    attributes = [_attribute(offer, category_term(offer.category), LINK_CATEGORY)]
    attributes += [_attribute(offer, t, LINK_ELIGIBILITY) for t in ctx.status_terms(offer)]
    attributes += [_attribute(offer, t, LINK_PRIORITY) for t in ctx.priority_terms(offer)]
    data["attributes"] = attributes
    return data


def service_at_location_full(location: OfferLocation, ctx: Context) -> dict[str, Any]:
    """The fully nested service_at_location (``compiled/service_at_location.json``)."""
    offer = location.offer
    data = service_at_location_basic(
        location, offer, service=service_full(offer, ctx, with_locations=False)
    )
    data["location"] = location_dict(location, offer, full=True)
    return data


def service_at_location_list_item(location: OfferLocation, ctx: Context) -> dict[str, Any]:
    """One-to-one form (``compiled/service_at_location_list.json``)."""
    offer = location.offer
    data = service_at_location_basic(location, offer, service=service_basic(offer, ctx))
    data["location"] = location_dict(location, offer, full=False)
    return data


def service_export(offer: Offer, ctx: Context) -> dict[str, Any]:
    """Export form: nested one-to-many details, but organization and service_at_locations
    are lists of their own (linked by ``organization_id`` and ``service_id``)."""
    return service_full(offer, ctx, with_organization=False, with_locations=False)


def export_document(
    tenant: Tenant,
    providers: Iterable[Provider],
    offers: Iterable[Offer],
    categories: Iterable[Category],
    *,
    profile_url: str,
    generated_at: datetime,
) -> dict[str, Any]:
    """The whole public directory of a tenant as one JSON document (see docs/hsds.md)."""
    ctx = Context(tenant)
    offer_list = list(offers)
    locations: list[dict[str, Any]] = []
    organizations = []
    for provider in providers:
        organizations.append(organization_export(provider))
        own = _organization_location(provider)
        if own:
            locations.append(own)
    service_at_locations = []
    for offer in offer_list:
        for loc in offer.locations.all():
            locations.append(location_dict(loc, offer, full=True))
            service_at_locations.append(service_at_location_basic(loc, offer))
    return {
        "hsds_version": HSDS_VERSION,
        "profile": profile_url,
        "generated_at": timestamp(generated_at),
        "publisher": {
            "id": str(tenant.public_id),
            "name": tenant.name,
            "ags": tenant.territory.ags,
        },
        "organizations": organizations,
        "services": [service_export(o, ctx) for o in offer_list],
        "locations": locations,
        "service_at_locations": service_at_locations,
        "taxonomies": [taxonomy_dict(t) for t in TAXONOMIES],
        "taxonomy_terms": [term_dict(t) for t in all_terms(categories)],
    }
