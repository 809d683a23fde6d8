"""The seeds' e-commerce single-table design, as dynadmin definitions."""
