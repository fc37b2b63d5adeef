"""Shared pytest configuration for deepderive's tests."""
import pytest


def pytest_configure(config):
    # "slow" marks tests that take a few seconds; they still run by default (deselect with -m "not slow").
    config.addinivalue_line("markers", "slow: takes a few seconds; part of the default run")


@pytest.fixture(scope="session")
def library_proof():
    """library_proof(name): the Proof of the registered derivation `name`, verified once per session
    (some take tens of seconds; tests in several files judge the same library proofs)."""
    import derivations

    cache = {}

    def proof(name):
        if name not in cache:
            cache[name] = derivations.get(name).verify()
        return cache[name]
    return proof
