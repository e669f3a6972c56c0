"""Approvals: policies, requests, decisions (also from notifications), delegation and escalation."""
