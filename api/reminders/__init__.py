"""Smart reminders: promised dates, silent customers, competitor activity, deals stuck in a stage."""
