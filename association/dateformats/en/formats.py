"""Django's own date formats for the site's language, set to the patterns
association.formats writes with: what Django formats by itself (the admin's date and time
columns and read-only fields, a date shown without a filter) reads like the pages. The
partners' languages keep Django's own formats for these."""

from association.formats import FORMATS

DATE_FORMAT = FORMATS["en"].date
DATETIME_FORMAT = FORMATS["en"].event_time
TIME_FORMAT = FORMATS["en"].time_of_day
YEAR_MONTH_FORMAT = FORMATS["en"].month
