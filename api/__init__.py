"""Fieldloop: a mobile-first opportunity management system."""
