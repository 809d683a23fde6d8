"""Services between views and the data layer: what a page needs, computed once.

One folder per feature, so that a page's code is found by its name:

- ``partitions/``: the partition page: a ``PartitionQuery`` (``query``) and its form
  (``console``), its Query pages both ways (``pages``), sort-key conditions in an entity's
  words (``key_ranges``), the same query as code (``code_snippets``), a page's download
  (``export``), other-case hints (``case_hints``).
- ``lists/``: an entity's list page (``pages``) and its filter form (``filters``).
- ``lookups/``: lookups and listings, from typed values to one bounded Query (``plans``), their
  forms (``forms``), and the global box (``global_box``).
- ``items/``: the item page (``page``), its related sections (``related``) and relation links.
- ``changes/``: who changed what: an item's History and the table's Activity from the archive
  of changes, who made each change (``attribution``), their diffs and JSON, and audit entries
  in the entity's words.
- ``tables/``: DescribeTable's answer, cached (``summaries``) and typed once (``status``) for
  the dashboard and the health report, and the dashboard's additions.
- ``health/`` and ``ttl/``: a table's health report and verification; time to live.
- ``display/``: how values, names and rows read on every page, and the partials' markup.
- ``url_keys`` (keys in URLs), ``links`` (reversing a site's URLs), ``inputs`` (the forms' widgets,
  chosen by ``Field.input_type``, and their renderer) are shared by several features.
"""
