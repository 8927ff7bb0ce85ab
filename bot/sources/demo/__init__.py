"""Demo data: a realistic, deterministic CS world written as a contract folder.

``generate_demo(DemoConfig(...), folder)`` writes CSV files exactly per
``DATA_CONTRACT.md``; ``csbot demo`` writes and imports them. See ``world`` for how
churn signals are made to precede churn, and ``names`` for the fixed demo accounts.
"""

from bot.sources.demo.generator import DemoSummary, generate_demo
from bot.sources.demo.world import DemoConfig

__all__ = ["DemoConfig", "DemoSummary", "generate_demo"]
