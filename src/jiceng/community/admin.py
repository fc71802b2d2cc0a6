"""Community services have nothing in the admin: teams, offers, lists, orders and wishes are
business records, worked by the business roles in the console through the services."""
