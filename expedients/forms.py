"""What the filing pages parse besides the procedure's own form (``formdef.build_form``): the
contact given with the request, with the registry's own fields and checks
(``registre.forms.ContactForm``, ``seu.people.check_contact``)."""

from __future__ import annotations

from registre import forms as registry_forms
from seu import people

CONTACT_FIELDS = ("contact_email", "contact_phone", "contact_postal_address")


class ContactForm(registry_forms.ContactForm):
    def contact(self) -> people.ContactDetails:
        """The contact checked, or as typed (valid or not) to keep it in the draft."""
        checked = self.cleaned_data.get("contact") if hasattr(self, "cleaned_data") else None
        if isinstance(checked, people.ContactDetails):
            return checked
        return self.typed_contact()
