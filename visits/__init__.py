"""Visits and hosting: delegations coming to Norfolk or going to a partner city, their
delegates, day-by-day itinerary and volunteers, and the host families who take incoming
delegates in, matched to them.

Hosting lives in this app, not an app of its own: a household is checked and matched for a
visit (its eligibility is judged at a visit's dates, its beds counted against a visit's
matches), so a separate `hosting` app would import `visits` and `visits` would import it
back for matching. One app, split into modules by what they do:

- models.py: the rows, with rules about one object on them (`HostHousehold.eligibility_problems`);
- access.py: who may see a delegate's sensitive fields (the ONE privacy rule);
- matching.py: hard conflicts (one function), ranked suggestions, confirming a match;
- roster.py: importing delegates from a partner's CSV, all or nothing;
- itinerary.py: volunteering, confirming volunteers, each person's schedule (.ics too);
- privacy.py: the deletion job; listing.py: upcoming visits for a partner city's page.

May import `association`, `payments`, `membership`, `cities`, `events` and `exchanges`;
never `tickets` (an orientation is an `events.Event`).
"""
