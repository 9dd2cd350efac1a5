"""Public verification of documents by their CSV (art. 10.1.b, 29.4, 30.4), and the public list of
the town hall's seals (art. 10.3). No identification is needed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from documents import responses, services
from documents.forms import VerifyForm
from documents.models import Document, SealCertificate
from seu.errors import InvalidInput, NotFound, RateLimited
from seu.net import client_ip


def _verification_headers(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.GET or None)
    status = 200
    if form.is_bound and form.is_valid():
        try:
            document = services.find_document(
                text=form.cleaned_data["csv"], address=client_ip(request)
            )
        except RateLimited as exc:
            form.add_error("csv", str(exc.message))
            status = 429
        except NotFound as exc:
            form.add_error("csv", str(exc.message))
            status = 404
        else:
            return HttpResponseRedirect(reverse("documents:verify_code", args=[document.csv]))
    elif form.is_bound:
        status = 400
    response = render(request, "documents/verify.html", {"form": form}, status=status)
    return _verification_headers(response)


def _lookup(request: HttpRequest, code: str) -> Document | HttpResponse:
    """The document of a verification address (the QR code's, or a link), or the form with the
    code as it came and the reason, as the form itself answers: a mistyped or malformed code
    (400), an unknown one (404), too many failures (429)."""
    try:
        return services.find_document(text=code, address=client_ip(request))
    except (InvalidInput, NotFound, RateLimited) as exc:
        return render(
            request,
            "documents/verify.html",
            {"form": VerifyForm(initial={"csv": code}), "error": exc.message},
            status=exc.http_status,
        )


@require_GET
@never_cache
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    found = _lookup(request, code)
    if isinstance(found, HttpResponse):
        return _verification_headers(found)
    report = services.verification_report(found)
    versions = found.versions.order_by("number")
    response = render(
        request,
        "documents/report.html",
        {
            "document": found,
            "report": report,
            "versions": versions,
            "integrity_message": services.integrity_message(report.integrity_failure)
            if report.integrity_failure
            else "",
        },
    )
    return _verification_headers(response)


@require_GET
@never_cache
def download(request: HttpRequest, code: str) -> HttpResponse:
    found = _lookup(request, code)
    if isinstance(found, HttpResponse):
        return _verification_headers(found)
    try:
        data = services.checked_bytes(document=found)
    except services.IntegrityFailure as exc:
        return _verification_headers(responses.integrity_failure(request, found, exc))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{found.csv}.pdf"'
    return _verification_headers(response)


@require_GET
def seals(request: HttpRequest) -> HttpResponse:
    return render(request, "documents/seals.html", {"seals": SealCertificate.objects.all()})


@require_GET
def seal_certificate(request: HttpRequest, fingerprint: str) -> HttpResponse:
    seal = SealCertificate.objects.filter(fingerprint=fingerprint).first()
    if seal is None:
        return render(request, "404.html", status=404)
    response = HttpResponse(seal.pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = f'attachment; filename="segell-{fingerprint[:16]}.pem"'
    return response
