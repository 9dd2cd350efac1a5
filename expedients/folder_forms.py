"""The forms of "La meva carpeta > Expedients": only what the person types (the files come
through ``registre.attachments``, the rules through ``expedients.services``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from registre import inputs


class RemedyAnswerForm(forms.Form):
    """The answer to a remedy request (art. 24.3): a text, with files beside it. Whether an
    empty text with files is enough is the service's to say."""

    text = forms.CharField(
        label=_("Resposta al requeriment"),
        help_text=_(
            "Explicau què aportau o esmenau. Si ho aportau tot en documents adjunts, podeu "
            "deixar aquest text en blanc."
        ),
        required=False,
        max_length=inputs.TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "max_length": _("La resposta pot tenir com a màxim %(limit_value)d caràcters.")
        },
    )
