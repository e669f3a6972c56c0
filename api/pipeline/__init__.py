"""The org's sales stages and product catalogue."""
