"""Product usage from analytics event exports (Segment, Amplitude, Mixpanel) → ``usage_daily``.

``reader`` lists and streams the files (fsspec), ``formats`` reads one line of each
format, ``aggregate`` turns a day's events into usage rows, ``connector`` keeps the
files-done cursor and decides which days to re-aggregate; ``config`` is ``events.yaml``.
"""
