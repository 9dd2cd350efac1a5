"""The staff back-office of procedures and case files (issue 15 items 2, 4-8): the procedures and
their form versions, an organ's queue in processing order (art. 27.1), a case's page with its
actions, and "Obrir expedient" on a registry entry. Forms parse, views call one service of
``expedients.services`` and render; ``expedients.admin`` registers them."""
