"""Who changed what: changes read from the table's DynamoDB Stream (an item's Recent changes,
the table's Activity), and dynadmin's own writes from the audit log, in the entity's words."""
