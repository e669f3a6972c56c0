"""Background jobs: the arq worker, the embedded runner, and the outbox relay that feeds them."""
