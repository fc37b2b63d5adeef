"""Shared pytest configuration for deepderive's tests."""
import fcntl
import pickle

import pytest


def pytest_configure(config):
    # "slow" marks tests that take a few seconds; they still run by default (deselect with -m "not slow").
    config.addinivalue_line("markers", "slow: takes a few seconds; part of the default run")


#: test modules that start JAX's (or Dask's) thread pools in the worker process that runs them
_THREADED_MODULES = ("test_array_api.py", "test_scale.py", "test_bench.py")


def pytest_collection_modifyitems(session, config, items):
    # Last in the run: verify and check fork their workers, and a fork beside JAX's running threads is what
    # JAX warns may deadlock (deepderive's own check budget uses a forkserver then; the tests' order keeps the
    # forks of verify's pool away from those threads too).
    items.sort(key=lambda item: item.path.name in _THREADED_MODULES)


@pytest.fixture(scope="session")
def library_proof(request, tmp_path_factory):
    """library_proof(name): the Proof of the registered derivation `name`, verified once per test run
    (some take tens of seconds, and tests in several files judge the same library proofs): under
    pytest-xdist the workers share each proof through a pickle in the run's common temporary folder,
    written by whichever worker asks first while the others wait on its lock."""
    import derivations

    shared = hasattr(request.config, "workerinput")
    root = tmp_path_factory.getbasetemp().parent if shared else tmp_path_factory.getbasetemp()
    cache = {}

    def proof(name):
        if name not in cache:
            path = root / f"library-proof-{name}.pickle"
            with open(root / f"library-proof-{name}.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if path.exists():
                    cache[name] = pickle.loads(path.read_bytes())
                else:
                    cache[name] = derivations.get(name).verify()
                    path.write_bytes(pickle.dumps(cache[name]))
        return cache[name]
    return proof

