"""What managers and CSMs read unasked: the daily digest, its charts, App Home, feedback and stale-
source alerts.
"""
