"""A tiny helpdesk design, installed as the app ``tickets`` into a fresh startproject host.

It is not examples.shop on purpose: the host leg proves that dynadmin works with any app's
definitions, found by autodiscovery of ``tickets/dynadmin.py``.
"""
