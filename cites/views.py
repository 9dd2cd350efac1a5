"""Public pages of "Cita prèvia": no identification is asked (the person has no certificate yet);
the e-mail links, signed, are what lets them confirm, cancel or change their appointment."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cites import selectors, services
from cites.forms import BookingForm, ResendLinksForm, TimeChoiceForm
from cites.models import Appointment, Service
from seu import calendar, throttle
from seu.calendar import SEU_TZ
from seu.errors import InvalidInput
from seu.net import client_ip

BOOKING_SCOPE = "cites-bookings"


def _service(code: str) -> Service:
    found = selectors.offered_service(code)
    if found is None:
        raise Http404
    return found


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise Http404 from error


@require_http_methods(["GET"])
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "cites/index.html", {"services": selectors.offered_services()})


@functools.lru_cache(maxsize=4096)
def _day_label(day: dt.date, language: str) -> str:
    # A date's name in a language never changes; formatting it is most of the cost of a day's
    # line, and the availability page has forty of them.
    return date_format(day, "WEEKDAY_DATE_FORMAT")


@functools.lru_cache(maxsize=256)
def _free_label(count: int, language: str) -> str:
    # As a day's name: the same few counts, forty times per page.
    return ngettext("%(counter)s hora lliure", "%(counter)s hores lliures", count) % {
        "counter": count
    }


def _day_links(
    days: list[selectors.DayView], address: Callable[[str], str]
) -> list[dict[str, str]]:
    """Each open day as the list shows it, built here rather than in the template (the page
    every visitor opens first, and the one the eight weeks make long)."""
    language = get_language()
    return [
        {
            "href": address(day.date.isoformat()),
            "label": _day_label(day.date, language),
            "free": _free_label(len(day.slots), language),
        }
        for day in days
    ]


@require_http_methods(["GET"])
def days(request: HttpRequest, service: str) -> HttpResponse:
    found = _service(service)
    available = selectors.availability(found, now=calendar.now())
    prefix = reverse("cites:book", args=[found.code, "0000-00-00"]).removesuffix("0000-00-00/")
    context = {
        "service": found,
        "days": _day_links(available, lambda day: f"{prefix}{day}/"),
    }
    return render(request, "cites/days.html", context)


def _times_of(service: Service, day: dt.date) -> list[str]:
    views = selectors.availability(service, now=calendar.now(), start=day, end=day)
    return [slot.key for slot in views[0].slots] if views else []


def _starts_at(day: dt.date, time: str) -> dt.datetime:
    hours, minutes = (int(part) for part in time.split(":"))
    return dt.datetime.combine(day, dt.time(hours, minutes), SEU_TZ).astimezone(dt.UTC)


@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, service: str, day: str) -> HttpResponse:
    found = _service(service)
    date = _day(day)
    if request.method == "POST":
        # The posted time is decided by the service, under the slot's lock (a time taken
        # meanwhile is answered "full"): the day's free times are computed only to show the form
        # again, not for every booking.
        posted = request.POST.get("time", "")
        form = BookingForm(
            request.POST,
            times=[posted] if posted else [],
            asks_request_code=found.asks_request_code,
        )
        address = client_ip(request)
        if (
            form.is_valid()
            and throttle.count(scope=BOOKING_SCOPE, key=address)
            >= settings.CITES_BOOKINGS_PER_ADDRESS
        ):
            # Anonymous booking must not let one client hoard the places with made-up NIFs.
            form.add_error(
                None,
                _(
                    "S'han demanat massa cites des d'aquesta connexió. Tornau-ho a provar més tard "
                    "o telefonau a l'Ajuntament."
                ),
            )
        elif form.is_valid():
            try:
                services.book_appointment(
                    service=found,
                    starts_at=_starts_at(date, form.cleaned_data["time"]),
                    applicant=form.applicant(),
                    language=request.LANGUAGE_CODE,
                )
            except services.AlreadyBooked as error:
                form.add_error("nif", str(error))
            except InvalidInput as error:
                form.add_error("time", str(error))
            except ValueError:
                form.add_error("time", str(services.SlotNotOffered()))
            else:
                throttle.record(scope=BOOKING_SCOPE, key=address, window_seconds=3600)
                return HttpResponseRedirect(reverse("cites:requested"))
        times = _times_of(found, date)
        # The person's choice stays chosen when something else was wrong, even if it has been
        # taken meanwhile; a refused time is not offered again.
        if posted and posted not in times and "time" not in form.errors:
            times = [*times, posted]
        form.fields["time"].choices = [(t, t) for t in times]  # type: ignore[attr-defined]
    else:
        form = BookingForm(times=_times_of(found, date), asks_request_code=found.asks_request_code)
    context = {"service": found, "day": date, "form": form}
    return render(request, "cites/book.html", context, status=200)


@require_http_methods(["GET"])
def requested(request: HttpRequest) -> HttpResponse:
    return render(request, "cites/requested.html", {"minutes": settings.CITES_CONFIRMATION_MINUTES})


def _link_error(request: HttpRequest, error: InvalidInput) -> HttpResponse:
    status = 410 if isinstance(error, services.ExpiredLink) else 400
    return render(request, "cites/link_error.html", {"error": error}, status=status)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    # Confirmation is a POST: mail scanners that open links must not confirm for the person.
    try:
        appointment = services.read_link_token(token, salt=services.CONFIRM_SALT)
    except InvalidInput as link_error:
        return _link_error(request, link_error)
    error: InvalidInput | None = None
    if request.method == "POST":
        try:
            appointment = services.confirm_appointment(appointment=appointment)
        except InvalidInput as failure:
            error = failure
        else:
            return HttpResponseRedirect(_manage_path(appointment) + "?confirmada=1")
    elif appointment.state != Appointment.State.PENDING:
        # The link opened again once confirmed (or cancelled, or attended): the appointment as it
        # is now, with its links, not another button to confirm it.
        return HttpResponseRedirect(_manage_path(appointment))
    context = {"appointment": appointment, "error": error, **_details(appointment)}
    return render(request, "cites/confirm.html", context, status=400 if error else 200)


def _manage_path(appointment: Appointment) -> str:
    return reverse(
        "cites:manage", args=[services.make_link_token(appointment, salt=services.MANAGE_SALT)]
    )


def _details(appointment: Appointment) -> dict[str, object]:
    # What to bring only while there is an appointment to bring it to.
    return {
        "local_start": calendar.to_local(appointment.starts_at),
        "what_to_bring": services.what_to_bring_text(appointment.service)
        if appointment.is_active
        else "",
    }


def _can_change(appointment: Appointment) -> bool:
    return appointment.is_active and appointment.starts_at > calendar.now()


@require_http_methods(["GET"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    try:
        appointment = services.read_link_token(token, salt=services.MANAGE_SALT)
    except InvalidInput as link_error:
        return _link_error(request, link_error)
    context = {
        "appointment": appointment,
        "token": token,
        "just_confirmed": request.GET.get("confirmada") == "1",
        "just_cancelled": request.GET.get("anullada") == "1",
        "can_change": _can_change(appointment),
        **_details(appointment),
    }
    return render(request, "cites/manage.html", context)


@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    """ "Are you sure?" first: the GET asks (and never cancels, so that a mail scanner or a
    prefetch cannot), the POST of its button cancels."""
    try:
        appointment = services.read_link_token(token, salt=services.MANAGE_SALT)
    except InvalidInput as link_error:
        return _link_error(request, link_error)
    manage_path = reverse("cites:manage", args=[token])
    if appointment.state == Appointment.State.CANCELLED:
        return HttpResponseRedirect(manage_path)
    error: InvalidInput | None = None
    if request.method == "POST":
        try:
            services.cancel_appointment(appointment=appointment)
        except InvalidInput as failure:
            error = failure
        else:
            return HttpResponseRedirect(manage_path + "?anullada=1")
    elif not _can_change(appointment):
        return HttpResponseRedirect(manage_path)
    context = {"appointment": appointment, "token": token, "error": error, **_details(appointment)}
    return render(request, "cites/cancel.html", context, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def resend_links(request: HttpRequest) -> HttpResponse:
    """The person who lost the e-mail asks for the links again with the NIF and the address they
    booked with; the answer is the same whether or not an appointment matches."""
    form = ResendLinksForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.resend_links(
                nif=form.cleaned_data["nif"],
                email=form.cleaned_data["email"],
                client_key=client_ip(request),
            )
        except services.TooManyLinkRequests as error:
            form.add_error(None, str(error))
            return render(request, "cites/resend_links.html", {"form": form}, status=429)
        return HttpResponseRedirect(reverse("cites:links_sent"))
    return render(request, "cites/resend_links.html", {"form": form})


@require_http_methods(["GET"])
def links_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "cites/links_sent.html")


@require_http_methods(["GET"])
def change_days(request: HttpRequest, token: str) -> HttpResponse:
    try:
        appointment = services.read_link_token(token, salt=services.MANAGE_SALT)
    except InvalidInput as error:
        return _link_error(request, error)
    available = selectors.availability(appointment.service, now=calendar.now())
    context = {
        "service": appointment.service,
        "days": _day_links(available, lambda day: reverse("cites:change_time", args=[token, day])),
        "token": token,
    }
    return render(request, "cites/days.html", context)


@require_http_methods(["GET", "POST"])
def change_time(request: HttpRequest, token: str, day: str) -> HttpResponse:
    try:
        appointment = services.read_link_token(token, salt=services.MANAGE_SALT)
    except InvalidInput as error:
        return _link_error(request, error)
    date = _day(day)
    times = _times_of(appointment.service, date)
    form = TimeChoiceForm(request.POST or None, times=times)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_appointment(
                appointment=appointment, starts_at=_starts_at(date, form.cleaned_data["time"])
            )
        except InvalidInput as error:
            form.add_error("time", str(error))
        else:
            return HttpResponseRedirect(reverse("cites:manage", args=[token]) + "?canviada=1")
    context = {"service": appointment.service, "day": date, "form": form, "token": token}
    return render(request, "cites/change_time.html", context)
