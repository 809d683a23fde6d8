"""Who changed what: changes read from the archive of changes (an item's History,
the table's Activity), and dynadmin's own writes from the audit log, in the entity's words."""
