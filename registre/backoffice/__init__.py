"""The registry's back-office, by what each part does (art. 33, 17.1).

``registre.admin`` registers the entry book's ``ModelAdmin`` and wires these in: ``forms`` (the
staff actions' forms), ``views`` (paper entries, exits, non-admission, the downloads and the SICRES
3 export) and ``inlines`` (the attachments and the state changes shown in an entry, read-only).
Every change of an entry goes through ``registre.services``; the views parse a form, call one
service and map its errors back to the form.
"""
