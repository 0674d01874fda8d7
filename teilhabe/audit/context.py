"""Where the current request came from, for audit events written deep inside services."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    ip_address: str | None
    user_agent: str
    request_id: str


current_request: ContextVar[RequestInfo | None] = ContextVar("teilhabe_request", default=None)
