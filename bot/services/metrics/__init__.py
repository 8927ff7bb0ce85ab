"""Portfolio metrics, each defined once (:mod:`.glossary`) and computed once (:mod:`.readings`).

This package sits below answers, insights (digest, App Home) and CTAs and imports none
of them, so every surface can read the same figure the same way.
"""
