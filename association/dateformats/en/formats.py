"""Django's own date formats for the site's language, set to the patterns
association.formats writes with: what Django formats by itself (the admin's date and time
columns and read-only fields, a date shown without a filter) reads like the pages."""

from association.formats import DATE, EVENT_TIME, MONTH, TIME_OF_DAY

DATE_FORMAT = DATE
DATETIME_FORMAT = EVENT_TIME
TIME_FORMAT = TIME_OF_DAY
YEAR_MONTH_FORMAT = MONTH
