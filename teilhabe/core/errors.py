"""Domain errors raised by services; views turn them into messages."""


class DomainError(Exception):
    """A rule of the domain forbids the requested change. The message is user-facing."""


class ConflictError(DomainError):
    """Somebody else changed the record in the meantime."""
