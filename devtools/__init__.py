"""Development tooling (DESIGN "Apps and the direction of their imports"): the development PKI, the
local Cl@ve identity provider and TSA/OCSP/CRL servers, the demo data and ``rundev``.

Installed only outside production (``seu/settings.py``); no production module imports it. What
production needs to know about it (the marker its certificates carry, so that it can refuse them)
lives on the production side, in ``seu.env.DEV_MARKER``; where production code must let the
tooling step in (the Cl@ve keys of a development run), it offers a hook that ``DevtoolsConfig``
registers.
"""
