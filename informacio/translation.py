"""The information sections (art. 15, 16, 19) in each language of the seu: the Catalan text is
required, a missing translation shows it (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from informacio.models import InformationDocument, OfficialJournal, PublicService


@register(PublicService)
class PublicServiceTranslation(TranslationOptions):
    fields = ("name", "description", "availability")
    required_languages = ("ca",)


@register(OfficialJournal)
class OfficialJournalTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("ca",)


@register(InformationDocument)
class InformationDocumentTranslation(TranslationOptions):
    fields = ("title", "description")
    required_languages = ("ca",)
