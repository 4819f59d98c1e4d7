"""Helpers shared by the tests of stored results."""

TIMING_KEYS = ("seconds",)
"""Keys of wall-clock fields (a key containing one of them): they differ from run to run."""


def without_timings(value):
    """Returns the JSON value without its wall-clock fields, the only part two runs may disagree on."""
    if isinstance(value, dict):
        return {key: without_timings(item) for key, item in value.items() if not any(t in key for t in TIMING_KEYS)}
    if isinstance(value, list):
        return [without_timings(item) for item in value]
    return value
