"""The offer import pages: upload form with the error table or the summary, and the template."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from teilhabe.accounts import policy
from teilhabe.accounts.roles import Cap
from teilhabe.core.forms import KernFormMixin

from . import imports

# More errors than this are counted but not listed (a wrong file can have thousands).
MAX_ERRORS_SHOWN = 500


def _file_help() -> str:
    # evaluated at rendering, so that it shows the configured size limit
    return gettext("One row per offer, in the layout of the template. At most %(size)s MB.") % {
        "size": imports.max_megabytes()
    }


class OfferImportForm(KernFormMixin, forms.Form):
    file = forms.FileField(
        label=_("File (XLSX or CSV)"),
        help_text=lazy(_file_help, str)(),
        widget=forms.FileInput(
            attrs={
                "accept": ".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument"
                ".spreadsheetml.sheet"
            }
        ),
        error_messages={
            "required": _("Please choose a file."),
            "empty": _("The file is empty."),
        },
    )


def _tenant(request: HttpRequest) -> Any:
    return request.tenant  # type: ignore[attr-defined]


@require_http_methods(["GET", "POST"])
def offer_import(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    policy.require(request.user, Cap.OFFERS_IMPORT, tenant)
    posted = request.method == "POST"
    form = OfferImportForm(request.POST if posted else None, request.FILES if posted else None)
    result: imports.ImportResult | None = None
    if posted and form.is_valid():
        result = imports.offer_import(
            actor=request.user, tenant=tenant, uploaded_file=form.cleaned_data["file"]
        )
        for error in result.file_errors:
            form.add_error("file", error.message)
    row_errors = result.row_errors if result else []
    return render(
        request,
        "offers/offer_import.html",
        {
            "form": form,
            "result": result,
            "row_errors": row_errors[:MAX_ERRORS_SHOWN],
            "errors_hidden": max(len(row_errors) - MAX_ERRORS_SHOWN, 0),
        },
    )


@require_GET
def offer_import_template(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    policy.require(request.user, Cap.OFFERS_IMPORT, tenant)
    response = HttpResponse(
        imports.template_xlsx(tenant=tenant), content_type=imports.XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = 'attachment; filename="angebote-vorlage.xlsx"'
    return response
