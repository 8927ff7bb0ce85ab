"""Health scoring runs over the store, and the churn model's training, report and overrides."""
