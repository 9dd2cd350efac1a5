"""The shared core every app uses instead of writing its own (DESIGN "Apps and the direction of
their imports"): the workflow helper (``workflow``), gapless numbering per book and year
(``numbering``) and the claim of due rows by beat sweeps (``sweeps``). It imports no app."""
