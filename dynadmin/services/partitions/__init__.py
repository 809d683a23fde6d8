"""The partition page: which items (a ``PartitionQuery``), one Query per page, both ways."""
