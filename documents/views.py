"""Public verification of documents by their CSV (art. 10.1.b, 29.4, 30.4), and the public list of
the town hall's seals (art. 10.3). No identification is needed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from documents import services
from documents.forms import VerifyForm
from documents.models import Document, SealCertificate
from seu.errors import NotFound, RateLimited
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
    try:
        return services.find_document(text=code, address=client_ip(request))
    except (RateLimited, NotFound) as exc:
        form = VerifyForm(initial={"csv": code})
        form.is_bound = False
        status = exc.http_status
        return render(
            request, "documents/verify.html", {"form": form, "error": exc.message}, status=status
        )
    except services.verification_code.MalformedCode as exc:
        return render(
            request,
            "documents/verify.html",
            {"form": VerifyForm(), "error": exc.message},
            status=400,
        )


@require_GET
@never_cache
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    found = _lookup(request, code)
    if isinstance(found, HttpResponse):
        return _verification_headers(found)
    report = services.verification_report(found)
    versions = found.versions.select_related("blob").order_by("number")
    response = render(
        request,
        "documents/report.html",
        {"document": found, "report": report, "versions": versions},
    )
    return _verification_headers(response)


@require_GET
@never_cache
def download(request: HttpRequest, code: str) -> HttpResponse:
    found = _lookup(request, code)
    if isinstance(found, HttpResponse):
        return _verification_headers(found)
    version = found.current_version()
    response = HttpResponse(version.blob.read(), content_type="application/pdf")
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
