"""How things read on every page: values, item names, rows grouped by entity, AWS's codes in
plain words, the environment banner, and the markup of the partials repeated per row."""
