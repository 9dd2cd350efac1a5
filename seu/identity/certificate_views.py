"""Logging in with a client certificate (art. 6-8, 13): the page nginx asks a certificate for.

nginx passes the certificate it received in ``Client-Cert`` (seu.identity.certificates says how it
is trusted and validated). On success the identification is recorded and the person sent back where
they were; otherwise a page in their language says what is wrong and what to do.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from seu import identity
from seu.identity import certificates
from seu.models import Identification
from seu.net import client_ip

security_log = logging.getLogger("seu.security")


def _not_cached(response: HttpResponse) -> HttpResponse:
    # The answer depends on the certificate of this very connection: no cache may keep or reuse it.
    response["Cache-Control"] = "no-store"
    patch_vary_headers(response, ["Client-Cert"])
    return response


@require_GET
def certificate_login(request: HttpRequest) -> HttpResponse:
    next_url = identity.safe_next(request, request.GET.get("next"))
    try:
        der = certificates.certificate_from_request(request)
        validated = certificates.validate_certificate(der)
    except certificates.CertificateRefused as refusal:
        security_log.info(
            "certificate login refused: %s (from %s)", refusal.code, client_ip(request)
        )
        response = render(
            request,
            "seu/identity/certificate_refused.html",
            {
                "refusal": refusal,
                "login_url": identity.with_next(reverse("identity:login"), next_url),
            },
            status=refusal.http_status,
        )
        return _not_cached(response)

    identification = identity.record_identification(
        person=validated.person,
        method=Identification.Method.CERTIFICATE,
        loa=validated.loa,
        evidence=validated.evidence(),
        represented_entity=validated.represented_entity,
        ip_address=client_ip(request),
    )
    identity.start_session(request, identification)
    security_log.info(
        "certificate login: identification %s, issuer %s, serial %s",
        identification.pk,
        validated.issuer.key,
        validated.serial,
    )
    return _not_cached(HttpResponseRedirect(next_url))
