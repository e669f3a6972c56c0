"""Notifications: notify(), Web Push subscriptions and delivery, and the in-app history."""
