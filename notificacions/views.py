"""«Les meves notificacions»: the notifications a person receives, as holder or as representative,
opening (accepting) or rejecting one, and its documents, evidence and history (art. 32.5, 32.6);
and «Preferències»: the person's consent to electronic notification (art. 32.1-32.4), its
history, and the forms to give it, change the address and revoke it.

Consent and its history are personal data: the page asks for ``identity.PERSONAL_DATA_LOA`` and
explains a lower level (art. 8.2). Each view parses, calls one service, and renders."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from documents import responses
from notificacions import access, acting, selectors, services
from notificacions.forms import AddressForm, ConsentForm
from notificacions.models import Notification, NotificationEvent
from seu import identity, net
from seu.errors import InvalidInput, NotFound, SeuError
from seu.identity import representation

if TYPE_CHECKING:
    from django import forms

    from seu.models import Identification


def _identification(request: HttpRequest) -> Identification:
    """The identification, at the level personal data need, or ``InsufficientLevel`` (which
    ``identification_required`` turns into the page that offers to identify again)."""
    found = identity.current_identification(request)
    assert found is not None  # identification_required ran first
    identity.check_level(found, identity.PERSONAL_DATA_LOA)
    return found


def _page(
    request: HttpRequest,
    identification: Identification,
    *,
    consent_form: ConsentForm | None = None,
    address_form: AddressForm | None = None,
    status: int = 200,
) -> HttpResponse:
    person = identification.person
    current = selectors.current_consent(person)
    given = current is not None and current.is_given
    if consent_form is None:
        consent_form = ConsentForm(initial={"email": person.email})
    if address_form is None:
        address_form = AddressForm(initial={"email": current.email if current else ""})
    context: dict[str, Any] = {
        "current": current,
        "given": given,
        "history": selectors.consent_history(person),
        "consent_form": consent_form,
        "address_form": address_form,
        "declaration": services.declaration(services.Change.GIVEN),
        "address_declaration": services.declaration(services.Change.ADDRESS),
        "has_errors": bool(consent_form.errors or address_form.errors),
    }
    return render(request, "notificacions/preferences.html", context, status=status)


def _add_errors(form: forms.Form, invalid: services.InvalidConsent) -> None:
    for name, errors in invalid.errors.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


@never_cache
@require_http_methods(["GET", "POST"])
@identity.identification_required()
def preferences(request: HttpRequest) -> HttpResponse:
    """The consent as it stands, its history, and (POST) giving it (art. 32.2-32.3)."""
    identification = _identification(request)
    if request.method != "POST":
        return _page(request, identification)
    form = ConsentForm(request.POST)
    form.is_valid()  # only parses: a text and a box
    try:
        services.give_consent(
            identification=identification,
            email=form.cleaned_data.get("email", ""),
            accepted=form.cleaned_data.get("accept", False),
        )
    except services.InvalidConsent as invalid:
        _add_errors(form, invalid)
        return _page(request, identification, consent_form=form, status=400)
    messages.success(request, _("Heu acceptat rebre les notificacions per mitjans electrònics."))
    return HttpResponseRedirect(reverse("notificacions:preferences"))


@never_cache
@require_POST
@identity.identification_required()
def change_address(request: HttpRequest) -> HttpResponse:
    """A new address for the notices (art. 32.4)."""
    identification = _identification(request)
    form = AddressForm(request.POST)
    form.is_valid()
    try:
        services.change_notice_address(
            identification=identification, email=form.cleaned_data.get("email", "")
        )
    except services.InvalidConsent as invalid:
        _add_errors(form, invalid)
        return _page(request, identification, address_form=form, status=400)
    except InvalidInput as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("S'ha canviat l'adreça dels avisos."))
    return HttpResponseRedirect(reverse("notificacions:preferences"))


@never_cache
@require_http_methods(["GET", "POST"])
@identity.identification_required()
def revoke(request: HttpRequest) -> HttpResponse:
    """GET asks "are you sure?" with the text of the revocation; POST revokes (art. 32.4)."""
    identification = _identification(request)
    if request.method == "POST":
        try:
            services.revoke_consent(identification=identification)
        except InvalidInput as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request, _("Heu revocat el consentiment a la notificació electrònica.")
            )
        return HttpResponseRedirect(reverse("notificacions:preferences"))
    current = selectors.current_consent(identification.person)
    if current is None or not current.is_given:
        return HttpResponseRedirect(reverse("notificacions:preferences"))
    context = {
        "current": current,
        "declaration": services.declaration(services.Change.REVOKED),
    }
    return render(request, "notificacions/revoke.html", context)


# --- «Les meves notificacions»: the list, a notification, accepting and rejecting it (art. 32.5,
# 32.6; Law 39/2015, art. 41-43) -----------------------------------------------------------------

INBOX_PAGE_SIZE = 25


def _notification(request: HttpRequest, public_id: object) -> tuple[Identification, Notification]:
    """The notification at ``public_id`` if the identified person is its holder or named
    representative; a 404 otherwise, the same as for one that does not exist."""
    identification = _identification(request)
    try:
        found = access.find(identification=identification, public_id=public_id)
    except NotFound:
        raise Http404 from None
    return identification, found


def _readable(request: HttpRequest, public_id: object) -> tuple[Identification, Notification]:
    """As ``_notification``, and at the level the notification was sent with (art. 8.2): a lower
    one raises ``InsufficientLevel``, which offers to identify again at that level."""
    identification, found = _notification(request, public_id)
    identity.check_level(identification, found.required_loa)
    return identification, found


def _detail_url(notification: Notification) -> str:
    return reverse("notificacions:detail", kwargs={"public_id": notification.public_id})


def _file_stem(notification: Notification) -> str:
    return (notification.exit_entry.number or str(notification.public_id)).replace("/", "-")


@never_cache
@require_GET
@identity.identification_required()
def inbox(request: HttpRequest) -> HttpResponse:
    """The person's notifications, as holder or as representative: those waiting to be opened
    first, with the instant they will be deemed rejected (art. 32.6), then the rest."""
    identification = _identification(request)
    person, entity = representation.session_parties(identification)
    found = selectors.inbox(person, entity=entity)
    page = Paginator(found.rest, INBOX_PAGE_SIZE).get_page(request.GET.get("pagina"))
    context: dict[str, Any] = {
        "pending": found.pending,
        "page": page,
        "rest": [selectors.as_received(item, person) for item in page.object_list],
    }
    return render(request, "notificacions/inbox.html", context)


def _detail_page(
    request: HttpRequest, identification: Identification, notification: Notification
) -> HttpResponse:
    received = selectors.as_received(notification, identification.person)
    content_open = selectors.content_is_open(notification)
    annulment = (
        notification.events.filter(event=NotificationEvent.Event.ANNULLED).first()
        if notification.state == Notification.State.ANNULLED
        else None
    )
    context: dict[str, Any] = {
        "notification": notification,
        "received": received,
        "is_communication": notification.kind == Notification.Kind.COMMUNICATION,
        "is_available": notification.state == Notification.State.AVAILABLE,
        "is_paper": notification.channel == Notification.Channel.PAPER,
        "content_open": content_open,
        "documents": selectors.notified_documents(notification) if content_open else [],
        "annulment": annulment,
        "history": selectors.history(notification, viewer=identification.person),
        # The holder's page says when their representative practised or rejected it (#16).
        "by_your_representative": not received.as_representative
        and notification.outcome_person_id is not None
        and notification.outcome_role == Notification.Role.REPRESENTATIVE,
        "representative_power": acting.power_in_words(notification.power)
        if notification.power is not None
        else "",
        # Art. 32.7: a natural person may ask for the rest of this case file on paper.
        "may_ask_paper": services.may_ask_paper_for_case(
            identification.person, notification.case_reference
        ),
        "asked_paper": services.asked_paper_for_case(
            identification.person, notification.case_reference
        ),
    }
    return render(request, "notificacions/detail.html", context)


@never_cache
@require_GET
@identity.identification_required()
def detail(request: HttpRequest, public_id: object) -> HttpResponse:
    """A notification: while it waits, what it is and what opening it means, with *Acceptar i
    obrir* and *Rebutjar*; afterwards, its documents, its evidence and its history. Reading this
    page changes nothing."""
    identification, notification = _readable(request, public_id)
    return _detail_page(request, identification, notification)


def _conclude(request: HttpRequest, public_id: object, *, rejecting: bool) -> HttpResponse:
    identification, notification = _readable(request, public_id)
    conclude = access.reject if rejecting else access.accept
    try:
        conclude(
            identification=identification,
            public_id=notification.public_id,
            ip_address=net.client_ip(request) or None,
        )
    except NotFound:
        raise Http404 from None
    except identity.InsufficientLevel:
        raise  # ``identification_required`` explains it and offers to identify again
    except SeuError as refused:  # expired meanwhile, already concluded, not rejectable
        messages.error(request, str(refused))
    else:
        if rejecting:
            message = _(
                "Heu rebutjat la notificació. El rebuig queda registrat i el procediment "
                "continua (art. 41.5 de la Llei 39/2015)."
            )
        elif notification.kind == Notification.Kind.COMMUNICATION:
            message = _("Heu obert la comunicació. Queda constància que l'heu llegida.")
        else:
            message = _(
                "Heu obert la notificació: s'ha considerat practicada ara. Ja en podeu "
                "descarregar els documents."
            )
        messages.success(request, message)
    return HttpResponseRedirect(_detail_url(notification))


@never_cache
@require_http_methods(["GET", "POST"])
@identity.identification_required()
def accept(request: HttpRequest, public_id: object) -> HttpResponse:
    """POST: accept and open (a communication: open), practising the notification now
    (art. 32.5). A GET (after identifying again, say) only leads back to the notification."""
    if request.method != "POST":
        return HttpResponseRedirect(_detail_url(_readable(request, public_id)[1]))
    return _conclude(request, public_id, rejecting=False)


@never_cache
@require_http_methods(["GET", "POST"])
@identity.identification_required()
def reject(request: HttpRequest, public_id: object) -> HttpResponse:
    """GET explains what rejecting means and asks to confirm; POST rejects (Law 39/2015,
    art. 41.5: the rejection has the effect of a notification practised)."""
    if request.method == "POST":
        return _conclude(request, public_id, rejecting=True)
    notification = _readable(request, public_id)[1]
    if (
        notification.state != Notification.State.AVAILABLE
        or notification.kind == Notification.Kind.COMMUNICATION
    ):
        return HttpResponseRedirect(_detail_url(notification))
    return render(request, "notificacions/reject.html", {"notification": notification})


@require_GET
@identity.identification_required()
def document(request: HttpRequest, public_id: object, position: int) -> HttpResponse:
    """A notified document, once the notification is practised, rejected or expired; before, the
    notification's page (opening it is what practises it)."""
    notification = _readable(request, public_id)[1]
    if not selectors.content_is_open(notification):
        if notification.state == Notification.State.AVAILABLE:
            return HttpResponseRedirect(_detail_url(notification))
        raise Http404
    item = selectors.notified_document(notification, position)
    if item is None:
        raise Http404
    return responses.private_download(
        request, item.document, f"{_file_stem(notification)}-{position + 1}.pdf"
    )


@require_GET
@identity.identification_required()
def evidence(request: HttpRequest, public_id: object) -> HttpResponse:
    """The sealed evidence of availability (or, on paper, of issue): at any time."""
    notification = _readable(request, public_id)[1]
    if notification.evidence is None:
        raise Http404
    return responses.private_download(
        request, notification.evidence, f"evidencia-{_file_stem(notification)}.pdf"
    )


@require_GET
@identity.identification_required()
def certificate(request: HttpRequest, public_id: object) -> HttpResponse:
    """The sealed certificate of the notification's whole life (art. 32.5, 25.4), once issued."""
    notification = _readable(request, public_id)[1]
    if notification.certificate is None:  # issued by the sweep once the notification ends
        raise Http404
    return responses.private_download(
        request, notification.certificate, f"certificat-{_file_stem(notification)}.pdf"
    )


@never_cache
@require_http_methods(["GET", "POST"])
@identity.identification_required()
def case_paper(request: HttpRequest, public_id: object) -> HttpResponse:
    """GET asks to confirm, POST records that the following notifications of this notification's
    case file are to be on paper (art. 32.7); the rest of the person's consent stands."""
    identification, notification = _readable(request, public_id)
    if not notification.case_reference:
        raise Http404
    if request.method == "POST":
        try:
            services.ask_paper_for_case(
                identification=identification,
                case_reference=notification.case_reference,
                language=get_language(),
            )
        except SeuError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request,
                _(
                    "D'ara endavant, les notificacions d'aquest expedient us arribaran en paper. "
                    "Les dels altres tràmits segueixen com les teniu a Preferències."
                ),
            )
        return HttpResponseRedirect(_detail_url(notification))
    return render(
        request,
        "notificacions/case_paper.html",
        {"notification": notification, "declaration": services.case_paper_declaration()},
    )
