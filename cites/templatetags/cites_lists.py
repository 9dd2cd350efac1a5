"""The appointment pages' long lists (the eight weeks' days, a day's times), one line of markup
per item written here instead of in the template: a template spends some 3 µs on each variable it
shows, and these lists show hundreds, most of the cost of the pages everyone opens."""

from __future__ import annotations

from django import forms, template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

DAY_LINK = '<li><a class="govuk-link" href="{}">{}</a> — {}</li>'
TIME_RADIO = (
    '<div class="govuk-radios__item">'
    '<input class="govuk-radios__input" type="radio" name="{}" id="{}_{}" value="{}"{}>'
    '<label class="govuk-label govuk-radios__label" for="{}_{}">{}</label>'
    "</div>"
)
CHECKED = mark_safe(" checked")
NOT_CHECKED = mark_safe("")


@register.simple_tag
def day_links(days: list[dict[str, str]]) -> SafeString:
    """A list item per day: its link and how many times it has free (``views._day_links``)."""
    return format_html_join(
        "\n", DAY_LINK, ((day["href"], day["label"], day["free"]) for day in days)
    )


@register.simple_tag
def time_radios(field: forms.BoundField) -> SafeString:
    """A radio button per choice of ``field`` (a day's times), the one chosen checked: what
    Django's radio subwidgets would write, without building a widget context per time."""
    chosen, name, prefix = field.value(), field.html_name, field.auto_id
    choices = field.field.choices  # type: ignore[attr-defined]
    return format_html_join(
        "\n",
        TIME_RADIO,
        (
            (name, prefix, i, value, CHECKED if value == chosen else NOT_CHECKED, prefix, i, label)
            for i, (value, label) in enumerate(choices)
        ),
    )
