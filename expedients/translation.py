"""What staff write about a procedure for the catalogue, in each language of the seu (art. 4, 21):
a column per language, the Catalan one required (``seu.translated``)."""

from modeltranslation.translator import TranslationOptions, register

from expedients.models import Procedure


@register(Procedure)
class ProcedureTranslation(TranslationOptions):
    fields = ("name", "topic", "summary", "who_may_file", "fees", "legal_basis")
    required_languages = ("ca",)
