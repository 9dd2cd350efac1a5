"""The hooks of the layers below that notifications listen to (registered by ``apps.ready``)."""

from notificacions import clock, communications, filing, sending
from notificacions.backoffice.entries import offer_entry_notifications, offer_notify
from registre import hooks as registre_hooks
from seu import services as seu_services

registre_hooks.EXIT_REGISTERED.register(sending.on_exit_registered)
registre_hooks.ENTRY_NOT_ADMITTED.register(communications.on_entry_not_admitted)
registre_hooks.FILING_QUESTIONS.register(filing.ask_consent)
registre_hooks.FILING_ANSWERED.register(filing.record_consent)
seu_services.INTERRUPTION_CHANGED.register(clock.on_interruption_changed)
# "Notificar" on an incoming entry's page in the registry's back-office.
registre_hooks.ENTRY_ACTIONS.register(offer_notify)
registre_hooks.ENTRY_ACTIONS.register(offer_entry_notifications)
