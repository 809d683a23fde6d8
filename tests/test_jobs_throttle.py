"""A job's own capacity limit (``jobs/throttle.py``), on a clock the test moves: the bucket
lets a call go while it holds capacity, charges what the call consumed, and makes the next
call wait off the debt; throttling backs off doubling, and starts over once a call passes."""

import pytest

from dynadmin.jobs.throttle import Backoff, Bucket


class Clock:
    def __init__(self):
        self.now = 0.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_a_job_at_its_limit_waits_off_what_it_consumed():
    clock = Clock()
    bucket = Bucket(100, clock=clock, sleep=clock.sleep)
    bucket.wait()  # the first call goes at once
    assert clock.slept == []
    bucket.spend(50)  # now 50 units in debt: half a second
    bucket.wait()
    assert clock.slept == [0.5]
    clock.now += 1.0  # idle: a second's worth saved up, never more
    bucket.wait()
    bucket.spend(100)
    bucket.wait()
    assert clock.slept == [0.5]
    # Over any stretch it consumes the limit times the time taken (plus what it saved).
    for _ in range(100):
        bucket.wait()
        bucket.spend(10)
    bucket.wait()
    assert 50 + 100 + 1000 == 100 * clock.now


def test_a_new_bucket_has_nothing_saved_up():
    """Each chunk of a job has a bucket of its own: one that started with a second's worth
    would let a job of 100-item chunks at 100 WCU/s write each chunk at once."""
    clock = Clock()
    for _chunk in range(5):
        bucket = Bucket(100, clock=clock, sleep=clock.sleep)
        for _ in range(100):
            bucket.wait()
            bucket.spend(1)
    # 500 units at 100 a second: every chunk waited off all but its last unit
    assert clock.now == pytest.approx(5 * 99 / 100)


def test_no_limit_never_waits():
    clock = Clock()
    bucket = Bucket(None, clock=clock, sleep=clock.sleep)
    for _ in range(10):
        bucket.wait()
        bucket.spend(1000)
    assert clock.slept == []


def test_throttling_backs_off_doubling_up_to_a_ceiling_and_starts_over_after_a_success():
    clock = Clock()
    backoff = Backoff(first=0.1, most=0.5, sleep=clock.sleep)
    for _ in range(5):
        backoff.throttled()
    backoff.succeeded()
    backoff.throttled()
    assert clock.slept == [0.1, 0.2, 0.4, 0.5, 0.5, 0.1]
