"""The seu's date and time formats, one per language (``FORMAT_MODULE_PATH``; issue #13).

Every date on a page goes through a named format: ``{{ day|date }}`` (``DATE_FORMAT``),
``{{ day|date:"WEEKDAY_DATE_FORMAT" }}``, ``date_format(value, "SHORT_DATE_FORMAT")``; an instant
with legal effect through ``seu.calendar.format_instant`` (``INSTANT_FORMAT`` and the UTC offset).
A format a language module does not define falls back to Django's own module for that language.

Catalan puts "de" before a month and elides it before a vowel ("4 de desembre", "4 d'abril").
Django's ``E`` (the month's "alt. month" form, meant for such long dates) gives only "abril" in
its ``ca`` catalogue, so the seu's ``ca`` catalogue translates the alternative month names with
their preposition ("d'abril", "de desembre") and the Catalan formats use ``E`` after the day. The
weekday names are translated in lower case as Catalan writes them inside a sentence (Django's
``ca`` catalogue capitalises them); a template capitalises one that opens a heading or a sentence
with ``|capfirst``.

``ALTERNATIVE_MONTHS`` and ``WEEKDAYS`` name those strings once more so that ``makemessages`` keeps
them in the seu's catalogues.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy, pgettext_lazy

ALTERNATIVE_MONTHS = (
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
)

WEEKDAYS = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)
