"""An entity's list page, like Django's changelist: its listing, Choice tabs and filters."""
