"""csbot package."""
