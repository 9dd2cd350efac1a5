"""Powers granted in person at the registry office, in the back-office (art. 26.2.a; Law 39/2015
art. 6): the page "Inscriure un apoderament presencial", the papers' list and download, the
revocation at the grantor's request, and the paper shown on the power's own page in the register
of powers (``seu.admin.PowerAdmin``, through its ``POWER_INLINES``: seu imports no app above it).

The views parse their form, call one use case of ``registre.powers`` and show its refusal on the
form. The register of powers is the town hall's, not an organ's: what decides is the user's
permission on it (``seu.add_power``, ``seu.change_power``, ``seu.view_power``), a 403 otherwise.
"""

from __future__ import annotations

import io
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import AbstractBaseUser
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from documents import responses
from documents import services as documents
from registre import attachments, powers
from registre.models import PowerPaper
from seu import calendar
from seu.errors import SeuError
from seu.identity import PersonData
from seu.identity.representation import InvalidPower, PowerInput, max_end, procedure_choices
from seu.models import Power

WIDE = {"class": "vTextField"}
PAPER_AGAIN = _(
    "Per seguretat, el navegador no conserva el fitxer d'un formulari amb errors: triau de nou "
    "el paper escanejat."
)


def power_url(power: Power) -> str:
    return reverse("admin:seu_power_change", args=[power.pk])


def paper_url(paper: PowerPaper) -> str:
    return reverse("admin:registre_powerpaper_download", args=[paper.pk])


def paper_links(paper: PowerPaper) -> SafeString:
    """The download of the sealed copy and its CSV's public verification."""
    return format_html(
        '<a href="{}">{}</a> · {} <a href="{}">{}</a>',
        paper_url(paper),
        gettext("Descarregar la còpia autèntica (PDF)"),
        gettext("CSV:"),
        reverse("documents:verify_code", args=[paper.document.csv]),
        paper.document.csv_display,
    )


# --- The form ------------------------------------------------------------------------------------


class OfficePowerForm(forms.Form):
    """What the clerk types from the paper and the identity documents they see. The rules of a
    power and of the scan are the use case's (``registre.powers``), its refusals shown here."""

    grantor_nif = forms.CharField(
        label=_("NIF o NIE del poderdant"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    grantor_given_name = forms.CharField(
        label=_("Nom del poderdant"), max_length=100, required=False
    )
    grantor_surnames = forms.CharField(
        label=_("Llinatges del poderdant"), max_length=200, required=False
    )
    identity_document = forms.CharField(
        label=_("Document d'identitat comprovat"),
        max_length=100,
        required=False,
        help_text=_(
            "El que el poderdant us ha exhibit, tipus i número: per exemple, DNI 12345678Z "
            "(art. 14 de l'ordenança)."
        ),
    )
    representative_nif = forms.CharField(
        label=_("NIF, NIE o CIF del representant"), max_length=20, required=False
    )
    scope = forms.ChoiceField(
        label=_("Abast"),
        choices=Power.Scope.choices,
        initial=Power.Scope.GENERAL,
        widget=forms.RadioSelect,
        required=False,
    )
    procedure_codes = forms.MultipleChoiceField(
        label=_("Procediments"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Només per a un apoderament per a uns procediments: els del catàleg."),
        error_messages={
            "invalid_choice": _("El procediment «%(value)s» no és al catàleg de tràmits.")
        },
    )
    case_reference = forms.CharField(
        label=_("Número de l'expedient"),
        max_length=60,
        required=False,
        help_text=_("Només per a un apoderament per a un expedient."),
    )
    ends_on = forms.DateField(
        label=_("En vigor fins al"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": _("Indicau una data vàlida, per exemple 31/12/2027.")},
    )
    paper = forms.FileField(
        label=_("Paper signat, escanejat (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )
    accepted_in_person = forms.BooleanField(
        label=_("El representant és present i accepta l'apoderament"),
        required=False,
        help_text=_(
            "Si no hi és, l'apoderament queda pendent fins que l'accepti a la seva carpeta de la "
            "seu electrònica."
        ),
    )
    representative_document = forms.CharField(
        label=_("Document d'identitat del representant comprovat"),
        max_length=100,
        required=False,
        help_text=_("Només si el representant és present i accepta: tipus i número."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = attachments.Limits.from_settings().max_file_bytes
        self.fields["paper"].help_text = _(
            "El paper que el poderdant ha signat davant vós, escanejat en PDF, fins a %(size)s: "
            "es conserva segellat com a còpia autèntica (art. 30)."
        ) % {"size": filesizeformat(limit)}
        self.fields["ends_on"].help_text = _("Com a màxim cinc anys: fins al %(date)s.") % {
            "date": calendar.format_date(max_end(calendar.now()))
        }
        # The catalogue as it is now: a code typed by hand could reach nothing.
        self.fields["procedure_codes"].choices = procedure_choices()  # type: ignore[attr-defined]

    def grantor(self) -> PersonData:
        data = self.cleaned_data
        return PersonData(
            nif=data["grantor_nif"].strip(),
            given_name=data["grantor_given_name"].strip(),
            surnames=data["grantor_surnames"].strip(),
        )

    def wanted(self) -> PowerInput:
        data = self.cleaned_data
        return PowerInput(
            representative_nif=data["representative_nif"].strip(),
            scope=data["scope"],
            procedure_codes=list(data["procedure_codes"] or []),
            case_reference=data["case_reference"],
            ends_on=data["ends_on"],
        )


class RevokeForm(forms.Form):
    identity_document = forms.CharField(
        label=_("Document d'identitat del poderdant comprovat"),
        max_length=100,
        required=False,
        help_text=_("Tipus i número: per exemple, DNI 12345678Z."),
    )
    reason = forms.CharField(
        label=_("Motiu que dona el poderdant"),
        max_length=600,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
    )


def _show(
    form: forms.Form, refusal: InvalidPower, *, renamed: dict[str, str] | None = None
) -> None:
    for name, found in refusal.errors.items():
        field = (renamed or {}).get(name, name)
        for message in found:
            form.add_error(field if field in form.fields else None, message)


# --- On the power's page in the register (``seu.admin.PowerAdmin``) ------------------------------


class PowerPaperInline(admin.StackedInline[PowerPaper, Power]):
    """The paper of a power granted at the office, on the power's page: who registered it, when,
    the sealed copy, and the revocation at the office while the power may still be revoked."""

    model = PowerPaper
    extra = 0
    max_num = 0
    can_delete = False
    fields = ("registered_at", "registered_by", "copy", "revoke")
    readonly_fields = fields
    verbose_name = _("paper signat a l'oficina")
    verbose_name_plural = _("paper signat a l'oficina")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return powers.may(request.user, powers.VIEW)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("còpia autèntica"))
    def copy(self, paper: PowerPaper) -> SafeString:
        return paper_links(paper)

    @admin.display(description=_("revocació a l'oficina"))
    def revoke(self, paper: PowerPaper) -> SafeString | str:
        if paper.power.state not in (Power.State.PENDING, Power.State.ACCEPTED):
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:registre_powerpaper_revoke", args=[paper.power.public_id]),
            gettext("Revocar a petició del poderdant"),
        )


# --- The papers' list and the pages -----------------------------------------------------------


class PowerPaperAdmin(admin.ModelAdmin[PowerPaper]):
    """The powers registered at the office, each with its paper; "Afegir" is the page that
    registers one. Read-only: a power changes only through ``seu.identity``."""

    list_display = ["registered_at", "power_link", "state", "registered_by", "copy"]
    list_select_related = ["power__grantor", "power__representative", "document", "registered_by"]
    search_fields = [
        "power__grantor__nif",
        "power__grantor__surnames",
        "power__representative__nif",
        "power__representative__surnames",
        "power__representative__legal_name",
    ]
    date_hierarchy = "registered_at"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return powers.may(request.user, powers.ADD) or powers.may(request.user, powers.VIEW)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return powers.may(request.user, powers.VIEW)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return powers.may(request.user, powers.ADD)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the register keeps every power and its paper (Law 39/2015 art. 6)

    def get_urls(self) -> list[URLPattern]:
        def view(function: Any) -> Any:
            return self.admin_site.admin_view(function)

        prefix = "registre_powerpaper"
        return [
            path("<int:object_id>/paper/", view(self.download_view), name=f"{prefix}_download"),
            path("revocar/<uuid:public_id>/", view(self.revoke_view), name=f"{prefix}_revoke"),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # The power's page in the register shows it all, its paper included.
        powers.require(request.user, powers.VIEW)
        paper = get_object_or_404(PowerPaper, pk=object_id if object_id.isdigit() else 0)
        return HttpResponseRedirect(power_url(paper.power))

    # -- Columns ---------------------------------------------------------------------------------

    @admin.display(description=_("apoderament"), ordering="power__granted_at")
    def power_link(self, paper: PowerPaper) -> SafeString:
        return format_html('<a href="{}">{}</a>', power_url(paper.power), paper.power)

    @admin.display(description=_("estat"))
    def state(self, paper: PowerPaper) -> str:
        return paper.power.get_state_display()

    @admin.display(description=_("còpia autèntica"))
    def copy(self, paper: PowerPaper) -> SafeString:
        return paper_links(paper)

    # -- Pages -------------------------------------------------------------------------------------

    def _render(
        self, request: HttpRequest, *, form: forms.Form, title: str, submit: str, notice: str
    ) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "notice": notice,
            "submit_label": submit,
            "paper_again": PAPER_AGAIN if form.errors and "paper" in form.fields else "",
            "opts": self.model._meta,
            "cancel_url": reverse("admin:registre_powerpaper_changelist"),
        }
        return TemplateResponse(request, "admin/registre/powerpaper/office_form.html", context)

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Inscriure un apoderament presencial."""
        powers.require(request.user, powers.ADD)
        form = OfficePowerForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                paper = powers.register_power_in_person(
                    grantor=form.grantor(),
                    wanted=form.wanted(),
                    identity_document=form.cleaned_data["identity_document"],
                    accepted_in_person=form.cleaned_data["accepted_in_person"],
                    representative_document=form.cleaned_data["representative_document"],
                    paper=request.FILES.get("paper"),
                    acting_user=cast(AbstractBaseUser, request.user),
                )
            except InvalidPower as refusal:
                _show(form, refusal)
            except SeuError as exc:
                messages.error(
                    request,
                    gettext("No s'ha inscrit res: %(error)s") % {"error": exc.message},
                )
            else:
                return self._registered(request, paper)
        return self._render(
            request,
            form=form,
            title=gettext("Inscriure un apoderament presencial"),
            submit=gettext("Inscriure l'apoderament"),
            notice=gettext(
                "Per a un apoderament apud acta atorgat en persona a l'oficina (art. 26.2.a de "
                "l'ordenança; art. 6 de la Llei 39/2015): comprovau la identitat del poderdant "
                "amb el seu document d'identitat, escanejau el paper que ha signat i indicau "
                "l'abast i el termini, cinc anys com a màxim."
            ),
        )

    def _registered(self, request: HttpRequest, paper: PowerPaper) -> HttpResponse:
        power = paper.power
        if power.state == Power.State.ACCEPTED:
            text = gettext(
                "Apoderament inscrit i en vigor des d'ara fins al %(date)s: el representant "
                "l'ha acceptat en persona."
            )
        else:
            text = gettext(
                "Apoderament inscrit fins al %(date)s. Queda pendent fins que el representant "
                "l'accepti a la seva carpeta de la seu electrònica."
            )
        messages.success(
            request, text % {"date": calendar.format_date(calendar.last_day(power.ends_at))}
        )
        if powers.may(request.user, powers.VIEW):
            return HttpResponseRedirect(power_url(power))
        return HttpResponseRedirect(reverse("admin:registre_powerpaper_add"))

    def download_view(self, request: HttpRequest, object_id: int) -> HttpResponseBase:
        powers.require(request.user, powers.VIEW)
        paper = get_object_or_404(
            PowerPaper.objects.select_related("document", "power"), pk=object_id
        )
        try:
            data = powers.paper_bytes(paper)
        except documents.IntegrityFailure as failure:
            return responses.integrity_failure(request, paper.document, failure)
        # Always as an attachment: never rendered in the back-office's origin.
        return FileResponse(
            io.BytesIO(data),
            as_attachment=True,
            filename=powers.paper_file_name(paper),
            content_type="application/pdf",
        )

    def revoke_view(self, request: HttpRequest, public_id: Any) -> HttpResponse:
        """A power revoked at the office, at the grantor's request (Law 39/2015 art. 6)."""
        powers.require(request.user, powers.REVOKE)
        power = (
            Power.objects.select_related("grantor", "representative")
            .filter(public_id=public_id)
            .first()
        )
        if power is None:
            raise Http404
        form = RevokeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                powers.revoke_power_in_person(
                    public_id=power.public_id,
                    reason=form.cleaned_data["reason"],
                    identity_document=form.cleaned_data["identity_document"],
                    acting_user=cast(AbstractBaseUser, request.user),
                )
            except InvalidPower as refusal:
                _show(form, refusal)
            except SeuError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(
                    request,
                    gettext(
                        "Apoderament revocat: des d'ara el representant ja no actua en nom del "
                        "poderdant."
                    ),
                )
                if powers.may(request.user, powers.VIEW):
                    return HttpResponseRedirect(power_url(power))
                return HttpResponseRedirect(reverse("admin:registre_powerpaper_add"))
        return self._render(
            request,
            form=form,
            title=gettext("Revocar l'apoderament %(power)s") % {"power": power},
            submit=gettext("Revocar"),
            notice=gettext(
                "El poderdant pot revocar l'apoderament en qualsevol moment: comprovau-ne la "
                "identitat. El que el representant va fer mentre era en vigor continua essent "
                "vàlid."
            ),
        )
