"""Shared pytest configuration for deepderive's tests."""


def pytest_configure(config):
    # "slow" marks tests that take a few seconds; they still run by default (deselect with -m "not slow").
    config.addinivalue_line("markers", "slow: takes a few seconds; part of the default run")
