"""Venues have nothing in the admin: venues (with their contact phones), opening hours,
closures and bookings are business records, kept by the business roles in the console through
the services, which check, audit and notify."""
