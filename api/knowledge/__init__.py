"""Knowledge lookup: bilingual articles, full-text search, suggestions for a deal, and the offline bundle."""
