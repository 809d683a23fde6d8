"""A small OpenID Connect provider for the tests: django-oauth-toolkit with OIDC enabled.

``settings``/``urls`` make it a Django project of its own (its own SQLite file, its RS256 key
from the environment), ``claims`` puts the person's username, email and groups in the ID
token and userinfo, ``management/commands/oidc_provider_setup`` registers the confidential
client and the people, and ``servers`` starts it (and dynadmin's ready-made project as its
relying party) on free 127.0.0.1 ports for the tests' fixtures.
"""
