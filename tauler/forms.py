from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from seu.models import Organ
from tauler.models import Category


class BoardFilterForm(forms.Form):
    """The board's filters; an unknown value is ignored rather than refused (it is a GET form)."""

    q = forms.CharField(label=_("Cerca"), max_length=200, required=False)
    categoria = forms.ChoiceField(
        label=_("Categoria"),
        required=False,
        choices=[("", _("Totes")), *Category.choices],
    )
    organ = forms.ChoiceField(label=_("Òrgan"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        organs = Organ.objects.filter(is_active=True).values_list("code", "name")
        self.fields["organ"].choices = [("", _("Tots")), *organs]  # type: ignore[attr-defined]
