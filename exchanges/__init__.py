"""People-to-people exchanges: programs, applications with references, committee review,
decisions and trip payments.

May import `cities`, `membership`, `payments`, `events` and `association`; never
`tickets` (DESIGN.md). Who may see an application is decided in one place,
`exchanges/access.py`; an application's status changes in one place,
`exchanges/applications.py` (`change_status`).
"""
