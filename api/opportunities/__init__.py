"""The pipeline: opportunities, their line items, stage history and validation rules."""
