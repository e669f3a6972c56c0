"""Scoring: the opportunity score with its reasons, the learned win probability, and the low-value flag."""
