"""Pipeline intelligence: funnel and forecast, each figure computed from stage history it can be traced to."""
