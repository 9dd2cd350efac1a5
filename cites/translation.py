"""The appointment services as citizens read them (seed 000), in each language of the seu: the
Catalan text is required, a missing translation shows it (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from cites.models import Service


@register(Service)
class ServiceTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("ca",)
