from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh_keyring():
    from credentials import keys

    keys.reset()
    yield
    keys.reset()
