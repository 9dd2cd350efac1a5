"""English as written in Britain and the EU's institutions: "4 December 2026", "Friday 4 December
2026", day before month, a 24-hour clock like the Catalan and Spanish pages, no comma after the
weekday. Typed dates read day first too (Django's ``en`` reads 04/12/2026 as 12 April)."""

from django.conf.locale.en_GB import formats as british

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday, as in Spain
DATE_INPUT_FORMATS = british.DATE_INPUT_FORMATS
DATETIME_INPUT_FORMATS = british.DATETIME_INPUT_FORMATS

# The seu's own named formats (see seu/formats/__init__.py).
WEEKDAY_DATE_FORMAT = "l j F Y"
INSTANT_FORMAT = "j F Y, H:i:s"
WEEKDAY_INSTANT_FORMAT = "l j F Y, H:i:s"
