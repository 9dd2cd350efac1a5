"""What staff write about the town hall and its organs, in each language of the seu (art. 4): a
column per language (django-modeltranslation), the Catalan one required, the others falling back
to it while nobody has translated them. The town hall's name and address are proper nouns, the
same in every language (its official name is the Catalan one)."""

from modeltranslation.translator import TranslationOptions, register

from seu.models import Organ, TownHall


@register(TownHall)
class TownHallTranslation(TranslationOptions):
    fields = ("office_hours",)
    required_languages = ("ca",)


@register(Organ)
class OrganTranslation(TranslationOptions):
    fields = ("name", "competences")
    required_languages = ("ca",)
