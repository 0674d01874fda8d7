"""Consent per purpose: processing that needs a purpose stops without a valid consent."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from teilhabe.core.errors import DomainError

from .models import Consent, ConsentPurpose, Participant


class ConsentMissing(DomainError):
    """The message names the consent that is missing."""


def valid_consent(
    participant: Participant, purpose: str, *, provider: Any = None, on: date | None = None
) -> Consent | None:
    on = on or timezone.localdate()
    qs = participant.consents.filter(purpose=purpose, given_on__lte=on, withdrawn_on__isnull=True)
    if provider is not None:
        qs = qs.filter(provider=provider)
    for consent in qs.order_by("-given_on"):
        if consent.expires_on is None or consent.expires_on >= on:
            return consent
    return None


def consent_require(
    participant: Participant, purpose: str, *, provider: Any = None, on: date | None = None
) -> Consent:
    consent = valid_consent(participant, purpose, provider=provider, on=on)
    if consent is None:
        label = ConsentPurpose(purpose).label
        if provider is not None:
            raise ConsentMissing(
                _("The consent “%(purpose)s” for %(provider)s is missing, withdrawn or expired.")
                % {"purpose": label, "provider": provider}
            )
        raise ConsentMissing(
            _("The consent “%(purpose)s” is missing, withdrawn or expired.") % {"purpose": label}
        )
    return consent
