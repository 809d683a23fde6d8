"""The benchmark: what dynadmin adds to what DynamoDB costs (``python bench/run.py``)."""
