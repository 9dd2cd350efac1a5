"""The hooks of the layers below that case files listen to (registered by ``apps.ready``)."""

from expedients import services
from notificacions import hooks as notification_hooks
from registre import hooks as registre_hooks

notification_hooks.OUTCOMES.register(services.on_outcomes)
registre_hooks.ENTRY_NOT_ADMITTED.register(services.on_entry_not_admitted)
