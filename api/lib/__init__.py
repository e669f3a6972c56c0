"""Cross-cutting pieces: auth, errors, idempotency, pagination, i18n."""
