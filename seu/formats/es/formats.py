"""Spanish: "4 de diciembre de 2026", "viernes, 4 de diciembre de 2026"."""

DATE_FORMAT = r"j \d\e F \d\e Y"
DATETIME_FORMAT = r"j \d\e F \d\e Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = r"j \d\e F"
YEAR_MONTH_FORMAT = r"F \d\e Y"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"

# The seu's own named formats (see seu/formats/__init__.py).
WEEKDAY_DATE_FORMAT = r"l, j \d\e F \d\e Y"
INSTANT_FORMAT = r"j \d\e F \d\e Y, H:i:s"
WEEKDAY_INSTANT_FORMAT = r"l, j \d\e F \d\e Y, H:i:s"
