"""What several test modules share that is not a fixture: helpers named for what they hold.

Fixtures live in ``tests/conftest.py``; a test module imports from here, never from another
test module.
"""
