from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class NoStoreMiddleware:
    """Responses to signed-in users may show personal data: never cache them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or getattr(request, "tenant", None):
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        elif not request.path.startswith("/static/"):
            response.setdefault("Cache-Control", "no-cache")
        return response
