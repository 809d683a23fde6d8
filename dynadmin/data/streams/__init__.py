"""DynamoDB Streams: the only package that reads a table's stream (``reading``), with its
client (``client``), where a page of changes lies (``windows``) and its pages (``pages``)."""
