"""Product usage from a SQL warehouse: the team's query → ``usage_daily`` (sync source)."""
