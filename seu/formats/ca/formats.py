"""Catalan: "4 de desembre de 2026", "4 d'abril de 2026", "divendres, 4 de desembre de 2026".

``E`` is the month with its preposition ("de desembre", "d'abril": the seu's ``ca`` catalogue), so
it follows the day; ``F`` is the bare month, for a month that opens the text ("desembre de 2026").
"""

DATE_FORMAT = r"j E \d\e Y"
DATETIME_FORMAT = r"j E \d\e Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = r"j E"
YEAR_MONTH_FORMAT = r"F \d\e Y"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"

# The seu's own named formats (see seu/formats/__init__.py).
WEEKDAY_DATE_FORMAT = r"l, j E \d\e Y"
INSTANT_FORMAT = r"j E \d\e Y, H:i:s"
WEEKDAY_INSTANT_FORMAT = r"l, j E \d\e Y, H:i:s"
