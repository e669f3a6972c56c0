"""Visits: planning a rep's day and week, re-planning, GPS check-in and check-out."""
