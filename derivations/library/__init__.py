"""The lecture\x27s results as registered derivations."""
