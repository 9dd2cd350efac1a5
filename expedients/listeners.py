"""The hooks of the layers below that case files listen to (registered by ``apps.ready``)."""

from expedients import services
from notificacions import hooks as notification_hooks
from registre import hooks as registre_hooks
from seu.identity import representation

notification_hooks.OUTCOMES.register(services.on_outcomes)
registre_hooks.ENTRY_NOT_ADMITTED.register(services.on_entry_not_admitted)
representation.PROCEDURE_CATALOGUE.register(services.offer_procedures)
representation.CASE_FILES.register(services.offer_case_files)

from expedients.backoffice import entries as backoffice_entries  # noqa: E402

registre_hooks.ENTRY_ACTIONS.register(backoffice_entries.offer_case)
