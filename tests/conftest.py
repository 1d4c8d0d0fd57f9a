"""Hypothesis profiles for the whole suite.

`make test` runs the "bounded" profile: Hypothesis' own defaults, except that no single example
has a deadline (a loaded machine makes timings flaky; a hang is caught by the example counts being
small). `make fuzz` sets HYPOTHESIS_PROFILE=fuzz: many more examples for the property tests.

A property test that must stay cheap under `make test` asks for its count through `examples`:

    @settings(max_examples=examples(40))                 # 40 now, the fuzz profile's count under fuzz
    @settings(max_examples=examples(3, fuzz=30))         # a test whose examples take seconds
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

FUZZ_EXAMPLES = 3_000

settings.register_profile("bounded", deadline=None)
settings.register_profile("fuzz", deadline=None, max_examples=FUZZ_EXAMPLES, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "bounded")
settings.load_profile(PROFILE)


def examples(bounded: int, fuzz: int | None = None) -> int:
    """How many examples a property test runs: `bounded` under `make test`; under the fuzz
    profile `fuzz` when given (for tests whose examples are slow), else the profile's count."""
    if PROFILE != "fuzz":
        return bounded
    return max(bounded, fuzz if fuzz is not None else settings.get_profile("fuzz").max_examples)
