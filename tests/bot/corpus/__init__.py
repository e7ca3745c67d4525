"""The question corpus of issue 16: an independent oracle, generated and held-out phrasings,
the checker and the runner (see tests/bot/test_corpus.py)."""
