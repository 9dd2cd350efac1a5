"""The back-office of notifications (issue 14 items 2, 4, 5): notifying from a registry entry or
for any person, the register of notifications with their whole life and the staff actions on
one (impossibility of access, annulment, the outcome of a paper notification), the office's list
to post on paper, and the suspensions of the clock. Forms parse, views call one service of
``notificacions`` and render; ``notificacions.admin`` registers them."""
